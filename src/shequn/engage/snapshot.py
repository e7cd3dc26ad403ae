"""What the engagement handlers read for one batch, and the changes they return for it.

The companion (:mod:`shequn.engage.companion`) loads a snapshot once per batch. Handlers
only read it. Intake hands every state change they return to :meth:`observe`, which
updates the in-memory view at once (a question asked and answered in the same batch,
two FAQ hits inside one cool-down) and keeps the change for :meth:`flush`, which writes
them all in the batch's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Connection

from shequn.domain.actions import StateChange
from shequn.engage.changes import (
    ENGAGE_CHANGES,
    AnswerThanked,
    CounterBumped,
    GateClosed,
    GateOpened,
    GateProgressed,
    QuestionAnswered,
    QuestionLogged,
)
from shequn.engage.config import EngageConfig
from shequn.engage.faq.matcher import FaqMatcher
from shequn.engage.writes import write_changes
from shequn.engine.context import Context, GroupInfo, MemberInfo
from shequn.engine.pipeline import BatchItem


@dataclass(frozen=True, slots=True)
class GroupEngage:
    """A configured group: its settings and what templates say about it."""

    group_id: int
    config: EngageConfig
    version: int
    name: str
    positioning: str
    external_id: str
    platform: str


@dataclass(frozen=True, slots=True)
class Pending:
    """A newcomer's entry check in progress."""

    group_pk: int
    member_pk: int
    user_id: str
    user_name: str | None
    via: str
    step: int
    score: int
    attempts: int
    expected: str | None
    created_at: datetime
    deadline: datetime


@dataclass(frozen=True, slots=True)
class Question:
    """A question in a group, as far as replies to it matter."""

    group_pk: int
    message_id: str
    member_pk: int | None
    status: str
    answer_member_pk: int | None = None
    answer_message_id: str | None = None
    helpful: bool = False


@dataclass(frozen=True, slots=True)
class FaqBook:
    """A workspace's FAQ at one revision: the matcher and what to answer with."""

    revision: int
    matcher: FaqMatcher
    answers: Mapping[int, tuple[str | None, str | None]]
    topics: Mapping[int, str | None]
    variables: Mapping[str, str]


@dataclass(slots=True)
class EngageSnapshot:
    """Read model of one batch plus the changes its handlers returned."""

    workspace_id: int
    groups: dict[int, GroupEngage]
    faq: FaqBook | None = None
    pending: dict[tuple[int, int], Pending] = field(default_factory=dict)
    blocked: frozenset[int] = frozenset()
    questions: dict[tuple[int, str], Question] = field(default_factory=dict)
    counters: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)
    changes: list[tuple[StateChange, int | None]] = field(default_factory=list)

    # --- reading (handlers) ------------------------------------------------------------

    def group(self, group_id: int | None) -> GroupEngage | None:
        """The group's engagement settings, when it has any."""
        return self.groups.get(group_id) if group_id is not None else None

    def pending_for(self, group_pk: int, member_pk: int) -> Pending | None:
        """The member's open entry check in this group."""
        return self.pending.get((group_pk, member_pk))

    def pending_of(self, member_pk: int) -> Pending | None:
        """The member's oldest open entry check in any group (for answers sent by DM)."""
        mine = [p for (_, m), p in self.pending.items() if m == member_pk]
        return min(mine, key=lambda p: p.created_at) if mine else None

    def question(self, group_pk: int, message_id: str) -> Question | None:
        """The question posted as ``message_id`` in the group."""
        return self.questions.get((group_pk, message_id))

    def answer(self, group_pk: int, message_id: str) -> Question | None:
        """The question ``message_id`` answered, when it is an answer."""
        return next((q for q in self.questions.values()
                     if q.group_pk == group_pk and q.answer_message_id == message_id), None)

    def count(self, key: str) -> int:
        """The counter's value (0 when never counted)."""
        return self.counters.get(key, (0, None))[0]

    def last(self, key: str) -> datetime | None:
        """When the counter was last bumped."""
        return self.counters.get(key, (0, None))[1]

    # --- observing (intake) ------------------------------------------------------------

    def observe(self, change: StateChange, item: BatchItem) -> bool:
        """Take an engagement change: update the view now, store it at flush."""
        if not isinstance(change, ENGAGE_CHANGES):
            return False
        self._update(change)
        self.changes.append((change, item.event_id))
        return True

    def _update(self, change: StateChange) -> None:
        if isinstance(change, GateOpened):
            self.pending[(change.group_pk, change.member_pk)] = Pending(
                change.group_pk, change.member_pk, change.user_id, change.user_name,
                change.via, 0, 0, 0, change.expected, change.at, change.deadline)
        elif isinstance(change, GateProgressed):
            key = (change.group_pk, change.member_pk)
            if key in self.pending:
                self.pending[key] = replace(self.pending[key], step=change.step,
                                            score=change.score, attempts=change.attempts)
        elif isinstance(change, GateClosed):
            self.pending.pop((change.group_pk, change.member_pk), None)
        elif isinstance(change, QuestionLogged) and change.message_id:
            self.questions[(change.group_pk, change.message_id)] = Question(
                change.group_pk, change.message_id, change.member_pk, change.status)
        elif isinstance(change, QuestionAnswered):
            asked = (change.group_pk, change.question_message_id)
            if asked in self.questions:
                self.questions[asked] = replace(
                    self.questions[asked], status="answered", answer_member_pk=change.member_pk,
                    answer_message_id=change.message_id)
        elif isinstance(change, AnswerThanked):
            for asked, question in self.questions.items():
                if question.answer_message_id == change.answer_message_id:
                    self.questions[asked] = replace(question, helpful=True)
        elif isinstance(change, CounterBumped):
            count, _ = self.counters.get(change.key, (0, None))
            self.counters[change.key] = (count + change.by, change.at)

    def flush(self, connection: Connection) -> None:
        """Write every observed change, in order, in the batch's transaction."""
        if self.changes:
            write_changes(connection, self.workspace_id, self.changes)
            self.changes.clear()


@dataclass(frozen=True, slots=True)
class Scope:
    """An event in a configured group by a known member: what most handlers start from."""

    snapshot: EngageSnapshot
    engage: GroupEngage
    group: GroupInfo
    member: MemberInfo


def scope_of(context: Context) -> Scope | None:
    """The engagement scope of an event, or None when the group is not configured."""
    snapshot = context.snapshots.get("engage")
    if not isinstance(snapshot, EngageSnapshot) or context.group is None or (
            context.member is None):
        return None
    engage = snapshot.group(context.group.id)
    return Scope(snapshot, engage, context.group, context.member) if engage else None
