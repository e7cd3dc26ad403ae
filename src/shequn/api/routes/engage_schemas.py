"""Request and response bodies of the engagement, FAQ and timeline routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shequn.domain.enums import GroupTheme
from shequn.scheduler.rules import Rule


class EngageConfigPublic(BaseModel):
    """A group's engagement configuration (all fields, defaults filled in) and its version."""

    group_id: int
    version: int
    config: dict[str, Any]


class WorkspaceEngage(BaseModel):
    """Workspace-wide settings: default time zone and variables every template may use."""

    model_config = ConfigDict(extra="forbid")

    timezone: Annotated[str | None, Field(default=None, max_length=64)] = None
    variables: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")],
                    Annotated[str, Field(max_length=500)]] = Field(default_factory=dict)


class GatePublic(BaseModel):
    """One entry check and its outcome."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    group_id: int
    member_id: int
    user_id: str
    user_name: str | None
    via: str
    status: str
    score: int
    attempts: int
    answers: list[Any]
    created_at: datetime
    deadline: datetime
    decided_at: datetime | None
    reason: str


class ExpertPublic(BaseModel):
    """How often a member answered others, and how often it helped."""

    member_id: int
    answered: int
    helpful: int


class FaqEntryPublic(BaseModel):
    """A stored FAQ entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str | None
    question: str
    answer_zh: str | None
    answer_en: str | None
    keywords: list[Any]
    examples: list[str]
    topic: str | None
    group_ids: list[int] | None
    enabled: bool
    updated_at: datetime


class ImportResult(BaseModel):
    """What an import added and replaced."""

    created: int = 0
    updated: int = 0
    content: int = 0
    timelines: int = 0


class MatchRequest(BaseModel):
    """A question to try against the FAQ."""

    text: Annotated[str, Field(min_length=1, max_length=2000)]
    group_id: int | None = None
    threshold: Annotated[float | None, Field(default=None, ge=0.0, le=2.0)] = None


class Candidate(BaseModel):
    """A scored FAQ entry for a question, with the evidence."""

    entry_id: int
    key: str | None
    question: str
    score: float
    semantic: float
    keyword: str | None
    nearest: str
    method: str
    explain: str


class MatchPublic(BaseModel):
    """Whether the FAQ would answer, and the best candidates."""

    answered: bool
    threshold: float
    candidates: list[Candidate]


class QuestionPublic(BaseModel):
    """A member's question and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    group_id: int
    member_id: int | None
    user_name: str | None
    text: str
    asked_at: datetime
    status: str
    entry_id: int | None
    score: float | None
    topic: str | None
    answered_at: datetime | None
    answered_by: str | None
    answer_member_id: int | None
    helpful: bool
    routed_to: list[int]


class AnswerRequest(BaseModel):
    """An operator's answer; optionally learnt as a new entry or an example of one."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=4000)]
    add_to_faq: bool = False
    entry_id: int | None = None


class AnswerPublic(BaseModel):
    """The answered question and the entry that learnt it, if any."""

    question: QuestionPublic
    entry_id: int | None


class IgnoreList(BaseModel):
    """Out-of-scope questions the FAQ should leave alone."""

    examples: Annotated[list[Annotated[str, Field(min_length=1, max_length=500)]],
                        Field(max_length=5000)]


class TimelineBody(BaseModel):
    """A timeline's rules and the theme it is the default of."""

    model_config = ConfigDict(extra="forbid")

    theme: GroupTheme | None = None
    rules: Annotated[list[Rule], Field(max_length=200)]


class TimelinePublic(BaseModel):
    """A stored timeline."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    theme: str | None
    rules: list[dict[str, Any]]
    revision: int
    updated_at: datetime


class ContentPublic(BaseModel):
    """A content-library item."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    title: str
    body_zh: str | None
    body_en: str | None


class PreviewPublic(BaseModel):
    """A planned post."""

    group_id: int
    group: str
    timeline: str
    rule: str
    local_time: datetime
    due: datetime
    text: str
    skipped: str | None


class TickPublic(BaseModel):
    """What a scheduler tick did."""

    jobs: dict[str, int]
    job_actions: int
    timeline_sent: int
    timeline_skipped: dict[str, int]
    summary: str
