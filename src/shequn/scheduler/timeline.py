"""Running the content timeline: every slot of every group posted exactly once.

Each group following a timeline has a cursor: ``checked_until`` (every slot up to it is
settled) and ``next_due_at``. A run takes the due cursors (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two schedulers split the groups), computes the slots in
``(checked_until, now]``, records each in ``timeline_slot`` — unique per group and slot
name, ``ON CONFLICT DO NOTHING`` — and writes outbox posts only for the slots it
recorded, then moves the cursor, all in one transaction. A restart recomputes the same
slot names from the same cursor: nothing is missed and nothing is sent twice.

A slot found more than ``grace`` late (the scheduler was down) is recorded as
``skipped_late`` rather than posting a morning greeting at noon; one over the group's
daily cap is ``skipped_fatigue``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, column, select, update, values

from shequn.domain.actions import Post
from shequn.engage.fatigue import group_day_key, under_cap
from shequn.engage.snapshot import GroupEngage
from shequn.engage.templates import bilingual, render
from shequn.engage.writes import bump, read_counters
from shequn.scheduler.groups import ScheduledGroup, load_groups, workspace_defaults
from shequn.scheduler.outbox import outbox_row, write_outbox
from shequn.scheduler.rules import Rule, Slot, next_due, slots_between
from shequn.store.models import ContentItem, Timeline, TimelineCursor, TimelineSlot
from shequn.store.sql import insert_ignore, table_of
from shequn.store.types import UTCDateTime

_CURSORS = table_of(TimelineCursor)
_SLOTS = table_of(TimelineSlot)
_TIMELINES = table_of(Timeline)
_CONTENT = table_of(ContentItem)

WEEKDAY_NAMES = (("星期一", "Monday"), ("星期二", "Tuesday"), ("星期三", "Wednesday"),
                 ("星期四", "Thursday"), ("星期五", "Friday"), ("星期六", "Saturday"),
                 ("星期日", "Sunday"))
Content = Mapping[tuple[int, str], tuple[str | None, str | None]]
"""(workspace id, content key) → (Chinese body, English body)."""


@dataclass(slots=True)
class TimelineStats:
    """What a run did."""

    groups: int = 0
    sent: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def compose(engage: GroupEngage, slot: Slot, content: Content, workspace_id: int,
            variables: Mapping[str, str]) -> str:
    """The text of a slot's post, in the group's language(s), placeholders filled."""
    rule = slot.rule
    zh, en = content.get((workspace_id, rule.content), (None, None)) if rule.content else (
        rule.text_zh, rule.text_en)
    zh, en = zh or rule.text_zh, en or rule.text_en
    weekday = WEEKDAY_NAMES[slot.local_day.weekday()]
    values = {**variables, **engage.config.variables, "group": engage.name,
              "positioning": engage.positioning, "date": slot.local_day.isoformat(),
              "day": str(slot.day_index)}
    text_zh = render(zh or en or "", {**values, "weekday": weekday[0]})
    text_en = render(en or zh or "", {**values, "weekday": weekday[1]})
    return bilingual(text_zh, text_en, engage.config.language).strip()


def load_rules(connection: Connection, timeline_ids: Sequence[int]) -> dict[int, list[Rule]]:
    """Rules of some timelines."""
    rows = connection.execute(select(_TIMELINES.c.id, _TIMELINES.c.rules)
                              .where(_TIMELINES.c.id.in_(list(timeline_ids))))
    return {tid: [Rule.model_validate(r) for r in rules or ()] for tid, rules in rows}


def load_content(connection: Connection, keys: set[tuple[int, str]]) -> dict[
        tuple[int, str], tuple[str | None, str | None]]:
    """Library bodies for (workspace, key) pairs."""
    if not keys:
        return {}
    rows = connection.execute(select(_CONTENT.c.workspace_id, _CONTENT.c.key,
                                     _CONTENT.c.body_zh, _CONTENT.c.body_en)
                              .where(_CONTENT.c.key.in_({k for _, k in keys})))
    return {(w, k): (zh, en) for w, k, zh, en in rows if (w, k) in keys}


class TimelineRunner:
    """Works through due timeline cursors (see the module docstring)."""

    def __init__(self, *, grace: timedelta = timedelta(hours=2), chunk: int = 500) -> None:
        self.grace = grace
        self.chunk = chunk

    def run_due(self, connection: Connection, now: datetime,
                workspace_id: int | None = None) -> TimelineStats:
        """Settle up to ``chunk`` due cursors (one workspace's, or all) in this transaction."""
        query = (select(_CURSORS.c.group_id, _CURSORS.c.timeline_id, _CURSORS.c.checked_until)
                 .where(_CURSORS.c.next_due_at <= now, _CURSORS.c.timeline_id.is_not(None))
                 .order_by(_CURSORS.c.next_due_at, _CURSORS.c.group_id).limit(self.chunk))
        if workspace_id is not None:
            query = query.where(_CURSORS.c.workspace_id == workspace_id)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        cursors = connection.execute(query).all()
        stats = TimelineStats(groups=len(cursors))
        if not cursors:
            return stats
        groups = load_groups(connection, [c.group_id for c in cursors])
        rules = load_rules(connection, sorted({c.timeline_id for c in cursors}))
        # Groups sharing a timeline, time zone and start day share their slots: compute once.
        plans: list[tuple[ScheduledGroup, list[Slot]]] = []
        known: dict[tuple[Any, ...], list[Slot]] = {}
        upcoming: dict[tuple[Any, ...], datetime | None] = {}
        moves: list[dict[str, Any]] = []
        for cursor in cursors:
            group = groups.get(cursor.group_id)
            if group is None:
                continue
            zone = group.engage.config.zone
            shape = (cursor.timeline_id, zone.key, group.created_at.astimezone(zone).date())
            window = (*shape, cursor.checked_until)
            if window not in known:
                known[window] = slots_between(
                    rules.get(cursor.timeline_id, []), created=group.created_at, zone=zone,
                    after=cursor.checked_until, until=now)
            if shape not in upcoming:
                upcoming[shape] = next_due(rules.get(cursor.timeline_id, []),
                                           created=group.created_at, zone=zone, after=now)
            plans.append((group, known[window]))
            moves.append({"g": group.ref.id, "checked": now, "next": upcoming[shape]})
        self._settle(connection, plans, now, stats)
        if moves:
            self._move(connection, moves)
        return stats

    @staticmethod
    def _move(connection: Connection, moves: list[dict[str, Any]]) -> None:
        """Advance the cursors: one ``UPDATE … FROM (VALUES …)`` on PostgreSQL, where a
        round trip per row would dominate; an in-process executemany on SQLite."""
        if connection.dialect.name != "postgresql":
            connection.execute(
                update(_CURSORS).where(_CURSORS.c.group_id == bindparam("g"))
                .values(checked_until=bindparam("checked"), next_due_at=bindparam("next")),
                moves)
            return
        moved = values(column("g", Integer), column("checked", UTCDateTime()),
                       column("next", UTCDateTime()), name="moved").data(
            [(m["g"], m["checked"], m["next"]) for m in moves])
        connection.execute(update(_CURSORS).where(_CURSORS.c.group_id == moved.c.g)
                           .values(checked_until=moved.c.checked, next_due_at=moved.c.next))

    def _settle(self, connection: Connection, plans: list[tuple[ScheduledGroup, list[Slot]]],
                now: datetime, stats: TimelineStats) -> None:
        keys = {(g.workspace_id, s.rule.content) for g, slots in plans for s in slots
                if s.rule.content}
        content = load_content(connection, keys)
        variables = {w: workspace_defaults(connection, w)[1] for w in {g.workspace_id
                                                                       for g, _ in plans}}
        day_keys = {group_day_key(g.ref.id, s.local_day) for g, slots in plans for s in slots}
        counts = Counter(read_counters(connection, sorted(day_keys)))
        rows: list[dict[str, Any]] = []
        posts: dict[tuple[int, str], tuple[ScheduledGroup, str, str]] = {}
        for group, slots in plans:
            for slot in slots:
                day = group_day_key(group.ref.id, slot.local_day)
                text = compose(group.engage, slot, content, group.workspace_id,
                               variables[group.workspace_id])
                if now - slot.due > self.grace:
                    status = "skipped_late"
                elif not text:
                    status = "skipped_empty"
                elif not under_cap(counts[day], group.engage.config.fatigue.group_per_day):
                    status = "skipped_fatigue"
                else:
                    status = "sent"
                    counts[day] += 1
                    posts[(group.ref.id, slot.key)] = (group, text, day)
                rows.append({"workspace_id": group.workspace_id, "group_id": group.ref.id,
                             "slot_key": slot.key, "due_at": slot.due, "status": status,
                             "created_at": now})
        if not rows:
            return
        stmt = insert_ignore(connection, _SLOTS, "group_id", "slot_key").returning(
            _SLOTS.c.group_id, _SLOTS.c.slot_key, _SLOTS.c.status)
        recorded = connection.execute(stmt, rows).all()
        outbox, bumps = [], Counter[str]()
        for group_id, slot_key, status in recorded:
            if status != "sent":
                stats.skipped[status] += 1
                continue
            group, text, day = posts[(group_id, slot_key)]
            outbox.append(outbox_row(group.workspace_id, group.ref, Post(
                group_id=group.ref.external_id, text=text, reason=f"timeline {slot_key}",
                handler="timeline"),
                member_id=None, handler="timeline", now=now))
            bumps[day] += 1
        stats.sent += write_outbox(connection, outbox)
        by_workspace: dict[int, dict[str, int]] = {}
        for group, _, day in posts.values():
            if day in bumps:
                by_workspace.setdefault(group.workspace_id, {})[day] = bumps[day]
        for workspace_id, counted in by_workspace.items():
            bump(connection, workspace_id, counted, now)
