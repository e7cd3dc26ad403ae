"""The review queue and appeals: operators confirm or overturn; overturning undoes and teaches.

* A **review** item is a borderline verdict on which nothing was done. Confirming
  it punishes now, through the ladder with the member's stored history;
  overturning it just closes it.
* An **appeal** contests a verdict that acted. Confirming keeps it; overturning
  writes undo commands (unmute, unban in the group, lift the blocklist), removes
  the violation from the ladder history and marks the verdict overturned.

Every decision on a message teaches the workspace's classifier one example
(:meth:`SpamModel.learn`) and stores the updated model, all in one transaction
with the audit row and the outbox commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from shequn.domain.actions import Command, Unban, Unmute
from shequn.domain.enums import Platform
from shequn.domain.events import Message
from shequn.errors import InputError, NotFound
from shequn.moderation.guard import Guard
from shequn.moderation.ladder import Violation
from shequn.moderation.rulebooks import (
    audit,
    command_row,
    effective,
    load_model,
    save_model,
)
from shequn.moderation.verdict import Verdict
from shequn.store.models import (
    ModerationBlock,
    ModerationReview,
    ModerationVerdict,
    ModerationViolation,
    OutboxAction,
)
from shequn.store.sql import insert_ignore, table_of

_V = table_of(ModerationVerdict)
_R = table_of(ModerationReview)
_VIOL = table_of(ModerationViolation)
_BLOCK = table_of(ModerationBlock)
_OUTBOX = table_of(OutboxAction)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A queue item with the verdict it is about."""

    id: int
    kind: str
    status: str
    note: str
    verdict_id: int
    rule: str
    outcome: str
    step: str | None
    score: float | None
    text: str
    user_ref: str | None
    group_ref: str | None
    evidence: dict[str, Any]
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    commands: list[str]


def list_reviews(connection: Connection, *, workspace_id: int, status: str | None = "pending",
                 limit: int = 100, review_id: int | None = None) -> list[ReviewItem]:
    """Queue items, oldest first (``status=None``: all of them)."""
    query = (select(_R, _V.c.rule, _V.c.outcome, _V.c.step, _V.c.score, _V.c.text,
                    _V.c.user_ref, _V.c.group_ref, _V.c.evidence, _V.c.commands)
             .join(_V, _V.c.id == _R.c.verdict_id)
             .where(_R.c.workspace_id == workspace_id).order_by(_R.c.id).limit(limit))
    if status is not None:
        query = query.where(_R.c.status == status)
    if review_id is not None:
        query = query.where(_R.c.id == review_id)
    return [_item(row) for row in connection.execute(query)]


def _item(row: Any) -> ReviewItem:
    sent = (row.commands or {}).get("sent", [])
    return ReviewItem(row.id, row.kind, row.status, row.note, row.verdict_id, row.rule,
                      row.outcome, row.step, row.score, row.text, row.user_ref, row.group_ref,
                      dict(row.evidence or {}), row.created_at, row.decided_by,
                      row.decided_at, [c.get("kind", "") for c in sent])


def get_review(connection: Connection, *, workspace_id: int, review_id: int) -> ReviewItem:
    """One queue item; NotFound when it is not this workspace's."""
    found = list_reviews(connection, workspace_id=workspace_id, status=None,
                         review_id=review_id)
    if found:
        return found[0]
    raise NotFound(f"no review item {review_id} / 找不到审核项 {review_id}")


def _pending(connection: Connection, workspace_id: int, review_id: int) -> tuple[Any, Any]:
    review = connection.execute(select(_R).where(
        _R.c.id == review_id, _R.c.workspace_id == workspace_id)).first()
    if review is None:
        raise NotFound(f"no review item {review_id} / 找不到审核项 {review_id}")
    if review.status != "pending":
        raise InputError(f"review item {review_id} is already {review.status} / 已处理")
    verdict = connection.execute(select(_V).where(_V.c.id == review.verdict_id)).one()
    return review, verdict


def _close(connection: Connection, review_id: int, verdict_id: int, status: str, actor: str,
           now: datetime) -> None:
    connection.execute(update(_R).where(_R.c.id == review_id).values(
        status=status, decided_by=actor, decided_at=now))
    connection.execute(update(_V).where(_V.c.id == verdict_id).values(status=status))


def _teach(connection: Connection, workspace_id: int, verdict: Any, is_spam: bool,
           now: datetime) -> None:
    if verdict.event_kind != "message" or not verdict.text.strip():
        return
    model = load_model(connection, workspace_id)
    model.learn(verdict.text, is_spam)
    save_model(connection, workspace_id, model, now)


def _outbox(connection: Connection, workspace_id: int, verdict: Any,
            commands: list[Command], now: datetime) -> None:
    if not commands:
        return
    connection.execute(insert(_OUTBOX), [command_row(
        workspace_id, event_id=verdict.event_id, group_pk=verdict.group_id,
        member_pk=verdict.member_id, platform=verdict.platform, command=c, now=now)
        for c in commands])


