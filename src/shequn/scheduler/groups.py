"""What the scheduler needs to know about groups: platform ids, config, time zone, names.

Groups without an engagement configuration still follow their theme's default timeline;
they get the default configuration (time zone from the workspace, else Asia/Shanghai).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, select

from shequn.engage.config import EngageConfig
from shequn.engage.snapshot import GroupEngage
from shequn.scheduler.outbox import GroupRef
from shequn.store.models import EngageConfigRecord, EngageWorkspace, Group
from shequn.store.sql import table_of

DEFAULT_TIMEZONE = "Asia/Shanghai"

_GROUPS = table_of(Group)
_CONFIGS = table_of(EngageConfigRecord)


@dataclass(frozen=True, slots=True)
class ScheduledGroup:
    """A group as the scheduler sees it."""

    ref: GroupRef
    engage: GroupEngage
    workspace_id: int
    created_at: datetime
    theme: str | None


def workspace_defaults(connection: Connection, workspace_id: int) -> tuple[str, dict[str, str]]:
    """The workspace's default time zone and shared variables."""
    doc = connection.scalar(select(EngageWorkspace.doc).where(
        EngageWorkspace.workspace_id == workspace_id)) or {}
    return str(doc.get("timezone") or DEFAULT_TIMEZONE), dict(doc.get("variables", {}))


@lru_cache(maxsize=64)
def default_config(timezone: str) -> EngageConfig:
    """The default configuration in a time zone (shared: configs are immutable)."""
    return EngageConfig(timezone=timezone)


@lru_cache(maxsize=4096)
def _parsed(group_id: int, version: int, doc_json: str) -> EngageConfig:
    return EngageConfig.model_validate_json(doc_json)


def load_groups(connection: Connection, group_ids: Collection[int],
                zones: dict[int, str] | None = None) -> dict[int, ScheduledGroup]:
    """Groups by id with their engagement config (the default config when none is saved)."""
    if not group_ids:
        return {}
    rows = connection.execute(
        select(_GROUPS.c.id, _GROUPS.c.workspace_id, _GROUPS.c.platform, _GROUPS.c.external_id,
               _GROUPS.c.name, _GROUPS.c.positioning, _GROUPS.c.theme, _GROUPS.c.created_at,
               _CONFIGS.c.doc, _CONFIGS.c.version)
        .select_from(_GROUPS.outerjoin(_CONFIGS, _CONFIGS.c.group_id == _GROUPS.c.id))
        .where(_GROUPS.c.id.in_(list(group_ids))))
    zones = zones if zones is not None else {}
    found: dict[int, ScheduledGroup] = {}
    for row in rows:
        if row.doc is not None:
            config = _parsed(row.id, row.version, json.dumps(row.doc, sort_keys=True))
        else:
            if row.workspace_id not in zones:
                zones[row.workspace_id] = workspace_defaults(connection, row.workspace_id)[0]
            config = default_config(zones[row.workspace_id])
        ref = GroupRef(row.id, row.platform, row.external_id)
        engage = GroupEngage(row.id, config, row.version or 0, row.name, row.positioning or "",
                             row.external_id, row.platform)
        found[row.id] = ScheduledGroup(ref, engage, row.workspace_id, row.created_at, row.theme)
    return found
