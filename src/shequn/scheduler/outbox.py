"""Outbox rows for what the scheduler decides, shaped exactly like intake's.

The scheduler has no triggering event: its commands are stored with ``event_id`` NULL
and the stored ids of the group and member they concern, in the same transaction as
the job, slot or counter that proves they were decided once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from shequn.domain.actions import Command
from shequn.domain.enums import OutboxStatus
from shequn.store.models import OutboxAction
from shequn.store.sql import table_of

_OUTBOX = table_of(OutboxAction)


@dataclass(frozen=True, slots=True)
class GroupRef:
    """The group a scheduled command goes to."""

    id: int
    platform: str
    external_id: str


def outbox_row(workspace_id: int, group: GroupRef | None, command: Command, *,
               member_id: int | None, handler: str, now: datetime,
               platform: str | None = None) -> dict[str, Any]:
    """One pending outbox row for ``command``."""
    command = command if command.handler else command.model_copy(update={"handler": handler})
    return {
        "workspace_id": workspace_id, "event_id": None,
        "group_id": group.id if group else None, "member_id": member_id,
        "kind": command.kind, "handler": command.handler,
        "payload": {"platform": group.platform if group else platform, **command.payload()},
        "status": OutboxStatus.PENDING.value, "dry_run": False, "attempts": 0,
        "next_attempt_at": now, "created_at": now,
    }


def write_outbox(connection: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert the rows (in one statement); returns how many."""
    if rows:
        connection.execute(insert(_OUTBOX), rows)
    return len(rows)
