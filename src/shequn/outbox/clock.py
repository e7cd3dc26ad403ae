"""Time for the worker: the system clock, or a manual one that tests move by hand.

Every time the worker stores (leases, retry times, rate-limit state) comes from
its clock, never from the database server, so a simulated clock drives the whole
worker consistently: a test can run hours of rate-limited sending in seconds.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Where the worker reads the time and how it waits."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (or let simulated time pass)."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await asyncio.sleep(max(0.0, seconds))


class ManualClock:
    """Simulated time: ``sleep`` moves the clock forward instead of waiting.

    Each sleep moves the clock forward by its whole duration, so concurrent
    sleepers make time pass faster than real time would, never slower: no
    sleeper wakes early, and rate limits checked against this clock hold as
    they would in real time. Thread-safe, so a fake server on another thread
    can stamp what it receives with the same time.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The simulated time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` and return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, then yield to other tasks."""
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)

    def timestamp(self) -> float:
        """Seconds since the epoch in simulated time (for fakes that stamp calls)."""
        return self.now().timestamp()
