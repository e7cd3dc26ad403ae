"""The outbox worker: carries decided actions out on the platforms, within their limits.

One loop: settle lapsed leases, claim a batch, run it (groups side by side,
each group's actions in order), record every result as it comes. See
:mod:`shequn.outbox.queue` for the states and the crash guarantees.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from shequn.connectors.base import Connector, OutboundAction
from shequn.connectors.registry import Connectors
from shequn.errors import (
    ActionRejected,
    ConfigError,
    ConnectorError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
)
from shequn.outbox.clock import Clock, SystemClock
from shequn.outbox.queue import Claimed, OutboxQueue
from shequn.outbox.ratelimit import Want
from shequn.store.store import Store

log = logging.getLogger(__name__)

EXECUTABLE_KINDS = (
    "reply", "post", "dm", "warn", "delete_message", "mute", "unmute", "kick", "ban", "unban",
    "blocklist", "approve_join", "decline_join", "pin",
)
"""Kinds the worker claims; others (e.g. grant_reward) belong to other services."""


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How a worker paces itself."""

    batch: int = 100
    per_group: int = 10
    concurrency: int = 8
    lease: float = 120.0
    max_attempts: int = 6
    backoff: float = 5.0
    backoff_cap: float = 3600.0
    idle: float = 1.0
    """Seconds to wait when nothing is due."""
    recover_every: float = 30.0
    no_connector_delay: float = 600.0
    dry_run: bool = False