def confirm(connection: Connection, *, workspace_id: int, review_id: int, actor: str,
            now: datetime) -> list[str]:
    """Uphold an item; a borderline message is punished now. Returns the command kinds sent."""
    review, verdict = _pending(connection, workspace_id, review_id)
    sent: list[Command] = []
    if review.kind == "review" and verdict.member_id is not None:
        rulebook = effective(connection, workspace_id, verdict.group_id)
        history = [Violation(r.rule, r.at) for r in connection.execute(
            select(_VIOL.c.rule, _VIOL.c.at).where(_VIOL.c.member_id == verdict.member_id))]
        step = rulebook.ladder.next_step(history, verdict.rule, verdict.occurred_at)
        message = Message(
            source="moderation", external_id=f"verdict:{verdict.id}",
            occurred_at=verdict.occurred_at, platform=Platform(verdict.platform),
            group_id=verdict.group_ref, user_id=verdict.user_ref,
            message_id=verdict.message_ref, text=verdict.text, links=[], mentions=[])
        primary = Verdict(verdict.rule, True, "confirmed by an operator / 运营确认")
        sent = list(Guard(rulebook).punish(message, primary, step))
        connection.execute(insert(_VIOL).values(workspace_id=workspace_id,
                                                member_id=verdict.member_id,
                                                verdict_id=verdict.id, rule=verdict.rule,
                                                at=verdict.occurred_at))
        connection.execute(update(_V).where(_V.c.id == verdict.id).values(
            step=step.action, mute_seconds=step.mute_seconds,
            commands={"sent": [c.payload() for c in sent]}))
        if step.action == "blocklist":
            connection.execute(insert_ignore(connection, _BLOCK, "workspace_id", "member_id")
                               .values(workspace_id=workspace_id, member_id=verdict.member_id,
                                       verdict_id=verdict.id, reason=verdict.rule,
                                       added_by=actor, created_at=now))
        _outbox(connection, workspace_id, verdict, sent, now)
    _close(connection, review.id, verdict.id, "confirmed", actor, now)
    _teach(connection, workspace_id, verdict, True, now)
    audit(connection, workspace_id, actor, "moderation.review.confirm", f"review:{review.id}",
          {"verdict": verdict.id, "commands": [c.kind for c in sent]}, now)
    return [c.kind for c in sent]


def undo_commands(verdict: Any, now: datetime) -> list[Command]:
    """What can be undone of a verdict's commands: a mute lifted, a removal or ban unbanned."""
    kinds = {c.get("kind") for c in (verdict.commands or {}).get("sent", [])}
    target = {"group_id": verdict.group_ref, "user_id": verdict.user_ref,
              "reason": f"verdict {verdict.id} overturned / 判定已撤销", "handler": "moderation"}
    undo: list[Command] = []
    if "mute" in kinds:
        undo.append(Unmute(**target))
    if kinds & {"kick", "blocklist", "ban"}:
        undo.append(Unban(**target))
    return undo


def overturn(connection: Connection, *, workspace_id: int, review_id: int, actor: str,
             now: datetime) -> list[str]:
    """Reverse an item: undo what was done, forget the violation, teach 'not spam'."""
    review, verdict = _pending(connection, workspace_id, review_id)
    undo = undo_commands(verdict, now)
    connection.execute(delete(_VIOL).where(_VIOL.c.verdict_id == verdict.id))
    if verdict.member_id is not None:
        connection.execute(delete(_BLOCK).where(_BLOCK.c.workspace_id == workspace_id,
                                                _BLOCK.c.member_id == verdict.member_id,
                                                _BLOCK.c.verdict_id == verdict.id))
    _outbox(connection, workspace_id, verdict, undo, now)
    _close(connection, review.id, verdict.id, "overturned", actor, now)
    _teach(connection, workspace_id, verdict, False, now)
    audit(connection, workspace_id, actor, "moderation.review.overturn", f"review:{review.id}",
          {"verdict": verdict.id, "commands": [c.kind for c in undo]}, now)
    return [c.kind for c in undo]


def appeal(connection: Connection, *, workspace_id: int, verdict_id: int, note: str,
           now: datetime, window: timedelta = timedelta(days=30)) -> int:
    """A member contests a verdict that acted; returns the new queue item's id."""
    verdict = connection.execute(select(_V).where(
        _V.c.id == verdict_id, _V.c.workspace_id == workspace_id)).first()
    if verdict is None:
        raise NotFound(f"no verdict {verdict_id} / 找不到判定 {verdict_id}")
    if verdict.outcome == "review" or verdict.dry_run:
        raise InputError(f"verdict {verdict_id} did not act on anyone; nothing to appeal "
                         "/ 该判定未执行处罚，无需申诉")
    if verdict.status != "standing":
        raise InputError(f"verdict {verdict_id} is already {verdict.status} / 已处理")
    if now - verdict.created_at > window:
        raise InputError(f"verdict {verdict_id} is older than {window.days} days "
                         "/ 超过申诉期限")
    open_item = connection.execute(select(_R.c.id).where(
        _R.c.verdict_id == verdict_id, _R.c.status == "pending")).first()
    if open_item is not None:
        raise InputError(f"verdict {verdict_id} already has a pending appeal ({open_item.id}) "
                         "/ 已有待处理的申诉")
    return int(connection.execute(insert(_R).values(
        workspace_id=workspace_id, verdict_id=verdict_id, kind="appeal", status="pending",
        note=note[:2000], created_at=now).returning(_R.c.id)).scalar_one())
