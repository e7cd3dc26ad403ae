"""Request and response bodies of the API (schema families XCreate / XPublic)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shequn.domain.enums import GroupStatus, GroupTheme, Platform
from shequn.domain.events import Event

T = TypeVar("T")


class EventBatch(BaseModel):
    """A batch of canonical events to ingest."""

    events: list[Event] = Field(min_length=1)


class IngestPublic(BaseModel):
    """What a batch did: how many were new, how many duplicates, what was decided."""

    received: int
    stored: int
    duplicates: int
    commands: int
    state_changes: int


class EventPublic(BaseModel):
    """A stored event."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    external_id: str
    kind: str
    platform: str
    occurred_at: datetime
    received_at: datetime
    group_id: int | None
    member_id: int | None
    payload: dict[str, Any]


class IdentityPublic(BaseModel):
    """One way the member is known."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    platform: str
    value: str


class MembershipPublic(BaseModel):
    """A member's stay in a group."""

    group_id: int
    group_name: str
    role: str
    joined_at: datetime
    left_at: datetime | None


class MemberTagPublic(BaseModel):
    """A tag on a member: its kind (fact, algorithm, strategy), value and where it came from."""

    name: str
    kind: str
    value: str
    source: str
    assigned_at: datetime | None = None


class MemberPublic(BaseModel):
    """A member's profile card."""

    id: int
    display_name: str | None
    city: str | None
    job: str | None
    gender: str | None
    age_band: str | None
    source_channel: str | None
    attributes: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime | None = None
    identities: list[IdentityPublic] = []
    groups: list[MembershipPublic] = []
    orders: int = 0
    spent: Decimal = Decimal("0")
    last_order_at: datetime | None = None
    merged_into_id: int | None = None
    merged_ids: list[int] = []
    lifecycle: str | None = None
    layer: str | None = None
    rfm_segment: str | None = None
    activity_level: str | None = None
    propensity: float | None = None
    profile_computed_at: datetime | None = None
    tags: list[MemberTagPublic] = []


class GroupCreate(BaseModel):
    """A group to register before any event arrives from it."""

    platform: Platform
    external_id: str = Field(min_length=1, max_length=256)
    name: str = Field(min_length=1, max_length=256)
    theme: GroupTheme | None = None
    positioning: str = Field(default="", max_length=5000)
    capacity: int = Field(default=500, ge=2, le=100_000)


class GroupUpdate(BaseModel):
    """Changes to a group's description."""

    name: str | None = Field(default=None, min_length=1, max_length=256)
    theme: GroupTheme | None = None
    positioning: str | None = Field(default=None, max_length=5000)
    capacity: int | None = Field(default=None, ge=2, le=100_000)
    status: GroupStatus | None = None


class GroupPublic(BaseModel):
    """A group as stored, with its current head count."""

    id: int
    platform: str
    external_id: str
    name: str
    theme: str | None
    positioning: str
    capacity: int
    status: str
    members: int
    created_at: datetime


class OutboxPublic(BaseModel):
    """An action waiting for, or done by, a connector."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int | None
    group_id: int | None
    member_id: int | None
    kind: str
    handler: str
    payload: dict[str, Any]
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    done_at: datetime | None = None
    last_error: str | None = None
    external_ref: str | None = None


class OutboxRetry(BaseModel):
    """Dead actions to queue again: ``ids``, or every dead action with ``all``."""

    ids: list[int] = Field(default_factory=list, max_length=10_000)
    all: bool = False


class OutboxRetried(BaseModel):
    """How many dead actions were queued again."""

    retried: int


class WorkspacePublic(BaseModel):
    """The caller's workspace."""

    id: int
    slug: str
    name: str
    role: str


class Page(BaseModel, Generic[T]):
    """A page of results."""

    items: list[T]
    total: int
    limit: int
    offset: int
