"""The intake service: the one door events come through.

For a batch of validated events, in one transaction: drop duplicates, resolve
groups and members, store the new events, run the engine on each, apply the
state changes it returns and write its commands to the outbox. Either all of
that is stored or none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from shequn.domain.actions import (
    Action,
    Command,
    MembershipEnded,
    MembershipStarted,
    OrderBooked,
    ProfileChanged,
)
from shequn.domain.enums import MemberRole, OutboxStatus
from shequn.domain.events import (
    EventBase,
    MemberJoined,
    MemberLeft,
    Order,
    ProfileUpdated,
    Referral,
)
from shequn.engine.context import Context, GroupInfo, MemberInfo
from shequn.engine.pipeline import Pipeline, default_pipeline
from shequn.intake import effects
from shequn.intake.resolve import (
    GroupKey,
    IdentityKey,
    Person,
    email_key,
    phone_key,
    platform_key,
    resolve_groups,
    resolve_members,
    union_key,
)
from shequn.store.models import EventRecord, OutboxAction
from shequn.store.sql import insert_ignore, table_of
from shequn.store.store import Store
from shequn.store.types import utcnow

_EVENTS = table_of(EventRecord)
_OUTBOX = table_of(OutboxAction)


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
        with self.store.transaction() as connection:
            return self.ingest_in(connection, workspace_id, events)

    def ingest_in(
        self, connection: Connection, workspace_id: int, events: Sequence[EventBase]
    ) -> IngestResult:
        """Like :meth:`ingest`, inside a transaction the caller owns."""
        return _Batch(connection, workspace_id, self.pipeline, self.clock()).run(events)


def _people_of(event: EventBase) -> list[Person]:
    """Everyone an event names: the actor (by all their ids) and referenced users."""
    people: list[Person] = []
    keys: list[IdentityKey] = []
    if event.user_id:
        keys.append(platform_key(event.platform.value, event.user_id))
    if isinstance(event, (Order, ProfileUpdated)):
        if event.phone:
            keys.append(phone_key(event.phone))
        if event.email:
            keys.append(email_key(event.email))
    if isinstance(event, ProfileUpdated) and event.union_id:
        keys.append(union_key(event.union_id))
    if keys:
        people.append(Person(tuple(keys), event.user_name, event.occurred_at))
    for other in _referenced_users(event):
        people.append(Person((platform_key(event.platform.value, other),), None, event.occurred_at))
    return people


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
        result = IngestResult(received=len(events))
        unique: dict[tuple[str, str], EventBase] = {}
        for event in events:
            unique.setdefault((event.source, event.external_id), event)

        group_names: dict[GroupKey, str | None] = {}
        people: list[Person] = []
        for event in unique.values():
            if event.group_id:
                key = (event.platform.value, event.group_id)
                if group_names.get(key) is None:
                    group_names[key] = event.group_name
            people.extend(_people_of(event))
        groups = resolve_groups(self.connection, self.workspace_id, group_names, self.now)
        members, created = resolve_members(self.connection, self.workspace_id, people)

        stored = self._store_events(list(unique.values()), groups, members)
        result.stored = len(stored)
        result.duplicates = result.received - result.stored
        if not stored:
            return result

        book = effects.MembershipBook(
            self.connection, self.workspace_id,
            [(new.group_id, new.member_id) for new in stored
             if new.group_id is not None and new.member_id is not None],
        )
        outbox: list[dict[str, Any]] = []
        last_seen: dict[int, datetime] = {}
        first_sighting = set(created)
        for new in stored:
            event, event_id, group_id, member_id = new.event, new.id, new.group_id, new.member_id
            result.event_ids.append(event_id)
            context = self._context(event, groups, group_id, member_id, book, first_sighting)
            first_sighting.discard(member_id or 0)
            for action in self.pipeline.decide(event, context):
                if isinstance(action, Command):
                    outbox.append(self._outbox_row(action, event, event_id, groups, members))
                    result.commands += 1
                else:
                    self._apply(action, event, groups, members, member_id, book)
                    result.state_changes += 1
            if member_id is not None and (
                member_id not in last_seen or last_seen[member_id] < event.occurred_at
            ):
                last_seen[member_id] = event.occurred_at
        book.flush()
        effects.touch_members(self.connection, last_seen)
        if outbox:
            self.connection.execute(insert(_OUTBOX), outbox)
        return result

    def _store_events(
        self,
        events: list[EventBase],
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
    ) -> list[_NewEvent]:
        rows = []
        for event in events:
            platform = event.platform.value
            group = groups.get((platform, event.group_id)) if event.group_id else None
            member_id = _actor_id(event, members)
            rows.append({
                "workspace_id": self.workspace_id, "source": event.source,
                "external_id": event.external_id, "kind": getattr(event, "kind"),  # noqa: B009
                "platform": platform, "occurred_at": event.occurred_at,
                "received_at": self.now, "group_id": group.id if group else None,
                "member_id": member_id, "payload": _stored_payload(event),
            })
        stmt = insert_ignore(self.connection, _EVENTS, "workspace_id", "source", "external_id")
        inserted = self.connection.execute(
            stmt.returning(_EVENTS.c.id, _EVENTS.c.source, _EVENTS.c.external_id), rows
        )
        ids = {(row.source, row.external_id): row.id for row in inserted}
        return [
            _NewEvent(event_id, event, row["group_id"], row["member_id"])
            for event, row in zip(events, rows, strict=True)
            if (event_id := ids.get((event.source, event.external_id))) is not None
        ]

    def _context(
        self,
        event: EventBase,
        groups: dict[GroupKey, Any],
        group_id: int | None,
        member_id: int | None,
        book: effects.MembershipBook,
        first_sighting: set[int],
    ) -> Context:
        group_info = None
        if group_id is not None and event.group_id:
            stored = groups[(event.platform.value, event.group_id)]
            group_info = GroupInfo(
                id=group_id, platform=event.platform.value, external_id=event.group_id,
                name=stored.name, theme=stored.theme, status=stored.status,
                settings=stored.settings,
            )
        member_info = None
        if member_id is not None:
            role = book.role(group_id, member_id) if group_id is not None else None
            member_info = MemberInfo(
                id=member_id, display_name=event.user_name,
                role=MemberRole(role) if role else MemberRole.MEMBER,
                is_new=member_id in first_sighting,
            )
        return Context(workspace_id=self.workspace_id, now=self.now, group=group_info,
                       member=member_info)

    def _apply(
        self,
        change: Action,
        event: EventBase,
        groups: dict[GroupKey, Any],
        members: dict[IdentityKey, int],
        member_id: int | None,
        book: effects.MembershipBook,
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
            effects.apply_profile(self.connection, member_id, change)
        elif isinstance(change, OrderBooked):
            effects.apply_order(self.connection, self.workspace_id, event.source, member_id,
                                change, self.now)

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


def _actor_id(event: EventBase, members: dict[IdentityKey, int]) -> int | None:
    if event.user_id:
        return members.get(platform_key(event.platform.value, event.user_id))
    if isinstance(event, (Order, ProfileUpdated)):
        for key in (
            phone_key(event.phone) if event.phone else None,
            email_key(event.email) if event.email else None,
        ):
            if key is not None and key in members:
                return members[key]
    return None


def _stored_payload(event: EventBase) -> dict[str, Any]:
    payload = event.payload()
    for name in ("group_id", "group_name", "user_id", "user_name"):
        value = getattr(event, name)
        if value is not None:
            payload["_" + name] = value
    return payload


@dataclass(slots=True)
class _NewEvent:
    """An event stored by this batch, with its id and resolved references."""

    id: int
    event: EventBase
    group_id: int | None
    member_id: int | None
