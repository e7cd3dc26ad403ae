"""The relational model. Every row belongs to one workspace (tenant)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shequn.store.types import BigId, JsonDoc, UTCDateTime, utcnow


class Base(DeclarativeBase):
    """Declarative base of all shequn tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JsonDoc,
    }


class Workspace(Base):
    """One brand or tenant; nothing crosses from one workspace to another."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Operator(Base):
    """A person who runs the workspace's community."""

    __tablename__ = "operator"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A secret for the HTTP API, scoped to one workspace and role; only its hash is kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class PlatformAccount(Base):
    """A bot or integration account on a chat platform."""

    __tablename__ = "platform_account"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Member(Base):
    """One person, across every platform and channel."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str | None] = mapped_column(String(256))
    city: Mapped[str | None] = mapped_column(String(256))
    job: Mapped[str | None] = mapped_column(String(256))
    gender: Mapped[str | None] = mapped_column(String(256))
    age_band: Mapped[str | None] = mapped_column(String(256))
    source_channel: Mapped[str | None] = mapped_column(String(256))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen_at: Mapped[datetime]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))


class MemberIdentity(Base):
    """One way to recognise a member: a platform user id, a phone, an email, a union id."""

    __tablename__ = "member_identity"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "platform", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(32), default="")
    value: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Group(Base):
    """A chat group on one platform."""

    __tablename__ = "chat_group"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(256))
    platform_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform_account.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(256))
    title_at: Mapped[datetime | None]
    """When the platform showed ``name`` (the newest titled event's time); a title
    carried by an older event, delivered late, never replaces it."""
    theme: Mapped[str | None] = mapped_column(String(32))
    positioning: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(default=500)
    status: Mapped[str] = mapped_column(String(16), default="active")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """A member's presence in a group: when they joined, left, who invited them."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("group_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_group.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="member")
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))


class EventRecord(Base):
    """The append-only log of canonical events."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source", "external_id", name="uq_event_source_external"),
        Index("ix_event_workspace_kind_time", "workspace_id", "kind", "occurred_at"),
        Index("ix_event_member_time", "member_id", "occurred_at"),
        Index("ix_event_group_time", "group_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(256))
    external_id: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    group_id: Mapped[int | None] = mapped_column(ForeignKey("chat_group.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OrderRecord(Base):
    """A shop order as last reported (paid, refunded or cancelled)."""

    __tablename__ = "shop_order"
    __table_args__ = (UniqueConstraint("workspace_id", "source", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(256))
    order_id: Mapped[str] = mapped_column(String(256))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    ordered_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    items: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Tag(Base):
    """A label definition: fact, algorithm or strategy."""

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberTag(Base):
    """A label on a member, with its value, where it came from and when."""

    __tablename__ = "member_tag"
    __table_args__ = (
        UniqueConstraint("member_id", "tag_id"),
        Index("ix_member_tag_tag_value", "tag_id", "value"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(256), default="")
    source: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxAction(Base):
    """A platform command waiting to be carried out, stored with its event."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_group_status", "group_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("chat_group.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    handler: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    """The worker holding the action while ``status`` is running."""
    lease_until: Mapped[datetime | None]
    """When the claim lapses if the worker stops renewing it."""
    started_at: Mapped[datetime | None]
    """When the current attempt's platform call began (NULL: claimed, not yet started)."""
    external_ref: Mapped[str | None] = mapped_column(String(256))
    """What the platform calls the result (e.g. the id of the message sent)."""


