"""Group commit for inbound updates: concurrent requests share one intake transaction.

A webhook request must not be answered before its event is stored (the sender
would not retry a lost one), but one transaction per request caps throughput
at the database's commit rate. :class:`IngestQueue` collects the events of
every request that arrives while the previous transaction commits and stores
them together, then answers each request. Nothing waits on a timer: a lone
request is stored at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from shequn.connectors.accounts import link_groups
from shequn.domain.events import EventBase
from shequn.intake.service import Intake

log = logging.getLogger(__name__)


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


class IngestQueue:
    """Stores events from many concurrent callers in shared transactions."""

    def __init__(self, intake: Intake, *, max_events: int = 2000) -> None:
        self.intake = intake
        self.max_events = max_events
        self._pending: list[_Item] = []
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._linked: set[tuple[int, str]] = set()
        self.batches = 0
        """Transactions committed (for tests and benchmarks)."""

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
        self._pending.append(_Item(workspace_id, events, link, done))
        assert self._wake is not None
        self._wake.set()
        await done

    async def aclose(self) -> None:
        """Stop the background committer (after the last submission was answered)."""
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
                batch: list[_Item] = []
                size = 0
                while self._pending and (not batch or size + len(self._pending[0].events)
                                         <= self.max_events):
                    item = self._pending.pop(0)
                    batch.append(item)
                    size += len(item.events)
                failures = await asyncio.to_thread(self._commit, batch)
                for item, error in zip(batch, failures, strict=True):
                    if item.done.done():
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
        self.batches += 1
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
