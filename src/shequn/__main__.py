"""``python -m shequn``."""

from shequn.cli.main import main

main()