def default_worker_id() -> str:
    """host:pid:random — unique per process, readable in the outbox."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Claims and executes outbox actions through the groups' connectors."""

    def __init__(
        self,
        store: Store,
        *,
        config: WorkerConfig | None = None,
        clock: Clock | None = None,
        connectors: Connectors | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.config = config or WorkerConfig()
        self.clock: Clock = clock or SystemClock()
        self.connectors = connectors or Connectors(store)
        self.queue = OutboxQueue(store, worker_id or default_worker_id(), lease=self.config.lease)
        self._last_recover: float | None = None
        self._slots = asyncio.Semaphore(self.config.concurrency)
        self._not_before: dict[str, float] = {}

    @property
    def worker_id(self) -> str:
        """The name this worker claims actions under."""
        return self.queue.worker_id

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set."""
        log.info("outbox worker %s started", self.worker_id)
        try:
            while not stop.is_set():
                if await self.run_once() == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=self.config.idle)
        finally:
            await self.aclose()
            log.info("outbox worker %s stopped", self.worker_id)

    async def aclose(self) -> None:
        """Close connectors and the worker's database connection."""
        await self.connectors.aclose()
        self.queue.close()

    async def run_once(self) -> int:
        """Settle lapsed leases, then claim and carry out one batch; returns the batch size."""
        now = self.clock.now()
        if self._last_recover is None or (
                now.timestamp() - self._last_recover >= self.config.recover_every):
            self._last_recover = now.timestamp()
            recovered = self.queue.recover(now, self.connectors.safe_to_repeat,
                                           self.config.max_attempts)
            if recovered:
                log.warning("settled %d actions left running by a stopped worker", recovered)
        claimed = self.queue.claim(now, EXECUTABLE_KINDS, batch=self.config.batch,
                                   per_group=self.config.per_group)
        if claimed:
            await self.execute(claimed)
        return len(claimed)

    async def drain(self, *, max_batches: int = 1_000_000) -> int:
        """Run batches until nothing is due now; returns how many actions were handled."""
        total = 0
        for _ in range(max_batches):
            done = await self.run_once()
            if done == 0:
                break
            total += done
        return total

    async def execute(self, claimed: Sequence[Claimed]) -> None:
        """Carry out a claimed batch: groups in parallel, each group's actions in order."""
        lanes: dict[object, list[Claimed]] = defaultdict(list)
        for action in claimed:
            lanes[action.group_id if action.group_id is not None else ("solo", action.id)].append(
                action)
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            await asyncio.gather(*(self._lane(actions) for actions in lanes.values()))
        finally:
            heartbeat.cancel()
            self.queue.release(claimed)  # whatever an error left unstarted

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.config.lease / 3)
            self.queue.renew(self.clock.now())

    async def _lane(self, actions: Sequence[Claimed]) -> None:
        for index, action in enumerate(actions):
            try:
                await self._one(action)
            except (ConfigError, NotFound) as exc:
                rest = actions[index:]
                self.queue.release(rest, until=self.clock.now() + timedelta(
                    seconds=self.config.no_connector_delay), reason=str(exc))
                return

    def _connector(self, action: Claimed) -> tuple[int, Connector]:
        account_id = action.account_id
        if account_id is None:
            account_id = self.connectors.account_for(action.workspace_id, action.platform)
        if account_id is None:
            raise NotFound(f"no connector for {action.platform or 'this platform'} in this "
                           "workspace: connect one (shequn telegram connect / webhook create)")
        return account_id, self.connectors.get(account_id)

    async def _one(self, action: Claimed) -> None:
        now = self.clock.now()
        if action.kind == "blocklist":
            count = self.queue.fan_out(action, now)
            log.info("blocklist %d fanned out to %d groups", action.id, count)
            return
        if self.config.dry_run or action.dry_run:
            self.queue.skipped(action, now, "dry run: not sent")
            return
        account_id, connector = self._connector(action)
        if action.kind not in connector.kinds:
            self.queue.failed(action, now, f"this connector cannot carry out '{action.kind}'",
                              None)
            return
        wants = self._wants(account_id, action, connector)
        while True:
            # Sleep first when this worker already knows a bucket is empty: saves a transaction.
            known = max((self._not_before.get(key, 0.0) for key, _ in wants), default=0.0)
            ahead = known - self.clock.now().timestamp()
            if ahead > 0:
                await self.clock.sleep(ahead)
            wait = self.queue.start(action, wants, self.clock.now(), self._not_before)
            if wait is None:
                log.warning("lost the claim on action %d; another worker has it", action.id)
                return
            if wait == 0:
                break
            await self.clock.sleep(wait)
        attempt = action.attempts + 1
        outbound = OutboundAction(
            id=action.id, workspace_id=action.workspace_id, kind=action.kind,
            group=action.group_external, user=action.payload.get("user_id"),
            payload=action.payload, attempt=attempt,
            idempotency_key=f"shequn-{action.workspace_id}-{action.id}",
        )
        async with self._slots:
            try:
                delivered = await connector.execute(outbound)
            except RateLimited as exc:
                hold = wants[-1] if wants else None
                self.queue.rate_limited(action, self.clock.now(), exc.retry_after, hold)
                return
            except ActionRejected as exc:
                self.queue.failed(action, self.clock.now(), f"refused: {exc}", None)
                return
            except OutcomeUnknown as exc:
                if self.connectors.safe_to_repeat(account_id, action.kind):
                    self._retry(action, attempt, f"no answer: {exc}")
                else:
                    self.queue.failed(action, self.clock.now(),
                                      f"outcome unknown (not repeated, to avoid a duplicate): "
                                      f"{exc}", None)
                return
            except ConnectorError as exc:
                self._retry(action, attempt, str(exc))
                return
        if not self.queue.done(action, self.clock.now(), delivered.ref):
            log.warning("action %d was done but its claim had lapsed", action.id)

    def _retry(self, action: Claimed, attempt: int, error: str) -> None:
        now = self.clock.now()
        if attempt >= self.config.max_attempts:
            self.queue.failed(action, now, f"gave up after {attempt} tries: {error}", None)
            return
        # Deterministic jitter (±20 %, by action id) spreads retries without a random source.
        jitter = 0.8 + 0.4 * (zlib.crc32(str(action.id).encode()) % 1000) / 1000
        delay = min(self.config.backoff_cap, self.config.backoff * 2 ** (attempt - 1)) * jitter
        self.queue.failed(action, now, error, now + timedelta(seconds=delay))

    @staticmethod
    def _wants(account_id: int, action: Claimed, connector: Connector) -> list[Want]:
        limits = connector.limits
        wants: list[Want] = []
        if limits.account is not None:
            wants.append((f"acct:{account_id}", limits.account))
        if limits.group is not None and action.kind in limits.group_kinds and action.group_external:
            wants.append((f"group:{account_id}:{action.group_external}", limits.group))
        return wants
