"""Hand-written SQL for intake's per-row statements.

SQLAlchemy's per-parameter processing costs more than the database itself on
the intake hot path (see benchmarks/ingest.py), so these statements go to the
driver as plain SQL on a DBAPI cursor of the same transaction. Each function hides the few
differences between SQLite and PostgreSQL: placeholders, how times and JSON
are passed, and how many parameters one statement may carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from typing import Any

import orjson
from sqlalchemy import Connection

EVENT_COLUMNS = (
    "workspace_id", "source", "external_id", "kind", "platform", "occurred_at", "received_at",
    "group_id", "member_id", "payload",
)
_MAX_PARAMS = 30_000  # under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters


def _is_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def db_time(connection: Connection, value: datetime) -> Any:
    """A UTC datetime as the driver takes it (SQLite stores SQLAlchemy's text format)."""
    if connection.dialect.name != "sqlite":
        return value
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


def _cursor(connection: Connection) -> Any:
    """A DBAPI cursor on the connection's current transaction (skips row processing)."""
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def read_time(value: Any) -> datetime:
    """A time read with plain SQL, as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def read_json(value: Any) -> Any:
    """A JSON column read with plain SQL (text on SQLite, already decoded on PostgreSQL)."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def json_placeholder(connection: Connection) -> str:
    """The placeholder for a JSON text parameter."""
    return "?" if _is_sqlite(connection) else "CAST(%s AS jsonb)"


def placeholder(connection: Connection) -> str:
    """The driver's positional placeholder."""
    return "?" if _is_sqlite(connection) else "%s"


def begin_writing(connection: Connection) -> None:
    """On SQLite, take the database's write lock now, for the rest of the transaction.

    The driver otherwise opens the transaction at the first write, so reads
    made before it (duplicate checks, identity lookups) could see data another
    process changes before the write. PostgreSQL needs nothing: its statements
    are safe under concurrency on their own.
    """
    if _is_sqlite(connection):
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:  # type: ignore[union-attr]
            raw.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]


