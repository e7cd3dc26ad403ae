"""The outbox as a work queue: claim, start, finish, recover. Every step is one transaction.

An action's life (``status``)::

    pending/failed ──claim──▶ running ──start──▶ running+started ──▶ done
         ▲                      │                     │ transient error ─▶ failed (retry later)
         └──── release ─────────┘                     │ refused, or tries used up ─▶ dead
                                                      │ rate limited ─▶ pending (retry_after)

* **claim** moves a batch of due actions to ``running`` under this worker's
  name with a lease. On PostgreSQL the rows are picked ``FOR UPDATE SKIP
  LOCKED``, so concurrent workers never claim the same row; SQLite has one
  writer at a time.
* **start** is committed *before* the platform call, fenced on the claim
  (``claimed_by`` = this worker, still ``running``), together with the rate-limit
  buckets. So a worker whose claim was lost never starts the action, and after
  a crash shequn knows exactly which actions were mid-call: those with
  ``started_at`` set and no result.
* **recover** handles leases that ran out (the worker died): never-started
  actions go back to the queue (nothing happened); mid-call ones are repeated
  only when repeating is harmless (deletes, bans, mutes … or a connector with
  idempotency keys); a mid-call *send* on a platform without idempotency goes
  to ``dead`` as "outcome unknown" rather than risk a duplicate message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from shequn.domain.enums import IdentityKind, OutboxStatus
from shequn.outbox import ratelimit
from shequn.outbox.ratelimit import Want
from shequn.store.models import Group, MemberIdentity, OutboxAction
from shequn.store.sql import table_of
from shequn.store.store import Store

_O = table_of(OutboxAction)
_G = table_of(Group)
_IDS = table_of(MemberIdentity)
_DUE = (OutboxStatus.PENDING.value, OutboxStatus.FAILED.value)
_RUNNING = OutboxStatus.RUNNING.value


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed action with what executing it needs."""

    id: int
    workspace_id: int
    kind: str
    group_id: int | None
    member_id: int | None
    account_id: int | None
    group_external: str | None
    platform: str
    payload: dict[str, Any]
    attempts: int
    dry_run: bool = False


class _Undo(Exception):
    """Roll the step back and return ``result``."""

    def __init__(self, result: float | None) -> None:
        self.result = result


SafeToRepeat = Callable[[int | None, str], bool]
"""Given (account id, kind): may an attempt that was cut off mid-call be repeated?"""


