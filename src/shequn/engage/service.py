"""Reading and changing a group's engagement configuration (behind the API and CLI).

Saving a configuration validates it, bumps its version, and writes the version into the
group's ``settings["engage"]``, which intake already reads with every batch: the next
batch loads the new configuration, and groups without one cost intake nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shequn.engage.companion import SETTINGS_KEY
from shequn.engage.config import EngageConfig
from shequn.errors import InputError, NotFound
from shequn.store.models import AuditLog, EngageConfigRecord, Group
from shequn.store.types import utcnow


def validation_message(exc: ValidationError, prefix: str = "") -> str:
    """The first problem of a validation error as ``field: problem``."""
    error = exc.errors()[0]
    where = ".".join(str(p) for p in (prefix, *error["loc"]) if p != "")
    return f"{where or '(config)'}: {error['msg']}"


def parse_config(doc: dict[str, Any]) -> EngageConfig:
    """Validate a configuration document; InputError names the bad field."""
    try:
        return EngageConfig.model_validate(doc)
    except ValidationError as exc:
        raise InputError(f"invalid engagement config: {validation_message(exc)}") from exc


def find_group(session: Session, *, workspace_id: int, ref: str | int) -> Group:
    """A group by stored id, or by ``platform:external_id`` / bare external id."""
    query = select(Group).where(Group.workspace_id == workspace_id)
    if isinstance(ref, int) or ref.isdigit():
        group = session.scalar(query.where(Group.id == int(ref)))
        if group is not None:
            return group
    ref = str(ref)
    platform, _, external = ref.partition(":") if ":" in ref else ("", "", ref)
    if platform:
        query = query.where(Group.platform == platform)
    groups = session.scalars(query.where(Group.external_id == external)).all()
    if len(groups) != 1:
        problem = "no" if not groups else "more than one (name it as platform:id)"
        raise NotFound(f"{problem} group {ref!r} in this workspace")
    return groups[0]


def get_config(session: Session, *, workspace_id: int, group_id: int) -> tuple[EngageConfig, int]:
    """The group's configuration and version (defaults, version 0, when none is saved)."""
    find_group(session, workspace_id=workspace_id, ref=group_id)
    record = session.get(EngageConfigRecord, group_id)
    if record is None:
        return EngageConfig(), 0
    return EngageConfig.model_validate(record.doc), record.version


def set_config(session: Session, *, workspace_id: int, group_id: int, doc: dict[str, Any],
               actor: str) -> tuple[EngageConfig, int]:
    """Validate and save a group's configuration; returns it with its new version."""
    config = parse_config(doc)
    group = find_group(session, workspace_id=workspace_id, ref=group_id)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        session.refresh(group, with_for_update=True)
    record = session.get(EngageConfigRecord, group.id)
    now = utcnow()
    stored = config.model_dump(mode="json", exclude_defaults=True)
    if record is None:
        record = EngageConfigRecord(group_id=group.id, workspace_id=workspace_id, doc=stored,
                                    version=1, updated_at=now, updated_by=actor)
        session.add(record)
    else:
        record.doc, record.version = stored, record.version + 1
        record.updated_at, record.updated_by = now, actor
    group.settings = {**(group.settings or {}), SETTINGS_KEY: record.version}
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="engage.config",
                         target=f"group:{group.id}",
                         details={"version": record.version, "config": stored}))
    session.flush()
    return config, record.version


def clear_config(session: Session, *, workspace_id: int, group_id: int, actor: str) -> None:
    """Remove a group's configuration: it goes back to no engagement at all."""
    group = find_group(session, workspace_id=workspace_id, ref=group_id)
    record = session.get(EngageConfigRecord, group.id)
    if record is not None:
        session.delete(record)
    group.settings = {k: v for k, v in (group.settings or {}).items() if k != SETTINGS_KEY}
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="engage.clear",
                         target=f"group:{group.id}", details={}))
