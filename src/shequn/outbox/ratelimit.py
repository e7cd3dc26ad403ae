"""Rate limits that hold across workers and restarts: GCRA buckets stored in the database.

A :class:`Limit` says "at most ``count`` calls in any ``per``-second window,
of which up to ``burst`` may go at once". It is enforced with the generic cell
rate algorithm (GCRA, a token bucket kept as one number): each bucket stores
the *theoretical arrival time* ``tat`` of the next call. A call at ``now`` is
admitted when ``tat - now <= tolerance``; admitting it moves ``tat`` one
interval on. With ``interval = per / (count - burst + 1)`` no window of
``per`` seconds ever holds more than ``count`` calls.

The buckets live in the ``rate_limit`` table and are read and written in the
same transaction that marks an action as started, under a row lock on
PostgreSQL (one writer at a time on SQLite), so several workers share one
budget and a restarted worker continues where the last one stopped instead of
bursting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from shequn.store.models import RateLimit
from shequn.store.sql import insert_ignore, table_of
from shequn.store.types import utcnow

_BUCKETS = table_of(RateLimit)
_SLACK = 1e-6  # a microsecond: below the resolution of stored times


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` calls in any window of ``per`` seconds, ``burst`` of them at once."""

    count: int
    per: float
    burst: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.burst <= self.count or self.per <= 0:
            raise ValueError(f"impossible limit {self}: need 1 <= burst <= count and per > 0")

    @property
    def interval(self) -> float:
        """Seconds each call moves the bucket on."""
        # A microsecond more, so rounding in stored times never fits one more call in a window.
        return self.per / (self.count - self.burst + 1) + _SLACK

    @property
    def tolerance(self) -> float:
        """How far ahead of now the bucket may run (the burst allowance)."""
        return (self.burst - 1) * self.interval

    def admit(self, tat: float, now: float) -> float | None:
        """The bucket's new ``tat`` if a call at ``now`` is admitted, else None."""
        start = max(tat, now)
        if start - now > self.tolerance:
            return None
        return start + self.interval

    def wait(self, tat: float, now: float) -> float:
        """Seconds until a call would be admitted."""
        behind = max(tat, now) - now - self.tolerance
        # Whole milliseconds: clocks keep microseconds, so a shorter wait may not move them.
        return 0.0 if behind <= 0 else math.ceil(behind * 1000) / 1000

    def slots(self, tat: float, now: float, horizon: float) -> int:
        """How many calls the bucket admits between ``now`` and ``now + horizon``."""
        ahead = max(tat, now) - now - self.tolerance
        free = (horizon - ahead) / self.interval
        return max(0, math.floor(free + 1e-9) + 1) if free >= 0 else 0


Want = tuple[str, Limit]
"""A bucket key and the limit it enforces."""


def _load(connection: Connection, keys: Sequence[str], lock: bool) -> dict[str, float]:
    query = select(_BUCKETS.c.key, _BUCKETS.c.tat).where(_BUCKETS.c.key.in_(keys))
    if lock and connection.dialect.name == "postgresql":
        query = query.order_by(_BUCKETS.c.key).with_for_update()
    return {row.key: row.tat for row in connection.execute(query)}


def peek(connection: Connection, keys: Sequence[str]) -> dict[str, float]:
    """Current ``tat`` of each existing bucket, without locking (for planning only)."""
    return _load(connection, keys, lock=False) if keys else {}


def try_acquire(
    connection: Connection, workspace_id: int, wants: Sequence[Want], now: float,
    after: dict[str, float] | None = None,
) -> float:
    """Take one call from every bucket, or from none.

    Returns 0.0 when all admitted the call (and their state is written), else
    the seconds to wait before trying again (nothing written). When admitted,
    ``after`` (if given) learns when each bucket admits its next call. Must run inside
    the caller's transaction; buckets are locked in key order so two workers
    never deadlock.
    """
    if not wants:
        return 0.0
    keys = sorted({key for key, _ in wants})
    found = _load(connection, keys, lock=True)
    missing = [key for key in keys if key not in found]
    if missing:
        connection.execute(
            insert_ignore(connection, _BUCKETS, "key"),
            [{"key": key, "workspace_id": workspace_id, "tat": 0.0, "updated_at": utcnow()}
             for key in missing],
        )
        found.update(_load(connection, missing, lock=True))
    admitted: dict[str, float] = {}
    wait = 0.0
    for key, limit in wants:
        tat = admitted.get(key, found[key])
        new_tat = limit.admit(tat, now)
        if new_tat is None:
            wait = max(wait, limit.wait(tat, now))
        else:
            admitted[key] = new_tat
    if wait > 0:
        return wait
    if after is not None:
        after.update({key: tat - limit.tolerance for (key, limit) in wants
                      for tat in (admitted[key],)})
    for key, tat in admitted.items():
        connection.execute(update(_BUCKETS).where(_BUCKETS.c.key == key)
                           .values(tat=tat, updated_at=utcnow()))
    return 0.0


def hold(
    connection: Connection, workspace_id: int, key: str, limit: Limit, until: float
) -> None:
    """Admit nothing on ``key`` before ``until`` (the platform said: retry after)."""
    tat = until + limit.tolerance
    connection.execute(insert_ignore(connection, _BUCKETS, "key"),
                       [{"key": key, "workspace_id": workspace_id, "tat": 0.0,
                         "updated_at": utcnow()}])
    connection.execute(update(_BUCKETS).where(_BUCKETS.c.key == key, _BUCKETS.c.tat < tat)
                       .values(tat=tat, updated_at=utcnow()))