class RateLimit(Base):
    """One rate-limit bucket (GCRA): the theoretical arrival time of the next call."""

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    tat: Mapped[float] = mapped_column(Float)
    """Seconds since the epoch; a call is allowed while ``tat - now`` is within the burst."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditLog(Base):
    """Who changed what, written in the same transaction as the change."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_workspace_time", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(256))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(256), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberProfile(Base):
    """A member's computed profile: RFM, activity, layer and lifecycle, refreshed by the tag job.

    Day counts are as of ``computed_at``; NULL means never (no order, no message).
    """

    __tablename__ = "member_profile"
    __table_args__ = (Index("ix_member_profile_workspace", "workspace_id", "layer", "lifecycle"),)

    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime]
    orders: Mapped[int] = mapped_column(default=0)
    monetary_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    recency_days: Mapped[int | None]
    r_score: Mapped[int | None]
    f_score: Mapped[int | None]
    m_score: Mapped[int | None]
    rfm_segment: Mapped[str | None] = mapped_column(String(32))
    aov_band: Mapped[str | None] = mapped_column(String(32))
    messages_7d: Mapped[int] = mapped_column(default=0)
    messages_30d: Mapped[int] = mapped_column(default=0)
    speaking_days_7d: Mapped[int] = mapped_column(default=0, server_default="0")
    speaking_days_30d: Mapped[int] = mapped_column(default=0)
    checkins_30d: Mapped[int] = mapped_column(default=0)
    checkin_streak: Mapped[int] = mapped_column(default=0)
    replies_30d: Mapped[int] = mapped_column(default=0)
    mentions_30d: Mapped[int] = mapped_column(default=0)
    last_message_days: Mapped[int | None]
    last_active_days: Mapped[int | None]
    tenure_days: Mapped[int] = mapped_column(default=0)
    groups_current: Mapped[int] = mapped_column(default=0)
    activity_level: Mapped[str] = mapped_column(String(16))
    layer: Mapped[str] = mapped_column(String(16))
    lurker: Mapped[bool] = mapped_column(Boolean, default=False)
    giveaway_only: Mapped[bool] = mapped_column(Boolean, default=False)
    lifecycle: Mapped[str] = mapped_column(String(16))
    propensity: Mapped[float | None] = mapped_column(Float)
    potential_buyer: Mapped[bool] = mapped_column(Boolean, default=False)


class MemberMerge(Base):
    """Two members found to be one person: what was moved, so the merge can be undone."""

    __tablename__ = "member_merge"
    __table_args__ = (Index("ix_member_merge_workspace", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    survivor_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    merged_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(256))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(256))


# --- engagement: gate, welcome, FAQ, experts, timeline (issue #6) ------------------------


