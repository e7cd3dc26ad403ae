"""The intake service: the one door events come through.

For a batch of validated events, in one transaction: drop duplicates, resolve
groups and members, store the new events, run the engine on each, apply the
state changes it returns and write its commands to the outbox. Either all of
that is stored or none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, insert

from shequn.domain.actions import (
    Action,
    Command,
    MembershipEnded,
    MembershipStarted,
    OrderBooked,
    ProfileChanged,
    StateChange,
)
from shequn.domain.enums import IdentityKind, MemberRole, OutboxStatus
from shequn.domain.events import (
    EventBase,
    MemberJoined,
    MemberLeft,
    Order,
    ProfileUpdated,
    Referral,
)
from shequn.engine.context import Context, GroupInfo, MemberInfo
from shequn.engine.pipeline import BatchItem, Pipeline, default_pipeline
from shequn.intake import effects
from shequn.intake.collector import collector_paused
from shequn.intake.resolve import (
    GroupKey,
    IdentityKey,
    Person,
    Title,
    email_key,
    phone_key,
    platform_key,
    resolve_groups,
    resolve_members,
    union_key,
)
from shequn.intake.writer import THREAD_MIN_ROWS, EventRace, EventWriter
from shequn.store import bulk
from shequn.store.models import OutboxAction
from shequn.store.sql import table_of
from shequn.store.store import Store
from shequn.store.types import utcnow

_OUTBOX = table_of(OutboxAction)
_RACE_ATTEMPTS = 5
"""Times a batch is retried when concurrent writers keep storing its events first."""
_RECORDED = (MembershipStarted, MembershipEnded, ProfileChanged, OrderBooked)
"""State changes intake records itself; any other kind belongs to a companion."""


@dataclass(slots=True)
class IngestResult:
    """What one batch did."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    commands: int = 0
    state_changes: int = 0
    event_ids: list[int] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        """Accumulate another batch's counts."""
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.commands += other.commands
        self.state_changes += other.state_changes
        self.event_ids.extend(other.event_ids)


