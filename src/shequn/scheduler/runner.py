"""The scheduler: one loop that runs due engagement jobs and the content timeline.

``tick(now)`` does everything due at ``now`` and returns what it did; ``run()`` ticks
on a real clock until stopped. Tests drive ``tick`` with a simulated clock. Several
schedulers may run against PostgreSQL (rows are claimed with ``SKIP LOCKED`` and slots
are unique); on SQLite run one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete

from shequn.scheduler.cursors import fingerprint, sync_cursors
from shequn.scheduler.jobs import claim, run_job
from shequn.scheduler.timeline import TimelineRunner
from shequn.store.models import EngageCounter
from shequn.store.sql import table_of
from shequn.store.store import Store
from shequn.store.types import utcnow

log = logging.getLogger(__name__)

_COUNTERS = table_of(EngageCounter)


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    """How much a tick takes on at once and how it treats late slots."""

    job_batch: int = 200
    timeline_chunk: int = 500
    grace: timedelta = timedelta(hours=2)
    """Timeline slots found later than this are skipped (recorded), not posted."""
    resync: timedelta = timedelta(minutes=5)
    """Cursors are re-synced at least this often (group themes change without a trace)."""
    counter_ttl: timedelta = timedelta(days=60)
    interval: float = 5.0
    """Seconds between ticks in :meth:`Scheduler.run`."""


@dataclass(slots=True)
class TickResult:
    """What one tick did."""

    jobs: Counter[str] = field(default_factory=Counter)
    job_actions: int = 0
    cursors_synced: int = 0
    timeline_sent: int = 0
    timeline_skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line for logs and the CLI."""
        jobs = ", ".join(f"{k} {v}" for k, v in sorted(self.jobs.items())) or "none"
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(self.timeline_skipped.items()))
        return (f"jobs: {jobs} ({self.job_actions} actions); timeline: {self.timeline_sent} "
                f"posts" + (f", skipped {skipped}" if skipped else "")
                + f"; cursors synced: {self.cursors_synced}")


class Scheduler:
    """Runs what is due; safe to restart at any moment."""

    def __init__(self, store: Store, *, config: SchedulerConfig | None = None,
                 clock: Callable[[], datetime] = utcnow, workspace_id: int | None = None,
                 ) -> None:
        self.store = store
        self.workspace_id = workspace_id
        """Only this workspace's work (e.g. a tick asked for through the API), or all."""
        self.config = config or SchedulerConfig()
        self.clock = clock
        self.timeline = TimelineRunner(grace=self.config.grace, chunk=self.config.timeline_chunk)
        self._fingerprint: tuple[object, ...] | None = None
        self._synced_at: float | None = None
        self._swept_at: datetime | None = None

    def tick(self, now: datetime | None = None) -> TickResult:
        """Do everything due at ``now`` (default: the clock)."""
        now = now or self.clock()
        result = TickResult()
        self._sync(now, result)
        self._jobs(now, result)
        self._timeline(now, result)
        self._sweep(now)
        return result

    def _sync(self, now: datetime, result: TickResult) -> None:
        # Re-syncing is upkeep, so it follows the wall clock, not the (maybe simulated) ``now``.
        wall = time.monotonic()
        with self.store.transaction() as connection:
            current = fingerprint(connection)
            stale = (self._synced_at is None
                     or wall - self._synced_at >= self.config.resync.total_seconds())
            if current != self._fingerprint or stale:
                result.cursors_synced = sync_cursors(connection, now, self.workspace_id)
                self._fingerprint, self._synced_at = current, wall

    def _jobs(self, now: datetime, result: TickResult) -> None:
        while True:
            with self.store.transaction() as connection:
                jobs = claim(connection, now, self.config.job_batch, self.workspace_id)
                for job in jobs:
                    try:
                        with connection.begin_nested():
                            result.job_actions += run_job(connection, job, now)
                        result.jobs[job.kind] += 1
                    except Exception:
                        # A job that fails every time must not block the ones behind it.
                        log.exception("engagement job %s failed and was dropped", job.key)
                        result.jobs["failed"] += 1
            if len(jobs) < self.config.job_batch:
                return

    def _timeline(self, now: datetime, result: TickResult) -> None:
        while True:
            with self.store.transaction() as connection:
                stats = self.timeline.run_due(connection, now, self.workspace_id)
            result.timeline_sent += stats.sent
            result.timeline_skipped.update(stats.skipped)
            if stats.groups < self.config.timeline_chunk:
                return

    def _sweep(self, now: datetime) -> None:
        if self._swept_at is not None and now - self._swept_at < timedelta(hours=1):
            return
        with self.store.transaction() as connection:
            connection.execute(delete(_COUNTERS).where(
                _COUNTERS.c.last_at < now - self.config.counter_ttl))
        self._swept_at = now

    def run(self, stop: threading.Event | None = None) -> None:
        """Tick every ``interval`` seconds until ``stop`` is set."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                result = self.tick()
                if result.jobs or result.timeline_sent or result.timeline_skipped:
                    log.info("scheduler tick: %s", result.summary())
            except Exception:
                log.exception("scheduler tick failed; retrying in %ss", self.config.interval)
            stop.wait(self.config.interval)
