"""Storing engagement changes, shared by intake (snapshot flush) and the scheduler.

Everything here runs inside a transaction the caller owns, so a decision, its audit
entry, its follow-up job and its outbox action are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from shequn.domain.actions import StateChange
from shequn.engage.changes import (
    AnswerThanked,
    CounterBumped,
    GateClosed,
    GateOpened,
    GateProgressed,
    QuestionAnswered,
    QuestionLogged,
    WelcomeQueued,
)
from shequn.store.models import (
    AuditLog,
    EngageCounter,
    EngageJob,
    FaqQuestion,
    GateChallenge,
    WelcomePending,
)
from shequn.store.sql import insert_ignore, table_of, upsert_insert

_AUDIT = table_of(AuditLog)
_COUNTERS = table_of(EngageCounter)
_JOBS = table_of(EngageJob)
_QUESTIONS = table_of(FaqQuestion)
_GATES = table_of(GateChallenge)
_WELCOMES = table_of(WelcomePending)

GATE_ACTOR = "engage:gate"


def gate_job_key(group_pk: int, member_pk: int) -> str:
    """The key of a pending check's timeout job (one per group and member)."""
    return f"gate:g{group_pk}:m{member_pk}"


def welcome_job_key(group_pk: int) -> str:
    """The key of a group's next merged welcome."""
    return f"welcome:g{group_pk}"


def route_job_key(question_id: int) -> str:
    """The key of a question's expert call."""
    return f"route:q{question_id}"


def audit(connection: Connection, workspace_id: int, *, action: str, target: str,
          details: dict[str, Any], at: datetime, actor: str = GATE_ACTOR) -> None:
    """One audit-log row, in the caller's transaction."""
    connection.execute(insert(_AUDIT).values(
        workspace_id=workspace_id, actor=actor, action=action, target=target,
        details=details, created_at=at))


def schedule(connection: Connection, workspace_id: int, *, kind: str, key: str,
             due_at: datetime, group_id: int | None, payload: dict[str, Any],
             replace_due: bool = False) -> None:
    """Add a job unless one with the key exists (or move its due time, with ``replace_due``)."""
    stmt = upsert_insert(connection, _JOBS).values(
        workspace_id=workspace_id, kind=kind, key=key, group_id=group_id, due_at=due_at,
        payload=payload, created_at=due_at)
    if replace_due:
        stmt = stmt.on_conflict_do_update(index_elements=["workspace_id", "key"],
                                          set_={"due_at": due_at, "payload": payload})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=["workspace_id", "key"])
    connection.execute(stmt)


def bump(connection: Connection, workspace_id: int, counts: dict[str, int],
         at: datetime) -> None:
    """Add to counters atomically (concurrent writers add up)."""
    if not counts:
        return
    stmt = upsert_insert(connection, _COUNTERS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={"count": _COUNTERS.c.count + stmt.excluded.count, "last_at": stmt.excluded.last_at})
    connection.execute(stmt, [{"key": key, "workspace_id": workspace_id, "count": by,
                               "last_at": at} for key, by in counts.items()])


def read_counters(connection: Connection, keys: Sequence[str]) -> dict[str, int]:
    """Current values of some counters (missing ones are 0)."""
    if not keys:
        return {}
    rows = connection.execute(select(_COUNTERS.c.key, _COUNTERS.c.count)
                              .where(_COUNTERS.c.key.in_(list(keys))))
    found = {key: count for key, count in rows}
    return {key: int(found.get(key, 0)) for key in keys}


def write_changes(connection: Connection, workspace_id: int,
                  changes: Sequence[tuple[StateChange, int | None]]) -> None:
    """Store a batch's engagement changes in order."""
    for change, event_id in changes:
        if isinstance(change, CounterBumped):
            bump(connection, workspace_id, {change.key: change.by}, change.at)
        elif isinstance(change, GateOpened):
            _gate_opened(connection, workspace_id, change)
        elif isinstance(change, GateProgressed):
            _gate_progressed(connection, change)
        elif isinstance(change, GateClosed):
            close_gate(connection, workspace_id, change)
        elif isinstance(change, WelcomeQueued):
            _welcome_queued(connection, workspace_id, change)
        elif isinstance(change, QuestionLogged):
            _question_logged(connection, workspace_id, change, event_id)
        elif isinstance(change, QuestionAnswered):
            connection.execute(update(_QUESTIONS).where(
                _QUESTIONS.c.group_id == change.group_pk,
                _QUESTIONS.c.message_id == change.question_message_id,
                _QUESTIONS.c.status.in_(("open", "routed")),
            ).values(status="answered", answered_at=change.at, answered_by="member",
                     answer_member_id=change.member_pk, answer_message_id=change.message_id))
        elif isinstance(change, AnswerThanked):
            connection.execute(update(_QUESTIONS).where(
                _QUESTIONS.c.group_id == change.group_pk,
                _QUESTIONS.c.answer_message_id == change.answer_message_id,
            ).values(helpful=True))


