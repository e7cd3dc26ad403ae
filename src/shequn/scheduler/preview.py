"""What every group will receive from its timeline in the coming days (``timeline preview``).

Computed from the same rules, time zones and texts the scheduler uses, without writing
anything. Posts beyond a group's daily cap are marked as the scheduler would skip them
(counting timeline posts only: FAQ answers and welcomes of the day are not known yet).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from shequn.scheduler.groups import load_groups, workspace_defaults
from shequn.scheduler.rules import Rule, slots_between
from shequn.scheduler.timeline import compose, load_content
from shequn.store.models import Group, Timeline
from shequn.store.sql import table_of

_GROUPS = table_of(Group)
_TIMELINES = table_of(Timeline)
MAX_DAYS = 62


@dataclass(frozen=True, slots=True)
class PreviewItem:
    """One planned post."""

    group_id: int
    group: str
    timeline: str
    rule: str
    local_time: datetime
    due: datetime
    text: str
    skipped: str | None
    """Why the scheduler would skip it, if it would."""


def preview(connection: Connection, *, workspace_id: int, start: datetime, days: int,
            group_ids: Sequence[int] | None = None) -> list[PreviewItem]:
    """Planned timeline posts of the workspace's groups in ``(start, start + days]``."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    timelines: dict[str, tuple[str, list[Rule]]] = {}
    by_theme: dict[str, str] = {}
    for name, theme, rules in connection.execute(
            select(_TIMELINES.c.name, _TIMELINES.c.theme, _TIMELINES.c.rules)
            .where(_TIMELINES.c.workspace_id == workspace_id)):
        timelines[name] = (name, [Rule.model_validate(r) for r in rules or ()])
        if theme:
            by_theme[theme] = name
    query = select(_GROUPS.c.id).where(_GROUPS.c.workspace_id == workspace_id)
    if group_ids is not None:
        query = query.where(_GROUPS.c.id.in_(list(group_ids)))
    groups = load_groups(connection, list(connection.scalars(query)))
    end = start + timedelta(days=days)
    planned = []
    for group in sorted(groups.values(), key=lambda g: g.ref.id):
        name = group.engage.config.timeline or by_theme.get(group.theme or "")
        if name is None or name not in timelines:
            continue
        for slot in slots_between(timelines[name][1], created=group.created_at,
                                  zone=group.engage.config.zone, after=start, until=end):
            planned.append((group, name, slot))
    content = load_content(connection, {(workspace_id, s.rule.content) for _, _, s in planned
                                        if s.rule.content})
    variables = workspace_defaults(connection, workspace_id)[1]
    per_day: Counter[tuple[int, str]] = Counter()
    items = []
    for group, name, slot in planned:
        key = (group.ref.id, slot.local_day.isoformat())
        per_day[key] += 1
        over = per_day[key] > group.engage.config.fatigue.group_per_day
        items.append(PreviewItem(
            group.ref.id, group.engage.name, name, slot.rule.id,
            slot.due.astimezone(group.engage.config.zone), slot.due,
            compose(group.engage, slot, content, workspace_id, variables),
            "over the daily cap" if over else None))
    return items
