"""Due jobs: entry-check timeouts, merged welcomes, expert calls, nickname checks. Each runs once.

A job is claimed by deleting its row (``DELETE … RETURNING``; on PostgreSQL the rows are
picked ``FOR UPDATE SKIP LOCKED``, so two schedulers never take the same one) and its
effects — outbox actions, closed checks, counters — are written in the same
transaction. A crash before the commit leaves the job in place for the next run; after
the commit, it is gone with its effects stored: exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from shequn.domain.actions import Command, Post, Reply
from shequn.engage import templates as t
from shequn.engage.changes import CounterBumped, GateClosed
from shequn.engage.fatigue import (
    expert_day_key,
    group_day_key,
    local_date,
    member_week_key,
    under_cap,
)
from shequn.engage.gate import failure_actions
from shequn.engage.readers import experts_in_group
from shequn.engage.snapshot import Pending
from shequn.engage.welcome import welcome_text
from shequn.engage.writes import bump, close_gate, read_counters
from shequn.moderation import grace
from shequn.scheduler.groups import ScheduledGroup, load_groups
from shequn.scheduler.outbox import outbox_row, write_outbox
from shequn.store.models import EngageJob, FaqQuestion, GateChallenge, Membership, WelcomePending
from shequn.store.sql import table_of

log = logging.getLogger(__name__)

_JOBS = table_of(EngageJob)
_GATES = table_of(GateChallenge)
_WELCOMES = table_of(WelcomePending)
_QUESTIONS = table_of(FaqQuestion)
_MEMBERSHIP = table_of(Membership)


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job."""

    id: int
    workspace_id: int
    kind: str
    key: str
    group_id: int | None
    due_at: datetime
    payload: dict[str, Any]


def claim(connection: Connection, now: datetime, limit: int,
          workspace_id: int | None = None) -> list[Job]:
    """Take up to ``limit`` due jobs, oldest first, by deleting them (skipping locked rows)."""
    due = (select(_JOBS.c.id).where(_JOBS.c.due_at <= now)
           .order_by(_JOBS.c.due_at, _JOBS.c.id).limit(limit))
    if workspace_id is not None:
        due = due.where(_JOBS.c.workspace_id == workspace_id)
    if connection.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = connection.execute(delete(_JOBS).where(_JOBS.c.id.in_(due.scalar_subquery()))
                              .returning(_JOBS.c.id, _JOBS.c.workspace_id, _JOBS.c.kind,
                                         _JOBS.c.key, _JOBS.c.group_id, _JOBS.c.due_at,
                                         _JOBS.c.payload))
    jobs = [Job(*row) for row in rows]
    jobs.sort(key=lambda j: (j.due_at, j.id))
    return jobs


def run_job(connection: Connection, job: Job, now: datetime) -> int:
    """Carry out one claimed job; returns how many outbox actions it wrote."""
    runner = _RUNNERS.get(job.kind)
    if runner is None:
        log.warning("unknown engagement job kind %s (%s): dropped", job.kind, job.key)
        return 0
    group = load_groups(connection, [job.group_id]).get(job.group_id) if job.group_id else None
    if group is None:
        return 0
    return runner(connection, job, group, now)


def _commands(connection: Connection, group: ScheduledGroup, commands: list[Command], *,
              member_id: int | None, handler: str, now: datetime) -> int:
    return write_outbox(connection, [
        outbox_row(group.workspace_id, group.ref, c, member_id=member_id, handler=handler,
                   now=now) for c in commands])


def _gate_timeout(connection: Connection, job: Job, group: ScheduledGroup,
                  now: datetime) -> int:
    row = connection.execute(select(_GATES).where(
        _GATES.c.group_id == group.ref.id, _GATES.c.member_id == job.payload["member"],
        _GATES.c.status == "pending")).first()
    if row is None:
        return 0
    pending = Pending(row.group_id, row.member_id, row.user_id, row.user_name, row.via,
                      row.step, row.score, row.attempts, row.expected, row.created_at,
                      row.deadline)
    week = member_week_key(row.member_id, local_date(now, group.engage.config.zone))
    actions = failure_actions(pending, group.engage, "timed_out",
                              f"no answer within {group.engage.config.gate.timeout_minutes} min",
                              now, row.score, read_counters(connection, [week])[week])
    closed = next(a for a in actions if isinstance(a, GateClosed))
    if not close_gate(connection, group.workspace_id, closed):
        return 0
    bump(connection, group.workspace_id,
         {a.key: a.by for a in actions if isinstance(a, CounterBumped)}, now)
    return _commands(connection, group, [a for a in actions if isinstance(a, Command)],
                     member_id=row.member_id, handler="gate", now=now)