def stored_events(
    connection: Connection, workspace_id: int, keys: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which of these (source, external_id) pairs the workspace has stored already."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    mark = placeholder(connection)
    sql = (f"SELECT source, external_id FROM event WHERE workspace_id = {mark} "
           f"AND source = {mark} AND external_id {{in_values}}")
    found: set[tuple[str, str]] = set()
    for source, external_ids in by_source.items():
        found.update(select_in(connection, sql, (workspace_id, source), external_ids))
    return found


def check_before_insert(connection: Connection) -> bool:
    """Whether intake should look for already-stored events before inserting a batch.

    On SQLite the look-up is a cheap index probe per event, exact under the write
    lock. On PostgreSQL it costs a round trip and the planner may scan the table
    for it, so intake inserts first and checks only when the insert skipped rows.
    """
    return _is_sqlite(connection)


def reserve_event_ids(connection: Connection, count: int) -> list[int]:
    """``count`` fresh event ids, ascending, for rows this transaction will insert.

    SQLite: after the largest id, which is safe because the caller holds the
    write lock (:func:`begin_writing`). PostgreSQL: from the id sequence, which
    no other transaction can hand out again.
    """
    cursor = _cursor(connection)
    try:
        if _is_sqlite(connection):
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM event")
            last = int(cursor.fetchone()[0])
            return list(range(last + 1, last + 1 + count))
        # Named first: looking the sequence up inside the query costs 4 µs per id.
        cursor.execute("SELECT pg_get_serial_sequence('event', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                       (sequence, count))
        return sorted(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()


def retry_point(connection: Connection) -> AbstractContextManager[Any]:
    """A savepoint on PostgreSQL, to undo a batch's writes and try again; nothing on SQLite.

    SQLite needs none: the batch holds the write lock, so what it checked stays true.
    """
    return nullcontext() if _is_sqlite(connection) else connection.begin_nested()


_PG_TYPES = {"id": "bigint", "workspace_id": "bigint", "source": "text", "external_id": "text",
             "kind": "text", "platform": "text", "occurred_at": "timestamptz",
             "received_at": "timestamptz", "group_id": "bigint", "member_id": "bigint",
             "payload": "jsonb"}
_SKIP_STORED = "ON CONFLICT (workspace_id, source, external_id) DO NOTHING"
_RETURNING = " RETURNING id, source, external_id"


def _event_columns(with_id: bool) -> tuple[str, ...]:
    return ("id", *EVENT_COLUMNS) if with_id else EVENT_COLUMNS


@lru_cache(maxsize=128)
def _sqlite_insert_events(rows: int, with_id: bool) -> str:
    columns = _event_columns(with_id)
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    return (f"INSERT INTO event ({', '.join(columns)}) VALUES {', '.join([one] * rows)} "
            + _SKIP_STORED + ("" if with_id else _RETURNING))


@lru_cache(maxsize=2)
def _pg_insert_events(with_id: bool) -> str:
    # One array per column: a statement with ten parameters instead of ten thousand,
    # which the driver neither has to parse nor to bind one by one.
    columns = _event_columns(with_id)
    arrays = ", ".join(f"%b::{_PG_TYPES[column]}[]" for column in columns)
    return (f"INSERT INTO event ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            + _SKIP_STORED + ("" if with_id else _RETURNING))


def _insert_event_rows(
    cursor: Any, sqlite: bool, rows: Sequence[tuple[Any, ...]], with_id: bool
) -> tuple[int, list[tuple[Any, ...]]]:
    """Run the inserts; return how many rows were new and what RETURNING gave."""
    if not sqlite:
        cursor.execute(_pg_insert_events(with_id),
                       [list(column) for column in zip(*rows, strict=True)])
        return int(cursor.rowcount), [] if with_id else cursor.fetchall()
    written, returned = 0, []
    per_statement = _MAX_PARAMS // len(_event_columns(with_id))
    for start in range(0, len(rows), per_statement):
        part = rows[start:start + per_statement]
        cursor.execute(_sqlite_insert_events(len(part), with_id), list(chain.from_iterable(part)))
        if with_id:
            written += cursor.rowcount
        else:
            returned.extend(cursor.fetchall())
    return (written if with_id else len(returned)), returned


def insert_events_returning(
    connection: Connection, rows: Sequence[tuple[Any, ...]]
) -> dict[tuple[str, str], int]:
    """Insert event rows (in EVENT_COLUMNS order), skipping ones already stored.

    Returns the new events' ids by (source, external_id); all rows belong to
    one workspace. One statement both inserts and tells what was new, which is
    what a small batch needs.
    """
    if not rows:
        return {}
    cursor = _cursor(connection)
    try:
        _, returned = _insert_event_rows(cursor, _is_sqlite(connection), rows, with_id=False)
        return {(source, external_id): event_id for event_id, source, external_id in returned}
    finally:
        cursor.close()


def insert_events(dbapi_connection: Any, sqlite: bool, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert event rows with their ids (id, then EVENT_COLUMNS); return how many were new.

    A row whose (source, external_id) is already stored is skipped, so a caller
    that checked with :func:`stored_events` learns from a short count that
    another transaction stored one of its events in between. Takes the DBAPI
    connection itself, so it can run on a second thread while the caller's
    thread keeps to work that needs no database.
    """
    if not rows:
        return 0
    cursor = dbapi_connection.cursor()
    try:
        return _insert_event_rows(cursor, sqlite, rows, with_id=True)[0]
    finally:
        cursor.close()


def select_in(
    connection: Connection, sql: str, fixed: Sequence[Any], values: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """Run ``sql``, whose last condition is ``column {in_values}``, over ``values``.

    SQLite gets ``IN (?, ?, …)`` in chunks under its parameter limit;
    PostgreSQL gets ``= ANY(%s)`` with the values as one array.
    """
    mark = placeholder(connection)
    rows: list[tuple[Any, ...]] = []
    cursor = _cursor(connection)
    if not _is_sqlite(connection):
        # Never as a prepared statement: its generic plan compares each row with every
        # array element, while a plan made for the values hashes them (PostgreSQL 14+).
        cursor.execute(sql.format(mark=mark, in_values="= ANY(%b)"), (*fixed, list(values)),
                       prepare=False)
        rows = cursor.fetchall()
    else:
        step = _MAX_PARAMS - len(fixed)
        for start in range(0, len(values), step):
            part = values[start:start + step]
            cursor.execute(sql.format(mark=mark, in_values=f"IN ({', '.join([mark] * len(part))})"),
                           (*fixed, *part))
            rows.extend(cursor.fetchall())
    cursor.close()
    return rows


def insert_members(
    connection: Connection, workspace_id: int, rows: Sequence[tuple[str | None, datetime]]
) -> list[int]:
    """Insert members (display name, first seen) and return their ids in row order.

    Ids come from one multi-row INSERT per chunk. Both databases assign them
    in VALUES order within a statement (SQLite under its single-writer lock,
    PostgreSQL by evaluating the sequence row by row), while RETURNING order
    is not promised — so the returned ids are sorted back into row order.
    """
    cursor = _cursor(connection)
    ids: list[int] = []
    if not _is_sqlite(connection):
        cursor.execute(
            "INSERT INTO member (workspace_id, display_name, attributes, first_seen_at) "
            "SELECT %s, name, '{}'::jsonb, seen FROM unnest(%b::text[], %b::timestamptz[]) "
            "AS new (name, seen) RETURNING id",
            (workspace_id, [name for name, _ in rows], [seen for _, seen in rows]),
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    else:
        step = _MAX_PARAMS // 4
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            params = tuple(
                value
                for name, seen in part
                for value in (workspace_id, name, "{}", db_time(connection, seen))
            )
            cursor.execute(
                "INSERT INTO member (workspace_id, display_name, attributes, first_seen_at) "
                f"VALUES {', '.join(['(?, ?, ?, ?)'] * len(part))} RETURNING id",
                params,
            )
            ids.extend(sorted(row[0] for row in cursor.fetchall()))
    cursor.close()
    return ids


def insert_identities(
    connection: Connection, workspace_id: int, rows: Sequence[tuple[int, str, str, str]],
    now: datetime,
) -> set[tuple[str, str, str]]:
    """Insert identities (member id, kind, platform, value), skipping ones already taken.

    Returns the (kind, platform, value) keys this call inserted; the others
    belong to some member already (possibly registered concurrently).
    """
    cursor = _cursor(connection)
    inserted: set[tuple[str, str, str]] = set()
    columns = "workspace_id, member_id, kind, platform, value, created_at"
    conflict = ("ON CONFLICT (workspace_id, kind, platform, value) DO NOTHING "
                "RETURNING kind, platform, value")
    if not _is_sqlite(connection):
        member_ids, kinds, platforms, values = (list(c) for c in zip(*rows, strict=True))
        cursor.execute(
            f"INSERT INTO member_identity ({columns}) SELECT %s, m, k, p, v, %s FROM "
            "unnest(%b::bigint[], %b::text[], %b::text[], %b::text[]) AS new (m, k, p, v) "
            + conflict,
            (workspace_id, now, member_ids, kinds, platforms, values),
        )
        inserted.update(cursor.fetchall())
    else:
        created = db_time(connection, now)
        step = _MAX_PARAMS // 6
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            cursor.execute(
                f"INSERT INTO member_identity ({columns}) "
                f"VALUES {', '.join(['(?, ?, ?, ?, ?, ?)'] * len(part))} " + conflict,
                [v for row in part for v in (workspace_id, *row, created)],
            )
            inserted.update(cursor.fetchall())
    cursor.close()
    return inserted


def insert_memberships(
    connection: Connection, workspace_id: int,
    rows: Sequence[tuple[int, int, str, datetime, datetime | None, bool, int | None]],
) -> None:
    """Insert memberships (group id, member id, role, joined, left, removed, invited by)."""
    cursor = _cursor(connection)
    columns = "workspace_id, group_id, member_id, role, joined_at, left_at, removed, invited_by_id"
    if not _is_sqlite(connection):
        groups, members, roles, joined, left, removed, invited = (
            list(c) for c in zip(*rows, strict=True))
        cursor.execute(
            f"INSERT INTO membership ({columns}) SELECT %s, * FROM unnest(%b::bigint[], "
            "%b::bigint[], %b::text[], %b::timestamptz[], %b::timestamptz[], %b::boolean[], "
            "%b::bigint[])",
            (workspace_id, groups, members, roles, joined, left, removed, invited),
        )
    else:
        cursor.executemany(
            f"INSERT INTO membership ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(workspace_id, group, member, role, db_time(connection, joined_at),
              db_time(connection, left_at) if left_at is not None else None, removed, invited)
             for group, member, role, joined_at, left_at, removed, invited in rows],
        )
    cursor.close()


def rename_groups(
    connection: Connection, renames: Sequence[tuple[str, datetime, int]]
) -> None:
    """Set groups' platform titles: (new name, when the platform showed it, group id)."""
    mark = placeholder(connection)
    cursor = _cursor(connection)
    cursor.executemany(f"UPDATE chat_group SET name = {mark}, title_at = {mark} WHERE id = {mark}",
                       [(name, db_time(connection, at), group_id)
                        for name, at, group_id in renames])
    cursor.close()
