"""State changes the engagement handlers return; the engage snapshot stores them.

They name groups and members by their stored ids (``group_pk``, ``member_pk``), which
the handlers know from the context, and questions by ``(group, platform message id)``
so that a question asked and answered in the same batch needs no id in between.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from shequn.domain.actions import StateChange


class GateOpened(StateChange):
    """A newcomer must pass the group's entry check before ``deadline``."""

    kind: Literal["gate_opened"] = "gate_opened"
    group_pk: int
    member_pk: int
    user_id: str
    user_name: str | None = None
    via: str
    expected: str | None = None
    at: datetime
    deadline: datetime


class GateProgressed(StateChange):
    """The newcomer answered a step of the pending check (right or wrong)."""

    kind: Literal["gate_progressed"] = "gate_progressed"
    group_pk: int
    member_pk: int
    step: int
    score: int
    attempts: int
    answer: str


class GateClosed(StateChange):
    """The entry check ended: passed, failed, timed out, refused (blocklist) or left."""

    kind: Literal["gate_closed"] = "gate_closed"
    group_pk: int
    member_pk: int
    user_id: str
    user_name: str | None = None
    via: str = "join"
    status: Literal["passed", "failed", "timed_out", "refused", "left"]
    score: int = 0
    reason: str
    at: datetime


class WelcomeQueued(StateChange):
    """A newcomer waits for the group's next merged welcome."""

    kind: Literal["welcome_queued"] = "welcome_queued"
    group_pk: int
    member_pk: int
    name: str
    at: datetime
    due: datetime


class QuestionLogged(StateChange):
    """A member asked something: answered by the FAQ, or left open for people."""

    kind: Literal["question_logged"] = "question_logged"
    group_pk: int
    member_pk: int | None
    message_id: str | None
    user_id: str | None
    user_name: str | None
    text: str
    at: datetime
    status: Literal["faq", "open"]
    entry_id: int | None = None
    score: float | None = None
    topic: str | None = None
    route_at: datetime | None = None
    """When to call an expert if nobody has answered (open questions in expert groups)."""


class QuestionAnswered(StateChange):
    """Someone replied to an open question."""

    kind: Literal["question_answered"] = "question_answered"
    group_pk: int
    question_message_id: str
    member_pk: int | None
    message_id: str | None
    at: datetime


class AnswerThanked(StateChange):
    """The asker thanked the member who answered: the answer counts as helpful."""

    kind: Literal["answer_thanked"] = "answer_thanked"
    group_pk: int
    answer_message_id: str


class CounterBumped(StateChange):
    """Count one more against a key (fatigue per day, FAQ cool-down, expert limit)."""

    kind: Literal["counter_bumped"] = "counter_bumped"
    key: str
    at: datetime
    by: int = 1
    details: dict[str, Any] = Field(default_factory=dict)


ENGAGE_CHANGES: tuple[type[StateChange], ...] = (
    GateOpened, GateProgressed, GateClosed, WelcomeQueued, QuestionLogged, QuestionAnswered,
    AnswerThanked, CounterBumped,
)
"""Every state change the engage snapshot takes."""