def _welcome(connection: Connection, job: Job, group: ScheduledGroup, now: datetime) -> int:
    query = select(_WELCOMES.c.id, _WELCOMES.c.member_id, _WELCOMES.c.name).where(
        _WELCOMES.c.group_id == group.ref.id).order_by(_WELCOMES.c.joined_at, _WELCOMES.c.id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    waiting = connection.execute(query).all()
    if not waiting:
        return 0
    connection.execute(delete(_WELCOMES).where(_WELCOMES.c.id.in_([w.id for w in waiting])))
    present = set(connection.scalars(select(_MEMBERSHIP.c.member_id).where(
        _MEMBERSHIP.c.group_id == group.ref.id, _MEMBERSHIP.c.left_at.is_(None),
        _MEMBERSHIP.c.member_id.in_([w.member_id for w in waiting]))))
    names = [w.name for w in waiting if w.member_id in present]
    if not names or not group.engage.config.welcome.enabled:
        return 0
    day = group_day_key(group.ref.id, local_date(now, group.engage.config.zone))
    bump(connection, group.workspace_id, {day: 1}, now)
    post = Post(group_id=group.ref.external_id, text=welcome_text(group.engage, names, now),
                reason=f"welcome ({len(names)} newcomer(s))")
    return _commands(connection, group, [post], member_id=None, handler="welcome", now=now)


def _route(connection: Connection, job: Job, group: ScheduledGroup, now: datetime) -> int:
    question = connection.execute(select(_QUESTIONS).where(
        _QUESTIONS.c.id == job.payload["question"])).first()
    config = group.engage.config
    if question is None or question.status != "open" or not question.topic or (
            not config.experts.enabled):
        return 0
    today = local_date(now, config.zone)
    day = group_day_key(group.ref.id, today)
    experts = [e for e in experts_in_group(
        connection, workspace_id=group.workspace_id, group_id=group.ref.id,
        platform=group.ref.platform, topic=question.topic) if e.member_id != question.member_id]
    counts = read_counters(connection, [day, *(expert_day_key(e.member_id, today)
                                               for e in experts)])
    if not under_cap(counts[day], config.fatigue.group_per_day):
        return 0
    chosen = [e for e in experts if under_cap(counts[expert_day_key(e.member_id, today)],
                                              config.experts.per_expert_per_day)]
    chosen = chosen[:config.experts.experts_per_question]
    if not chosen:
        return 0
    mentions = " ".join(f"@{e.name}" for e in chosen)
    text = t.bilingual(t.EXPERT_CALL[0].format(experts=mentions, question=question.text),
                       t.EXPERT_CALL[1].format(experts=mentions, question=question.text),
                       config.language)
    call: Command = (Reply(group_id=group.ref.external_id, text=text,
                           reply_to=question.message_id, reason=f"expert call: {question.topic}")
                     if question.message_id else
                     Post(group_id=group.ref.external_id, text=text,
                          reason=f"expert call: {question.topic}"))
    connection.execute(update(_QUESTIONS).where(_QUESTIONS.c.id == question.id).values(
        status="routed", routed_to=[e.member_id for e in chosen]))
    bump(connection, group.workspace_id,
         {day: 1, **{expert_day_key(e.member_id, today): 1 for e in chosen}}, now)
    return _commands(connection, group, [call], member_id=question.member_id,
                     handler="experts", now=now)


_RUNNERS: dict[str, Callable[[Connection, Job, ScheduledGroup, datetime], int]] = {
    "gate_timeout": _gate_timeout, "welcome": _welcome, "route": _route,
    grace.JOB_KIND: grace.run_check,
}