def _gate_opened(connection: Connection, workspace_id: int, change: GateOpened) -> None:
    connection.execute(insert(_GATES).values(
        workspace_id=workspace_id, group_id=change.group_pk, member_id=change.member_pk,
        user_id=change.user_id, user_name=change.user_name, via=change.via, status="pending",
        step=0, score=0, attempts=0, expected=change.expected, answers=[],
        created_at=change.at, deadline=change.deadline, reason=""))
    schedule(connection, workspace_id, kind="gate_timeout",
             key=gate_job_key(change.group_pk, change.member_pk), due_at=change.deadline,
             group_id=change.group_pk,
             payload={"group": change.group_pk, "member": change.member_pk}, replace_due=True)
    audit(connection, workspace_id, action="gate.opened",
          target=f"group:{change.group_pk} member:{change.member_pk}",
          details={"via": change.via, "deadline": change.deadline.isoformat(),
                   "user_id": change.user_id}, at=change.at)


def _pending_row(group_pk: int, member_pk: int) -> Any:
    return and_(_GATES.c.group_id == group_pk, _GATES.c.member_id == member_pk,
                _GATES.c.status == "pending")


def _gate_progressed(connection: Connection, change: GateProgressed) -> None:
    row = connection.execute(select(_GATES.c.id, _GATES.c.answers)
                             .where(_pending_row(change.group_pk, change.member_pk))).first()
    if row is None:
        return
    connection.execute(update(_GATES).where(_GATES.c.id == row.id).values(
        step=change.step, score=change.score, attempts=change.attempts,
        answers=[*(row.answers or []), change.answer[:200]]))


def close_gate(connection: Connection, workspace_id: int, change: GateClosed) -> bool:
    """Record a check's outcome and its audit entry; False when no check was pending.

    A refusal (blocklist) has no pending check: it gets a row of its own.
    """
    values = {"status": change.status, "decided_at": change.at, "reason": change.reason,
              "score": change.score}
    closed = connection.execute(update(_GATES).where(
        _pending_row(change.group_pk, change.member_pk)).values(**values)).rowcount
    if not closed and change.status == "refused":
        connection.execute(insert(_GATES).values(
            workspace_id=workspace_id, group_id=change.group_pk, member_id=change.member_pk,
            user_id=change.user_id, user_name=change.user_name, via=change.via, step=0,
            attempts=0, answers=[], expected=None, created_at=change.at, deadline=change.at,
            **values))
        closed = 1
    connection.execute(delete(_JOBS).where(
        _JOBS.c.workspace_id == workspace_id,
        _JOBS.c.key == gate_job_key(change.group_pk, change.member_pk)))
    if closed:
        audit(connection, workspace_id, action=f"gate.{change.status}",
              target=f"group:{change.group_pk} member:{change.member_pk}",
              details={"reason": change.reason, "score": change.score,
                       "user_id": change.user_id}, at=change.at)
    return bool(closed)


def _welcome_queued(connection: Connection, workspace_id: int, change: WelcomeQueued) -> None:
    connection.execute(insert_ignore(connection, _WELCOMES, "group_id", "member_id").values(
        workspace_id=workspace_id, group_id=change.group_pk, member_id=change.member_pk,
        name=change.name, joined_at=change.at))
    schedule(connection, workspace_id, kind="welcome", key=welcome_job_key(change.group_pk),
             due_at=change.due, group_id=change.group_pk, payload={"group": change.group_pk})


def _question_logged(connection: Connection, workspace_id: int, change: QuestionLogged,
                     event_id: int | None) -> None:
    question_id = connection.execute(insert(_QUESTIONS).values(
        workspace_id=workspace_id, group_id=change.group_pk, member_id=change.member_pk,
        event_id=event_id, message_id=change.message_id, user_id=change.user_id,
        user_name=change.user_name, text=change.text[:4000], asked_at=change.at,
        status=change.status, entry_id=change.entry_id, score=change.score,
        topic=change.topic, answered_at=change.at if change.status == "faq" else None,
        answered_by="faq" if change.status == "faq" else None, helpful=False, routed_to=[],
    ).returning(_QUESTIONS.c.id)).scalar_one()
    if change.route_at is not None:
        schedule(connection, workspace_id, kind="route", key=route_job_key(question_id),
                 due_at=change.route_at, group_id=change.group_pk,
                 payload={"question": question_id})