class OutboxQueue:
    """The outbox seen by one worker, named ``worker_id``."""

    def __init__(self, store: Store, worker_id: str, *, lease: float = 120.0) -> None:
        self.store = store
        self.worker_id = worker_id
        self.lease = timedelta(seconds=lease)
        self._connection: Connection | None = None

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A transaction on the worker's own connection (no pool check-out per step)."""
        if self._connection is None or self._connection.closed:
            self._connection = self.store.engine.connect()
        connection = self._connection
        try:
            with connection.begin():
                yield connection
        except _Undo:
            raise
        except Exception:
            self.close()  # a broken connection is not reused
            raise

    def close(self) -> None:
        """Return the worker's connection to the pool."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # --- claiming ------------------------------------------------------------------------

    def claim(
        self, now: datetime, kinds: Sequence[str], *, batch: int = 100, per_group: int = 10
    ) -> list[Claimed]:
        """Claim up to ``batch`` due actions of ``kinds``, at most ``per_group`` per group.

        Only actions whose group has a connector (or that name no group) are taken;
        the others wait, pending, until a connector is linked.
        """
        due = (
            select(_O.c.id, _O.c.group_id)
            .select_from(_O.outerjoin(_G, _G.c.id == _O.c.group_id))
            .where(_O.c.status.in_(_DUE), _O.c.next_attempt_at <= now, _O.c.kind.in_(kinds),
                   or_(_O.c.group_id.is_(None), _G.c.platform_account_id.is_not(None)))
            .order_by(_O.c.id).limit(batch * 4)
        ).cte("due")
        ranked = select(
            due.c.id,
            func.row_number().over(partition_by=due.c.group_id, order_by=due.c.id).label("n"),
        ).cte("ranked")
        picked = (
            select(_O.c.id)
            .where(_O.c.id.in_(select(ranked.c.id).where(ranked.c.n <= per_group)),
                   # Checked again on the locked row: another worker may have claimed it.
                   _O.c.status.in_(_DUE), _O.c.next_attempt_at <= now)
            .order_by(_O.c.id).limit(batch)
        )
        with self._transaction() as connection:
            if connection.dialect.name == "postgresql":
                picked = picked.with_for_update(skip_locked=True)
            ids = list(connection.scalars(
                update(_O)
                .where(_O.c.id.in_(picked.scalar_subquery()), _O.c.status.in_(_DUE))
                .values(status=_RUNNING, claimed_by=self.worker_id, lease_until=now + self.lease,
                        started_at=None)
                .returning(_O.c.id)
            ))
            return self._load(connection, ids)

    def _load(self, connection: Connection, ids: Sequence[int]) -> list[Claimed]:
        if not ids:
            return []
        rows = connection.execute(
            select(_O.c.id, _O.c.workspace_id, _O.c.kind, _O.c.group_id, _O.c.member_id,
                   _O.c.payload, _O.c.attempts, _O.c.dry_run, _G.c.platform_account_id,
                   _G.c.external_id)
            .select_from(_O.outerjoin(_G, _G.c.id == _O.c.group_id))
            .where(_O.c.id.in_(ids)).order_by(_O.c.id)
        )
        return [
            Claimed(id=row.id, workspace_id=row.workspace_id, kind=row.kind,
                    group_id=row.group_id, member_id=row.member_id,
                    account_id=row.platform_account_id,
                    group_external=row.external_id or row.payload.get("group_id"),
                    platform=str(row.payload.get("platform", "")), payload=dict(row.payload),
                    attempts=row.attempts, dry_run=bool(row.dry_run))
            for row in rows
        ]

    def renew(self, now: datetime) -> int:
        """Extend the lease of every action this worker holds; returns how many."""
        with self._transaction() as connection:
            result = connection.execute(
                update(_O).where(_O.c.claimed_by == self.worker_id, _O.c.status == _RUNNING)
                .values(lease_until=now + self.lease))
            return result.rowcount

    # --- one attempt ---------------------------------------------------------------------

    def start(self, action: Claimed, wants: Sequence[Want], now: datetime,
              after: dict[str, float] | None = None) -> float | None:
        """Mark the attempt started and take its rate-limit slots, atomically.

        Returns 0.0 when started, the seconds to wait when a bucket is empty
        (nothing changed), or None when this worker no longer holds the claim.
        """
        try:
            with self._transaction() as connection:
                # The write comes first so SQLite takes its write lock before reading buckets.
                started = connection.execute(
                    update(_O).where(_O.c.id == action.id, _O.c.claimed_by == self.worker_id,
                                     _O.c.status == _RUNNING)
                    .values(started_at=now, attempts=_O.c.attempts + 1,
                            lease_until=now + self.lease))
                if started.rowcount != 1:
                    raise _Undo(None)
                wait = ratelimit.try_acquire(connection, action.workspace_id, wants,
                                             now.timestamp(), after)
                if wait > 0:
                    raise _Undo(wait)
        except _Undo as undo:
            return undo.result
        return 0.0

    def _finish(self, action_id: int, now: datetime, **values: Any) -> bool:
        with self._transaction() as connection:
            result = connection.execute(
                update(_O).where(_O.c.id == action_id, _O.c.claimed_by == self.worker_id,
                                 _O.c.status == _RUNNING)
                .values(claimed_by=None, lease_until=None, **values))
            return result.rowcount == 1

    def done(self, action: Claimed, now: datetime, ref: str | None) -> bool:
        """Record success."""
        return self._finish(action.id, now, status=OutboxStatus.DONE.value, done_at=now,
                            external_ref=ref, last_error=None)

    def skipped(self, action: Claimed, now: datetime, note: str) -> bool:
        """Record that the action was deliberately not carried out (dry run)."""
        return self._finish(action.id, now, status=OutboxStatus.SKIPPED.value, done_at=now,
                            last_error=note)

    def failed(self, action: Claimed, now: datetime, error: str, retry_at: datetime | None
               ) -> bool:
        """Record a failed attempt: retry at ``retry_at``, or give up (dead) when None."""
        if retry_at is None:
            return self._finish(action.id, now, status=OutboxStatus.DEAD.value, done_at=now,
                                last_error=error[:2000])
        return self._finish(action.id, now, status=OutboxStatus.FAILED.value,
                            next_attempt_at=retry_at, started_at=None, last_error=error[:2000])

    def rate_limited(
        self, action: Claimed, now: datetime, retry_after: float, hold: Want | None
    ) -> bool:
        """The platform said "too many requests": try again later; it does not count as a try."""
        retry_at = now + timedelta(seconds=retry_after)
        with self._transaction() as connection:
            if hold is not None:
                ratelimit.hold(connection, action.workspace_id, hold[0], hold[1],
                               retry_at.timestamp())
            result = connection.execute(
                update(_O).where(_O.c.id == action.id, _O.c.claimed_by == self.worker_id,
                                 _O.c.status == _RUNNING)
                .values(status=OutboxStatus.PENDING.value, claimed_by=None, lease_until=None,
                        started_at=None, attempts=_O.c.attempts - 1, next_attempt_at=retry_at,
                        last_error=f"rate limited by the platform; retry after {retry_after:g}s"))
            return result.rowcount == 1

    def release(self, actions: Sequence[Claimed], *, until: datetime | None = None,
                reason: str | None = None) -> None:
        """Give back claimed, unstarted actions (to run at ``until``, or as soon as due)."""
        if not actions:
            return
        values: dict[str, Any] = {"status": OutboxStatus.PENDING.value, "claimed_by": None,
                                  "lease_until": None, "started_at": None}
        if until is not None:
            values["next_attempt_at"] = until
        if reason is not None:
            values["last_error"] = reason
        with self._transaction() as connection:
            connection.execute(
                update(_O).where(_O.c.id.in_([a.id for a in actions]),
                                 _O.c.claimed_by == self.worker_id, _O.c.status == _RUNNING,
                                 _O.c.started_at.is_(None))
                .values(**values))

    # --- fan-out and crash recovery ------------------------------------------------------

    def fan_out(self, action: Claimed, now: datetime) -> int:
        """Turn a workspace-wide blocklist into one ban per connected group; returns how many."""
        with self._transaction() as connection:
            targets = connection.execute(
                select(_G.c.id, _G.c.external_id, _G.c.platform, _IDS.c.value)
                .join(_IDS, and_(_IDS.c.platform == _G.c.platform,
                                 _IDS.c.kind == IdentityKind.PLATFORM.value,
                                 _IDS.c.member_id == action.member_id))
                .where(_G.c.workspace_id == action.workspace_id,
                       _G.c.platform_account_id.is_not(None))
                .order_by(_G.c.id)).all() if action.member_id is not None else []
            marked = connection.execute(
                update(_O).where(_O.c.id == action.id, _O.c.claimed_by == self.worker_id,
                                 _O.c.status == _RUNNING)
                .values(status=OutboxStatus.DONE.value, done_at=now, claimed_by=None,
                        lease_until=None, external_ref=f"{len(targets)} groups"))
            if marked.rowcount != 1:
                return 0
            if targets:
                reason = str(action.payload.get("reason", ""))
                connection.execute(insert(_O), [
                    {"workspace_id": action.workspace_id, "event_id": None, "group_id": gid,
                     "member_id": action.member_id, "kind": "ban",
                     "handler": str(action.payload.get("handler", "")),
                     "payload": {"platform": platform, "kind": "ban", "group_id": external,
                                 "user_id": user, "reason": reason, "until": None,
                                 "handler": action.payload.get("handler", ""),
                                 "blocklist_of": action.id},
                     "status": OutboxStatus.PENDING.value, "dry_run": False, "attempts": 0,
                     "next_attempt_at": now, "created_at": now}
                    for gid, external, platform, user in targets
                ])
            return len(targets)

    def recover(self, now: datetime, safe_to_repeat: SafeToRepeat, max_attempts: int) -> int:
        """Settle actions whose worker's lease ran out; returns how many."""
        with self._transaction() as connection:
            query = (
                select(_O.c.id, _O.c.kind, _O.c.started_at, _O.c.attempts, _O.c.claimed_by,
                       _G.c.platform_account_id)
                .select_from(_O.outerjoin(_G, _G.c.id == _O.c.group_id))
                .where(_O.c.status == _RUNNING, _O.c.lease_until < now)
                .order_by(_O.c.id).limit(1000))
            if connection.dialect.name == "postgresql":
                query = query.with_for_update(of=_O, skip_locked=True)
            rows = connection.execute(query).all()
            for row in rows:
                values: dict[str, Any] = {"claimed_by": None, "lease_until": None,
                                          "started_at": None}
                if row.started_at is None:
                    values["status"] = OutboxStatus.PENDING.value
                elif safe_to_repeat(row.platform_account_id, row.kind) and (
                        row.attempts < max_attempts):
                    values.update(status=OutboxStatus.FAILED.value, next_attempt_at=now,
                                  last_error=f"worker {row.claimed_by} stopped during the call; "
                                             "repeating it is harmless for this action")
                else:
                    values.update(status=OutboxStatus.DEAD.value, done_at=now,
                                  last_error=f"outcome unknown: worker {row.claimed_by} stopped "
                                             "during the platform call, so it may or may not "
                                             "have happened; check the group, then retry or "
                                             "leave it")
                connection.execute(update(_O).where(_O.c.id == row.id, _O.c.status == _RUNNING)
                                   .values(**values))
            return len(rows)
