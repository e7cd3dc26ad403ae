"""Stored rulebooks and classifiers: the workspace default, group overrides, the trained model.

A group's override is a *partial* rulebook: its keys replace the workspace
default's, recursively for tables (``ladder``, ``links`` …), so a group changes
one threshold without copying the rest. Every save bumps a version; the
companion rebuilds a guard only when a version it cached changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, insert, select, update

from shequn.domain.actions import Command
from shequn.domain.enums import OutboxStatus
from shequn.engage.files import field_path
from shequn.errors import InputError, NotFound
from shequn.moderation.classifier.default import default_model
from shequn.moderation.classifier.model import SpamModel
from shequn.moderation.rulebook import Rulebook
from shequn.store.models import AuditLog, Group, ModerationModel, ModerationRulebook
from shequn.store.sql import table_of

_RB = table_of(ModerationRulebook)
_MODEL = table_of(ModerationModel)
DEFAULT_SCOPE = "default"


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``; nested tables merge, anything else replaces."""
    out = dict(base)
    for key, value in override.items():
        current = out.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            out[key] = merge(current, value)
        else:
            out[key] = value
    return out


def parse_rulebook(doc: Mapping[str, Any], *, where: str = "rulebook") -> Rulebook:
    """Validate a rulebook document; the error names the first bad field."""
    try:
        return Rulebook.model_validate(dict(doc))
    except ValidationError as exc:
        first = exc.errors()[0]
        path = field_path([p for p in first["loc"] if isinstance(p, int | str)]) or "(root)"
        raise InputError(f"{where}: field '{path}': {first['msg']}") from exc


def scope_of(group_id: int | None) -> str:
    """The ``scope`` column value for the workspace default or a group."""
    return DEFAULT_SCOPE if group_id is None else str(group_id)


def group_pk(connection: Connection, workspace_id: int, ref: str) -> int:
    """A group's id from its id or platform id (``-100123``); NotFound names the reference."""
    query = select(Group.id).where(Group.workspace_id == workspace_id)
    found = None
    if ref.isdigit():
        found = connection.execute(query.where(Group.id == int(ref))).scalar()
    if found is None:
        found = connection.execute(query.where(Group.external_id == ref)).scalar()
    if found is None:
        raise NotFound(f"no group {ref!r} in this workspace / 找不到群 {ref}")
    return int(found)


def stored_doc(connection: Connection, workspace_id: int,
               group_id: int | None) -> tuple[dict[str, Any], int]:
    """The stored document and version of one scope (``({}, 0)`` when none is stored)."""
    row = connection.execute(select(_RB.c.doc, _RB.c.version).where(
        _RB.c.workspace_id == workspace_id, _RB.c.scope == scope_of(group_id))).first()
    return (dict(row.doc or {}), int(row.version)) if row else ({}, 0)


def effective(connection: Connection, workspace_id: int, group_id: int | None) -> Rulebook:
    """The rulebook that applies: the group's override over the workspace default."""
    base, _ = stored_doc(connection, workspace_id, None)
    if group_id is None:
        return parse_rulebook(base)
    own, _ = stored_doc(connection, workspace_id, group_id)
    return parse_rulebook(merge(base, own))


def save_rulebook(connection: Connection, *, workspace_id: int, group_id: int | None,
                  doc: Mapping[str, Any], actor: str, now: datetime) -> int:
    """Validate and store a scope's document (audited); returns the new version."""
    if group_id is None:
        parse_rulebook(doc)
    else:
        base, _ = stored_doc(connection, workspace_id, None)
        parse_rulebook(merge(base, doc))
    _, version = stored_doc(connection, workspace_id, group_id)
    values = {"doc": dict(doc), "version": version + 1, "updated_at": now, "updated_by": actor}
    if version:
        connection.execute(update(_RB).where(_RB.c.workspace_id == workspace_id,
                                             _RB.c.scope == scope_of(group_id)).values(**values))
    else:
        connection.execute(insert(_RB).values(workspace_id=workspace_id, group_id=group_id,
                                              scope=scope_of(group_id), **values))
    audit(connection, workspace_id, actor, "moderation.rulebook.set", scope_of(group_id),
          {"version": version + 1}, now)
    return version + 1


def audit(connection: Connection, workspace_id: int, actor: str, action: str, target: str,
          details: dict[str, Any], now: datetime) -> None:
    """One audit-log row, in the caller's transaction."""
    connection.execute(insert(table_of(AuditLog)).values(
        workspace_id=workspace_id, actor=actor, action=action, target=target, details=details,
        created_at=now))


def command_row(workspace_id: int, *, event_id: int | None, group_pk: int | None,
                member_pk: int | None, platform: str, command: Command,
                now: datetime) -> dict[str, Any]:
    """An outbox row for a moderation command (pending, for the worker to carry out)."""
    return {"workspace_id": workspace_id, "event_id": event_id, "group_id": group_pk,
            "member_id": member_pk, "kind": command.kind, "handler": "moderation",
            "payload": {"platform": platform, **command.payload()},
            "status": OutboxStatus.PENDING.value, "dry_run": False, "attempts": 0,
            "next_attempt_at": now, "created_at": now}


def model_version(connection: Connection, workspace_id: int) -> int:
    """Version of the workspace's stored model (0: none, the default model applies)."""
    found = connection.execute(select(_MODEL.c.version)
                               .where(_MODEL.c.workspace_id == workspace_id)).scalar()
    return int(found or 0)


def load_model(connection: Connection, workspace_id: int) -> SpamModel:
    """The workspace's trained model, or a fresh copy of the default one."""
    data = connection.execute(select(_MODEL.c.data)
                              .where(_MODEL.c.workspace_id == workspace_id)).scalar()
    if data is None:
        return default_model()
    return SpamModel.from_bytes(bytes(data))


def save_model(connection: Connection, workspace_id: int, model: SpamModel,
               now: datetime) -> int:
    """Store the model's bytes as the workspace's next version; returns it."""
    version = model_version(connection, workspace_id)
    meta = {k: v for k, v in model.summary().items() if isinstance(v, int | float | str | bool)}
    values = {"data": model.to_bytes(), "version": version + 1, "meta": meta,
              "updated_at": now}
    if version:
        connection.execute(update(_MODEL).where(_MODEL.c.workspace_id == workspace_id)
                           .values(**values))
    else:
        connection.execute(insert(_MODEL).values(workspace_id=workspace_id, **values))
    return version + 1


def require_group(connection: Connection, workspace_id: int, group_id: int) -> None:
    """NotFound unless the group belongs to the workspace."""
    found = connection.execute(select(Group.id).where(Group.id == group_id,
                                                      Group.workspace_id == workspace_id))
    if found.first() is None:
        raise NotFound(f"no group {group_id} in this workspace / 找不到群 {group_id}")
