"""shequn (社群): an open-source community-operations platform."""

__version__ = "0.1.0"
