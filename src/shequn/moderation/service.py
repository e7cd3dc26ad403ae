"""Queries the CLI and the API share: trying a text against the rules, the verdict log, training."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from shequn.domain.enums import MemberRole, Platform
from shequn.domain.events import Message
from shequn.moderation.classifier.datasets import LabelledText
from shequn.moderation.classifier.metrics import Metrics, evaluate
from shequn.moderation.classifier.train import TrainConfig, train
from shequn.moderation.decision import Decision
from shequn.moderation.guard import Guard
from shequn.moderation.rulebooks import effective, group_pk, load_model, save_model
from shequn.store.models import ModerationVerdict
from shequn.store.sql import table_of

_V = table_of(ModerationVerdict)


def check_text(connection: Connection, *, workspace_id: int, text: str, group: str | None = None,
               newcomer: bool = False, qr_codes: Sequence[str] = (), now: datetime) -> Decision:
    """How the guard would judge ``text`` (and an image's QR payloads) from a regular member.

    No state is changed.
    """
    group_id = group_pk(connection, workspace_id, group) if group else None
    rulebook = effective(connection, workspace_id, group_id)
    guard = Guard(rulebook.model_copy(update={"dry_run": False}),
                  model=load_model(connection, workspace_id))
    message = Message(source="check", external_id="check", occurred_at=now,
                      platform=Platform.TELEGRAM, group_id=group or "check", user_id="check",
                      message_id="check", text=text, links=[], mentions=[],
                      qr_codes=list(qr_codes))
    prior = 0 if newcomer else rulebook.newcomer.first_messages
    return guard.check_message(message, role=MemberRole.MEMBER, prior_messages=prior,
                               history=[])


@dataclass(frozen=True, slots=True)
class VerdictRecord:
    """One row of the verdict log."""

    id: int
    occurred_at: datetime
    group_ref: str | None
    user_ref: str | None
    event_kind: str
    outcome: str
    rule: str
    step: str | None
    score: float | None
    dry_run: bool
    status: str
    commands: list[str]
    evidence: dict[str, Any]
    text: str


def list_verdicts(connection: Connection, *, workspace_id: int, limit: int = 100,
                  outcome: str | None = None, user: str | None = None) -> list[VerdictRecord]:
    """The verdict log, newest first."""
    query = (select(_V).where(_V.c.workspace_id == workspace_id)
             .order_by(_V.c.id.desc()).limit(limit))
    if outcome:
        query = query.where(_V.c.outcome == outcome)
    if user:
        query = query.where(_V.c.user_ref == user)
    return [VerdictRecord(
        r.id, r.occurred_at, r.group_ref, r.user_ref, r.event_kind, r.outcome, r.rule, r.step,
        r.score, r.dry_run, r.status,
        [c.get("kind", "") for c in (r.commands or {}).get("sent", [])],
        dict(r.evidence or {}), r.text) for r in connection.execute(query)]


def retrain(connection: Connection, *, workspace_id: int, rows: list[LabelledText],
            now: datetime, config: TrainConfig | None = None) -> tuple[int, dict[str, Any]]:
    """Train a model on labelled rows and store it as the workspace's; returns version, summary."""
    model = train(rows, config)
    model.meta["source"] = f"{len(rows)} labelled rows"
    version = save_model(connection, workspace_id, model, now)
    return version, dict(model.summary())


def score(connection: Connection, *, workspace_id: int, rows: list[LabelledText]) -> Metrics:
    """The workspace model's precision, recall, F1 and false-positive rate on labelled rows."""
    return evaluate(load_model(connection, workspace_id), rows)