class Intake:
    """Stores events and the engine's decisions about them, atomically."""

    def __init__(
        self,
        store: Store,
        pipeline: Pipeline | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.pipeline = pipeline or default_pipeline()
        self.clock = clock

    def ingest(self, workspace_id: int, events: Sequence[EventBase]) -> IngestResult:
        """Store a batch of events and everything decided about them in one transaction."""
        if not events:
            return IngestResult()
        with collector_paused(), self.store.transaction() as connection:
            return self.ingest_in(connection, workspace_id, events)

    def ingest_in(
        self, connection: Connection, workspace_id: int, events: Sequence[EventBase]
    ) -> IngestResult:
        """Like :meth:`ingest`, inside a transaction the caller owns."""
        with collector_paused():
            return _Batch(connection, workspace_id, self.pipeline, self.clock()).run(events)


_PLATFORM = IdentityKind.PLATFORM.value


def _actor_keys(event: EventBase, platform: str) -> tuple[IdentityKey, ...]:
    """Every identity the event gives for the person acting in it."""
    keys: list[IdentityKey] = []
    if event.user_id:
        keys.append((_PLATFORM, platform, event.user_id))
    if isinstance(event, (Order, ProfileUpdated)):
        if event.phone:
            keys.append(phone_key(event.phone))
        if event.email:
            keys.append(email_key(event.email))
        if isinstance(event, ProfileUpdated) and event.union_id:
            keys.append(union_key(event.union_id))
    return tuple(keys)


def _referenced_users(event: EventBase) -> list[str]:
    if isinstance(event, MemberJoined) and event.invited_by:
        return [event.invited_by]
    if isinstance(event, MemberLeft) and event.removed_by:
        return [event.removed_by]
    if isinstance(event, Referral):
        return [event.referee_id]
    return []


class _Batch:
    """One transaction's worth of intake work."""

    def __init__(
        self, connection: Connection, workspace_id: int, pipeline: Pipeline, now: datetime
    ) -> None:
        self.connection = connection
        self.workspace_id = workspace_id
        self.pipeline = pipeline
        self.now = now

    def run(self, events: Sequence[EventBase]) -> IngestResult:
        bulk.begin_writing(self.connection)  # resolution and dedupe see what they write over
        unique: dict[tuple[str, str], EventBase] = {}
        for event in events:
            unique.setdefault((event.source, event.external_id), event)

        titles: dict[GroupKey, Title | None] = {}
        people: dict[tuple[IdentityKey, ...], Person] = {}
        actor_keys: list[tuple[IdentityKey, ...]] = []
        for event in unique.values():
            platform = event.platform.value
            if event.group_id:
                key = (platform, event.group_id)
                # The newest title in the batch wins: a rename shows in what follows it.
                title = titles.setdefault(key, None)
                if event.group_name is not None and (
                        title is None or event.occurred_at >= title[1]):
                    titles[key] = (event.group_name, event.occurred_at)
            keys = _actor_keys(event, platform)
            actor_keys.append(keys)
            if keys and keys not in people:
                people[keys] = Person(keys, event.user_name, event.occurred_at)
            for other in _referenced_users(event):
                ref = ((_PLATFORM, platform, other),)
                if ref not in people:
                    people[ref] = Person(ref, None, event.occurred_at)
        groups = resolve_groups(self.connection, self.workspace_id, titles, self.now)
        members, created = resolve_members(self.connection, self.workspace_id, people.values())
        batch = list(unique.values())
        if len(batch) < THREAD_MIN_ROWS:
            # A small batch inserts its events and learns their ids in one statement.
            return self._decide(len(events), self._insert_now(batch, actor_keys, groups, members),
                                groups, members, created)
        return self._insert_alongside(len(events), batch, actor_keys, groups, members, created)

    def _insert_now(
        self,
        events: list[EventBase],
        actor_keys: list[tuple[IdentityKey, ...]],
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
    ) -> list[_NewEvent]:
        """Insert the events (stored ones are skipped); the new ones with their ids."""
        rows, refs = self._event_rows(events, actor_keys, groups, members)
        ids = bulk.insert_events_returning(self.connection, rows)
        return [_NewEvent(event_id, event, group_id, member_id)
                for event, group_id, member_id in refs
                if (event_id := ids.get((event.source, event.external_id))) is not None]

    def _insert_alongside(
        self,
        received: int,
        events: list[EventBase],
        actor_keys: list[tuple[IdentityKey, ...]],
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
        created: set[int],
    ) -> IngestResult:
        """A large batch: ids first, then the insert on a thread while the engine decides."""
        under_lock = bulk.check_before_insert(self.connection)
        check_first = under_lock
        for attempt in range(1, _RACE_ATTEMPTS + 1):
            try:
                with bulk.retry_point(self.connection):
                    fresh = self._not_stored(events, actor_keys) if check_first else (
                        events, actor_keys)
                    rows, refs = self._event_rows(*fresh, groups, members)
                    ids = bulk.reserve_event_ids(self.connection, len(rows))
                    writer = EventWriter(self.connection, [
                        (event_id, *row) for event_id, row in zip(ids, rows, strict=True)])
                    stored = [_NewEvent(event_id, event, group_id, member_id)
                              for event_id, (event, group_id, member_id)
                              in zip(ids, refs, strict=True)]
                    return self._decide(received, stored, groups, members, created, writer)
            except EventRace:
                # SQLite checked under the write lock, so a skipped row there is a fault,
                # and there is no savepoint to retry from: the whole batch fails.
                if under_lock or attempt == _RACE_ATTEMPTS:
                    raise
                # Some events were stored already (a redelivery, or another transaction
                # since the check): everything since the retry point is undone; check now.
                check_first = True
        raise AssertionError("unreachable")

    def _not_stored(
        self, events: list[EventBase], actor_keys: list[tuple[IdentityKey, ...]]
    ) -> tuple[list[EventBase], list[tuple[IdentityKey, ...]]]:
        """The events (and their actors' keys) the workspace has not stored yet."""
        taken = bulk.stored_events(self.connection, self.workspace_id,
                                   [(e.source, e.external_id) for e in events])
        fresh = [(event, keys) for event, keys in zip(events, actor_keys, strict=True)
                 if (event.source, event.external_id) not in taken]
        return [event for event, _ in fresh], [keys for _, keys in fresh]

    def _decide(
        self,
        received: int,
        stored: list[_NewEvent],
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
        created: set[int],
        writer: EventWriter | None = None,
    ) -> IngestResult:
        """Run the engine on the new events and record what it decided.

        With a ``writer``, the events are being inserted meanwhile: the engine
        needs no database, and nothing referring to the events is written before
        the insert has ended.
        """
        result = IngestResult(received=received, stored=len(stored),
                              duplicates=received - len(stored))
        if not stored:
            return result
        book = effects.MembershipBook(
            self.connection, self.workspace_id,
            [(new.group_id, new.member_id) for new in stored
             if new.group_id is not None and new.member_id is not None],
        )
        profiles = effects.ProfileBook()
        orders = effects.OrderBook(self.workspace_id)
        outbox: list[dict[str, Any]] = []
        first_sighting = set(created)
        group_infos: dict[int, GroupInfo] = {}
        snapshots = self._snapshots(stored, groups, group_infos)
        with writer or nullcontext():
            for new in stored:
                event, event_id, member_id = new.event, new.id, new.member_id
                result.event_ids.append(event_id)
                if not self.pipeline.handles(getattr(event, "kind")):  # noqa: B009
                    first_sighting.discard(member_id or 0)
                    continue
                context = self._context(event, groups, group_infos, new, book, first_sighting,
                                        snapshots)
                first_sighting.discard(member_id or 0)
                for action in self.pipeline.decide(event, context):
                    if isinstance(action, Command):
                        outbox.append(self._outbox_row(action, event, event_id, groups, members))
                        result.commands += 1
                    elif isinstance(action, _RECORDED):
                        self._apply(action, event, groups, members, member_id, book, profiles,
                                    orders)
                        result.state_changes += 1
                    elif isinstance(action, StateChange):
                        item = BatchItem(event, event_id, context.group, member_id)
                        if any(s.observe(action, item) for s in snapshots.values()):
                            result.state_changes += 1
        book.flush()
        profiles.flush(self.connection)
        orders.flush(self.connection)
        for snapshot in snapshots.values():
            snapshot.flush(self.connection)
        if outbox:
            self.connection.execute(insert(_OUTBOX), outbox)
        return result

    def _event_rows(
        self,
        events: list[EventBase],
        actor_keys: list[tuple[IdentityKey, ...]],
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
    ) -> tuple[list[tuple[Any, ...]], list[tuple[EventBase, int | None, int | None]]]:
        """The event rows to insert (EVENT_COLUMNS) and each event's group and member ids."""
        time_of = partial(bulk.db_time, self.connection)
        workspace_id, received_at = self.workspace_id, time_of(self.now)
        rows: list[tuple[Any, ...]] = []
        refs: list[tuple[EventBase, int | None, int | None]] = []
        for event, keys in zip(events, actor_keys, strict=True):
            platform = event.platform.value
            group = groups.get((platform, event.group_id)) if event.group_id else None
            group_id = group.id if group else None
            member_id = members.get(keys[0]) if keys else None
            refs.append((event, group_id, member_id))
            rows.append((
                workspace_id, event.source, event.external_id,
                event.kind, platform,  # type: ignore[attr-defined]
                time_of(event.occurred_at), received_at, group_id, member_id,
                event.payload_json(),
            ))
        return rows, refs

    def _group_info(
        self, event: EventBase, group_id: int | None, groups: dict[GroupKey, Any],
        group_infos: dict[int, GroupInfo],
    ) -> GroupInfo | None:
        if group_id is None or not event.group_id:
            return None
        group_info = group_infos.get(group_id)
        if group_info is None:
            stored = groups[(event.platform.value, event.group_id)]
            group_info = group_infos[group_id] = GroupInfo(
                id=group_id, platform=event.platform.value, external_id=event.group_id,
                name=stored.name, theme=stored.theme, status=stored.status,
                settings=stored.settings,
            )
        return group_info

    def _snapshots(
        self, stored: list[_NewEvent], groups: dict[GroupKey, Any],
        group_infos: dict[int, GroupInfo],
    ) -> dict[str, Any]:
        """The companions' per-batch snapshots (none registered: nothing to load)."""
        if not self.pipeline.companions:
            return {}
        items = [BatchItem(new.event, new.id,
                           self._group_info(new.event, new.group_id, groups, group_infos),
                           new.member_id) for new in stored]
        return self.pipeline.load(self.connection, self.workspace_id, items)

    def _context(
        self,
        event: EventBase,
        groups: dict[GroupKey, Any],
        group_infos: dict[int, GroupInfo],
        new: _NewEvent,
        book: effects.MembershipBook,
        first_sighting: set[int],
        snapshots: dict[str, Any],
    ) -> Context:
        group_id, member_id = new.group_id, new.member_id
        group_info = self._group_info(event, group_id, groups, group_infos)
        member_info = None
        if member_id is not None:
            role = book.role(group_id, member_id) if group_id is not None else None
            member_info = MemberInfo(
                id=member_id, display_name=event.user_name,
                role=MemberRole(role) if role else MemberRole.MEMBER,
                is_new=member_id in first_sighting,
            )
        return Context(workspace_id=self.workspace_id, now=self.now, group=group_info,
                       member=member_info, snapshots=snapshots)

    def _apply(
        self,
        change: Action,
        event: EventBase,
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
        member_id: int | None,
        book: effects.MembershipBook,
        profiles: effects.ProfileBook,
        orders: effects.OrderBook,
    ) -> None:
        platform = event.platform.value
        if isinstance(change, (MembershipStarted, MembershipEnded)):
            group = groups.get((platform, change.group_id))
            subject = members.get(platform_key(platform, change.user_id))
            if group is None or subject is None:
                return
            if isinstance(change, MembershipStarted):
                inviter = (members.get(platform_key(platform, change.invited_by))
                           if change.invited_by else None)
                book.start(group.id, subject, change.at, inviter)
            else:
                book.end(group.id, subject, change.at, change.removed)
        elif isinstance(change, ProfileChanged) and member_id is not None:
            profiles.change(member_id, change)
        elif isinstance(change, OrderBooked):
            orders.book(event.source, member_id, change, self.now)

    def _outbox_row(
        self,
        command: Command,
        event: EventBase,
        event_id: int,
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
    ) -> dict[str, Any]:
        platform = event.platform.value
        group = groups.get((platform, command.group_id)) if command.group_id else None
        member_id = (
            members.get(platform_key(platform, command.user_id)) if command.user_id else None
        )
        return {
            "workspace_id": self.workspace_id, "event_id": event_id,
            "group_id": group.id if group else None, "member_id": member_id,
            "kind": command.kind, "handler": command.handler,
            "payload": {"platform": platform, **command.payload()},
            "status": OutboxStatus.PENDING.value, "dry_run": False, "attempts": 0,
            "next_attempt_at": self.now, "created_at": self.now,
        }


@dataclass(slots=True)
class _NewEvent:
    """An event stored by this batch, with its id and resolved references."""

    id: int
    event: EventBase
    group_id: int | None
    member_id: int | None
