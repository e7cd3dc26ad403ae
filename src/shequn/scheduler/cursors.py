"""Which timeline each group follows, kept in ``timeline_cursor``.

A group follows the timeline its engagement config names, else the timeline that is
the default of its theme, else none. :func:`sync_cursors` compares that with the stored
cursors and writes only the differences: new cursors start *now* (past slots of a
newly assigned timeline are not back-filled), changed ones keep ``checked_until`` so no
slot is settled twice, and ``next_due_at`` is recomputed wherever rules may have moved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, func, select, update

from shequn.scheduler.groups import DEFAULT_TIMEZONE
from shequn.scheduler.rules import Rule, next_due
from shequn.store.models import (
    EngageConfigRecord,
    EngageWorkspace,
    Group,
    Timeline,
    TimelineCursor,
)
from shequn.store.sql import insert_ignore, table_of

_CURSORS = table_of(TimelineCursor)
_GROUPS = table_of(Group)
_CONFIGS = table_of(EngageConfigRecord)
_TIMELINES = table_of(Timeline)
_WORKSPACES = table_of(EngageWorkspace)


def fingerprint(connection: Connection) -> tuple[Any, ...]:
    """Changes whenever a timeline, a group config or the set of groups changes."""
    timelines = connection.execute(select(func.count(), func.coalesce(
        func.sum(_TIMELINES.c.revision), 0), func.max(_TIMELINES.c.updated_at))).one()
    configs = connection.execute(select(func.count(), func.coalesce(
        func.sum(_CONFIGS.c.version), 0), func.max(_CONFIGS.c.updated_at))).one()
    groups = connection.execute(select(func.count(), func.max(_GROUPS.c.id))).one()
    return (*timelines, *configs, *groups)


def sync_cursors(connection: Connection, now: datetime,
                 workspace_id: int | None = None) -> int:
    """Bring cursors in line with configs and themes; returns how many rows changed."""
    timelines: dict[tuple[int, str], tuple[int, list[Rule]]] = {}
    by_theme: dict[tuple[int, str], int] = {}
    rules_of: dict[int, list[Rule]] = {}
    query = select(_TIMELINES.c.id, _TIMELINES.c.workspace_id, _TIMELINES.c.name,
                   _TIMELINES.c.theme, _TIMELINES.c.rules)
    if workspace_id is not None:
        query = query.where(_TIMELINES.c.workspace_id == workspace_id)
    for tid, wid, name, theme, rules in connection.execute(query):
        rules_of[tid] = [Rule.model_validate(r) for r in rules or ()]
        timelines[(wid, name)] = (tid, rules_of[tid])
        if theme:
            by_theme[(wid, theme)] = tid
    zones = {wid: str((doc or {}).get("timezone") or DEFAULT_TIMEZONE)
             for wid, doc in connection.execute(select(_WORKSPACES.c.workspace_id,
                                                       _WORKSPACES.c.doc))}
    groups = select(_GROUPS.c.id, _GROUPS.c.workspace_id, _GROUPS.c.theme,
                    _GROUPS.c.created_at, _CONFIGS.c.doc).select_from(
        _GROUPS.outerjoin(_CONFIGS, _CONFIGS.c.group_id == _GROUPS.c.id))
    if workspace_id is not None:
        groups = groups.where(_GROUPS.c.workspace_id == workspace_id)
    existing = {row.group_id: row for row in connection.execute(
        select(_CURSORS).where(_CURSORS.c.workspace_id == workspace_id)
        if workspace_id is not None else select(_CURSORS))}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for gid, wid, theme, created, doc in connection.execute(groups):
        doc = doc or {}
        named = doc.get("timeline")
        if named:
            wanted = timelines.get((wid, named), (None, []))[0]
        else:
            wanted = by_theme.get((wid, theme)) if theme else None
        zone = ZoneInfo(doc.get("timezone") or zones.get(wid, DEFAULT_TIMEZONE))
        cursor = existing.get(gid)
        if cursor is None:
            if wanted is None:
                continue
            inserts.append({"group_id": gid, "workspace_id": wid, "timeline_id": wanted,
                            "checked_until": now, "next_due_at": next_due(
                                rules_of[wanted], created=created, zone=zone, after=now)})
            continue
        due = (next_due(rules_of[wanted], created=created, zone=zone,
                        after=cursor.checked_until) if wanted is not None else None)
        if cursor.timeline_id != wanted or cursor.next_due_at != due:
            updates.append({"g": gid, "t": wanted, "d": due})
    if inserts:
        # Another scheduler may be syncing the same new groups right now.
        connection.execute(insert_ignore(connection, _CURSORS, "group_id"), inserts)
    if updates:
        connection.execute(update(_CURSORS).where(_CURSORS.c.group_id == bindparam("g"))
                           .values(timeline_id=bindparam("t"), next_due_at=bindparam("d")),
                           updates)
    return len(inserts) + len(updates)
