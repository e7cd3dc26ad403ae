"""Telegram: updates in (``convert``), Bot API calls out (``connector``), a fake Bot API (``fake``).

Only this package imports ``telegram`` (python-telegram-bot).
"""

import os

# Opt in to the library's next behaviour (time periods as timedelta) now; without it,
# every flood-control error also raises a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")
