"""Writing logged verdicts and what follows from them, in the caller's transaction.

Intake writes a batch's verdicts through here (:mod:`shequn.moderation.companion`),
and so does the scheduled nickname check (:mod:`shequn.moderation.grace`), which
has no triggering event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from shequn.domain.enums import OutboxStatus
from shequn.moderation.changes import ModerationLogged
from shequn.store.models import (
    ModerationBlock,
    ModerationReview,
    ModerationVerdict,
    ModerationViolation,
    OutboxAction,
)
from shequn.store.sql import insert_ignore, table_of
from shequn.store.types import utcnow

NAME = "moderation"
_VERDICT = table_of(ModerationVerdict)
_VIOLATION = table_of(ModerationViolation)
_BLOCK = table_of(ModerationBlock)
_REVIEW = table_of(ModerationReview)
_OUTBOX = table_of(OutboxAction)


def write_logged(connection: Connection, workspace_id: int,
                 logged: Sequence[tuple[ModerationLogged, int | None]]) -> list[int]:
    """Write verdicts, then violations, reviews, blocklist rows and dry-run commands.

    ``logged`` pairs each verdict with the id of the event that caused it (None
    for a scheduled check). Returns the verdict ids, in order.
    """
    if not logged:
        return []
    now = utcnow()
    ws = workspace_id
    rows = [{
        "workspace_id": ws, "event_id": event_id, "group_id": c.group_pk,
        "member_id": c.member_pk, "platform": c.platform, "user_ref": c.user_ref,
        "group_ref": c.group_ref, "message_ref": c.message_ref, "event_kind": c.event_kind,
        "outcome": c.outcome, "rule": c.rule, "evidence": c.evidence, "score": c.score,
        "step": c.step, "mute_seconds": c.mute_seconds, "commands": {"sent": c.commands},
        "dry_run": c.dry_run, "status": "standing", "text": c.text, "occurred_at": c.at,
        "created_at": now,
    } for c, event_id in logged]
    ids = list(connection.execute(
        insert(_VERDICT).returning(_VERDICT.c.id, sort_by_parameter_order=True), rows
    ).scalars().all())
    violations: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for (change, event_id), verdict_id in zip(logged, ids, strict=True):
        if change.violation and change.member_pk is not None:
            violations.append({"workspace_id": ws, "member_id": change.member_pk,
                               "verdict_id": verdict_id, "rule": change.rule,
                               "at": change.at})
        if change.review:
            reviews.append({"workspace_id": ws, "verdict_id": verdict_id, "kind": "review",
                            "status": "pending", "note": "", "created_at": now})
        if change.blocklist and change.member_pk is not None:
            blocks.append({"workspace_id": ws, "member_id": change.member_pk,
                           "verdict_id": verdict_id, "reason": change.rule,
                           "added_by": NAME, "created_at": now})
        if change.dry_run:
            skipped.extend(_skipped_row(ws, event_id, change, payload, now)
                           for payload in change.commands)
    if violations:
        connection.execute(insert(_VIOLATION), violations)
    if reviews:
        connection.execute(insert(_REVIEW), reviews)
    if blocks:
        connection.execute(insert_ignore(connection, _BLOCK, "workspace_id", "member_id"),
                           blocks)
    if skipped:
        connection.execute(insert(_OUTBOX), skipped)
    return ids


def _skipped_row(workspace_id: int, event_id: int | None, change: ModerationLogged,
                 payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A dry-run command: in the outbox for the record, marked skipped, never executed."""
    return {"workspace_id": workspace_id, "event_id": event_id, "group_id": change.group_pk,
            "member_id": change.member_pk, "kind": payload["kind"], "handler": NAME,
            "payload": {"platform": change.platform, **payload},
            "status": OutboxStatus.SKIPPED.value, "dry_run": True, "attempts": 0,
            "next_attempt_at": now, "created_at": now, "done_at": now,
            "last_error": "dry run: logged, not executed"}
