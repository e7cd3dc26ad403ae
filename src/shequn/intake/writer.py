"""Writing a batch's event rows while the engine decides about them.

The insert is the largest single cost of a batch, and the database does most
of it without Python: SQLite's step and PostgreSQL's round trip both release
the GIL. So for a large batch the rows go in on a second thread while this one
runs the engine, which needs no database. Events already got their ids (see
:func:`shequn.store.bulk.reserve_event_ids`), so nothing waits for the insert
until the batch writes what refers to its events.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from shequn.store import bulk

THREAD_MIN_ROWS = 200
"""Batches this large insert alongside the engine; smaller ones insert first, in one
statement that also returns the ids (a thread's start would cost more than it saves)."""


class EventRace(Exception):
    """Another transaction stored one of the batch's events after the duplicate check."""


class EventWriter:
    """Inserts event rows (id first, then ``bulk.EVENT_COLUMNS``) on a second thread.

    Use it as a context manager around the work that overlaps the insert: the
    insert starts on entry, and the exit waits for it even when that work
    fails, so the transaction is never rolled back under a running insert.
    """

    def __init__(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        self._dbapi = connection.connection.dbapi_connection
        self._sqlite = connection.dialect.name == "sqlite"
        self._rows = rows
        self._written = 0
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> EventWriter:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.finish()
        elif self._thread is not None:
            self._thread.join()  # the work failed: its error wins, the insert must still end

    def start(self) -> None:
        """Begin the insert on its thread."""
        self._thread = threading.Thread(target=self._write, name="shequn-event-writer")
        self._thread.start()

    def finish(self) -> None:
        """Wait for the insert; raise what it raised, or EventRace if a row was taken."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        if self._written != len(self._rows):
            raise EventRace(f"{len(self._rows) - self._written} event(s) stored concurrently")

    def _write(self) -> None:
        try:
            self._written = bulk.insert_events(self._dbapi, self._sqlite, self._rows)
        except BaseException as error:  # handed to finish(), on the caller's thread
            self._error = error
