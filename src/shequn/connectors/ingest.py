"""Group commit for inbound updates: concurrent requests share one intake transaction.

A webhook request must not be answered before its event is stored (the sender
would not retry a lost one), but one transaction per request caps throughput
at the database's commit rate and spends most of the CPU on per-transaction
work (loading groups, members and the engine's per-batch state).
:class:`IngestQueue` hands every submission to one writer task per process and
event loop. The writer takes what is pending — whatever arrived while the
previous transaction committed, plus what arrives within ``gather`` seconds of
the oldest pending submission — stores it in one intake transaction, and only
then answers each submitter. Under load the batches grow by themselves, so the
work per event shrinks exactly when it matters; a lone request waits at most
``gather``.

Duplicates (a retried update, the same update twice in one batch, or one that
another process stored) are dropped by intake, which dedupes on
(workspace, source, external id) under a unique constraint. When a shared
transaction fails it is rolled back whole and each submission is retried in a
transaction of its own, so one bad request cannot sink its neighbours and
nothing is ever stored in part.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from shequn.connectors.accounts import link_groups
from shequn.domain.events import EventBase
from shequn.intake.service import Intake

log = logging.getLogger(__name__)

GATHER_SECONDS = 0.008
"""How long a submission may wait for company before its transaction starts."""


@dataclass(frozen=True, slots=True)
class Link:
    """Make ``account_id`` the connector of the groups these events come from."""

    account_id: int
    platform: str


@dataclass(slots=True)
class _Item:
    workspace_id: int
    events: Sequence[EventBase]
    link: Link | None
    done: asyncio.Future[None] = field(repr=False)
    since: float = 0.0


@dataclass(slots=True)
class QueueStats:
    """What the writer has done (for tests, benchmarks and logs)."""

    batches: int = 0
    """Transactions committed."""
    submissions: int = 0
    """Submissions stored."""
    largest: int = 0
    """Most submissions in one transaction."""
    failed: int = 0
    """Submissions answered with an error."""


class IngestQueue:
    """Stores events from many concurrent callers in shared transactions."""

    def __init__(self, intake: Intake, *, max_events: int = 1000,
                 gather: float = GATHER_SECONDS) -> None:
        self.intake = intake
        self.max_events = max_events
        self.gather = gather
        self.stats = QueueStats()
        self._pending: deque[_Item] = deque()
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._linked: set[tuple[int, str]] = set()

    async def submit(self, workspace_id: int, events: Sequence[EventBase],
                     link: Link | None = None) -> None:
        """Store ``events``; returns once they are committed (raises if they could not be)."""
        if not events:
            return
        loop = asyncio.get_running_loop()
        if self._runner is None or self._runner.done() or self._runner.get_loop() is not loop:
            self._wake = asyncio.Event()
            self._runner = loop.create_task(self._run())
        done: asyncio.Future[None] = loop.create_future()
        self._pending.append(_Item(workspace_id, events, link, done, time.monotonic()))
        assert self._wake is not None
        self._wake.set()
        await done

    async def aclose(self) -> None:
        """Stop the writer (after the last submission was answered)."""
        if self._runner is not None and not self._runner.done():
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._runner = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                await self._gathered()
                batch = self._take()
                failures = await asyncio.to_thread(self._commit, batch)
                self._answer(batch, failures)

    async def _gathered(self) -> None:
        """Wait until the oldest submission is ``gather`` old or a batch is full."""
        while self._pending and self._size() < self.max_events:
            left = self._pending[0].since + self.gather - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(left)

    def _size(self) -> int:
        return sum(len(item.events) for item in self._pending)

    def _take(self) -> list[_Item]:
        batch: list[_Item] = []
        size = 0
        while self._pending and (not batch or size + len(self._pending[0].events)
                                 <= self.max_events):
            item = self._pending.popleft()
            batch.append(item)
            size += len(item.events)
        return batch

    def _answer(self, batch: list[_Item], failures: list[BaseException | None]) -> None:
        for item, error in zip(batch, failures, strict=True):
            if error is not None:
                self.stats.failed += 1
            if item.done.done():  # the caller gave up (disconnected); the events are stored
                continue
            if error is None:
                item.done.set_result(None)
            else:
                item.done.set_exception(error)

    def _commit(self, batch: list[_Item]) -> list[BaseException | None]:
        try:
            with self.intake.store.transaction() as connection:
                linked = self._store(connection, batch)
        except Exception as exc:
            if len(batch) == 1:
                log.exception("storing an inbound request failed")
                return [exc]
            # One bad request must not sink the others: store each on its own.
            return [self._commit([item])[0] for item in batch]
        self._linked.update(linked)
        self.stats.batches += 1
        self.stats.submissions += len(batch)
        self.stats.largest = max(self.stats.largest, len(batch))
        return [None] * len(batch)

    def _store(self, connection: Connection, batch: list[_Item]) -> set[tuple[int, str]]:
        by_workspace: dict[int, list[EventBase]] = defaultdict(list)
        links: dict[tuple[int, int, str], set[str]] = defaultdict(set)
        for item in batch:
            by_workspace[item.workspace_id].extend(item.events)
            if item.link is not None:
                key = (item.link.account_id, item.workspace_id, item.link.platform)
                links[key].update(e.group_id for e in item.events if e.group_id)
        for workspace_id, events in by_workspace.items():
            self.intake.ingest_in(connection, workspace_id, events)
        linked: set[tuple[int, str]] = set()
        for (account_id, workspace_id, platform), groups in links.items():
            new = {g for g in groups if (account_id, g) not in self._linked}
            if new:
                link_groups(connection, account_id=account_id, workspace_id=workspace_id,
                            platform=platform, external_ids=new)
                linked.update((account_id, g) for g in new)
        return linked