class EngageConfigRecord(Base):
    """A group's engagement settings (validated ``EngageConfig`` JSON) and their version."""

    __tablename__ = "engage_config"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("chat_group.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    doc: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(256), default="")


class EngageWorkspace(Base):
    """Workspace-wide engagement state: the FAQ revision, shared variables, ignore examples."""

    __tablename__ = "engage_workspace"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    faq_revision: Mapped[int] = mapped_column(default=0)
    doc: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FaqEntryRecord(Base):
    """A FAQ entry: question, answers, keyword rules, example questions, expert topic."""

    __tablename__ = "faq_entry"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(String(500))
    answer_zh: Mapped[str | None] = mapped_column(Text)
    answer_en: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    examples: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    topic: Mapped[str | None] = mapped_column(String(64))
    group_ids: Mapped[list[Any] | None] = mapped_column(JsonDoc)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FaqQuestion(Base):
    """A member's question: answered by the FAQ, waiting for an answer, or answered by someone."""

    __tablename__ = "faq_question"
    __table_args__ = (
        Index("ix_faq_question_status", "workspace_id", "status", "asked_at"),
        Index("ix_faq_question_message", "group_id", "message_id"),
        Index("ix_faq_question_answer", "group_id", "answer_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_group.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    message_id: Mapped[str | None] = mapped_column(String(256))
    user_id: Mapped[str | None] = mapped_column(String(256))
    user_name: Mapped[str | None] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    """faq (answered automatically), open, routed, answered, dismissed."""
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("faq_entry.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)
    topic: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(256))
    """Who answered: ``faq``, ``operator:<name>`` or ``member``."""
    answer_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    answer_message_id: Mapped[str | None] = mapped_column(String(256))
    helpful: Mapped[bool] = mapped_column(Boolean, default=False)
    routed_to: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    """Member ids of the experts asked."""


class GateChallenge(Base):
    """One newcomer's entry check in one group, and its outcome (the gate's decision log)."""

    __tablename__ = "gate_challenge"
    __table_args__ = (
        Index("ix_gate_challenge_member", "group_id", "member_id", "status"),
        Index("ix_gate_challenge_time", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_group.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(256))
    user_name: Mapped[str | None] = mapped_column(String(256))
    via: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    """pending, passed, failed, timed_out, refused, left."""
    step: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    expected: Mapped[str | None] = mapped_column(String(256))
    """The captcha's answer when it is generated (arithmetic)."""
    answers: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    created_at: Mapped[datetime]
    deadline: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")


class WelcomePending(Base):
    """A newcomer waiting for the group's next (merged) welcome."""

    __tablename__ = "welcome_pending"
    __table_args__ = (UniqueConstraint("group_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_group.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(256))
    joined_at: Mapped[datetime]


class EngageJob(Base):
    """A time-based task (gate timeout, merged welcome, expert call); one per key, run once."""

    __tablename__ = "engage_job"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_engage_job_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("chat_group.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EngageCounter(Base):
    """A named counter with its last time: fatigue per day/week, FAQ cool-downs, expert limits."""

    __tablename__ = "engage_counter"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    count: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime]


class ContentItem(Base):
    """A piece of the content library: a post text with placeholders, under a key."""

    __tablename__ = "content_item"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    body_zh: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Timeline(Base):
    """A named schedule of posts (群SOP): calendar and day-offset rules; maybe a theme default."""

    __tablename__ = "timeline"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    theme: Mapped[str | None] = mapped_column(String(32))
    """Groups of this theme without a timeline of their own follow this one."""
    rules: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TimelineCursor(Base):
    """How far a group's timeline has been worked through, and when its next slot falls."""

    __tablename__ = "timeline_cursor"
    __table_args__ = (Index("ix_timeline_cursor_due", "next_due_at"),)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("chat_group.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    timeline_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline.id", ondelete="SET NULL")
    )
    checked_until: Mapped[datetime]
    next_due_at: Mapped[datetime | None]


class TimelineSlot(Base):
    """One slot of a group's timeline, recorded once: the proof it was not sent twice."""

    __tablename__ = "timeline_slot"
    __table_args__ = (
        UniqueConstraint("group_id", "slot_key"),
        Index("ix_timeline_slot_time", "workspace_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("chat_group.id", ondelete="CASCADE"))
    slot_key: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    """sent, skipped_fatigue, skipped_late, skipped_empty."""
    created_at: Mapped[datetime]


# --- moderation: rulebooks, verdicts, ladder history, blocklist, review queue (issue #3) ---


class ModerationRulebook(Base):
    """A rulebook (validated ``Rulebook`` JSON): the workspace default or one group's override."""

    __tablename__ = "moderation_rulebook"
    __table_args__ = (UniqueConstraint("workspace_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(32))
    """``default`` for the workspace, else the group's id as text."""
    group_id: Mapped[int | None] = mapped_column(ForeignKey("chat_group.id", ondelete="CASCADE"))
    doc: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(256), default="")


class ModerationVerdict(Base):
    """One moderation decision that was not 'allow': rule, evidence, ladder step and commands."""

    __tablename__ = "moderation_verdict"
    __table_args__ = (Index("ix_moderation_verdict_time", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("chat_group.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"),
                                                  index=True)
    platform: Mapped[str] = mapped_column(String(32))
    user_ref: Mapped[str | None] = mapped_column(String(128))
    group_ref: Mapped[str | None] = mapped_column(String(128))
    message_ref: Mapped[str | None] = mapped_column(String(128))
    event_kind: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    """act, review or refused (a blocklisted person joining)."""
    rule: Mapped[str] = mapped_column(String(128))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    step: Mapped[str | None] = mapped_column(String(16))
    mute_seconds: Mapped[int | None]
    commands: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="standing")
    """standing, confirmed or overturned."""
    text: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime]


class ModerationViolation(Base):
    """A counted violation on a member's ladder (removed when its verdict is overturned)."""

    __tablename__ = "moderation_violation"
    __table_args__ = (Index("ix_moderation_violation_member", "member_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    verdict_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_verdict.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]


class ModerationBlock(Base):
    """A person blocklisted across every group of the workspace."""

    __tablename__ = "moderation_blocklist"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    verdict_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_verdict.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime]


class ModerationReview(Base):
    """A verdict waiting for an operator: a borderline message, or a member's appeal."""

    __tablename__ = "moderation_review"
    __table_args__ = (Index("ix_moderation_review_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    verdict_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_verdict.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    """review (borderline, nothing done yet) or appeal (a member contests an action)."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, confirmed or overturned."""
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(256))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ModerationModel(Base):
    """A workspace's own spam classifier (the ``.npz`` bytes), versioned."""

    __tablename__ = "moderation_model"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(default=1)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
