"""engagement: gate, welcome, FAQ, experts, timeline

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shequn.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "content_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=True),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("updated_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "key"),
    )
    op.create_table(
        "engage_counter",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("engage_counter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engage_counter_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "engage_workspace",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("faq_revision", sa.Integer(), nullable=False),
        sa.Column("doc", _JSON, nullable=False),
        sa.Column("updated_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id"),
    )
    op.create_table(
        "faq_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answer_zh", sa.Text(), nullable=True),
        sa.Column("answer_en", sa.Text(), nullable=True),
        sa.Column("keywords", _JSON, nullable=False),
        sa.Column("examples", _JSON, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("group_ids", _JSON, nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "key"),
    )
    op.create_table(
        "timeline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=True),
        sa.Column("rules", _JSON, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name"),
    )
    op.create_table(
        "engage_config",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("doc", _JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id"),
    )
    with op.batch_alter_table("engage_config", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engage_config_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "engage_job",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("due_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("created_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "key"),
    )
    with op.batch_alter_table("engage_job", schema=None) as batch_op:
        batch_op.create_index("ix_engage_job_due", ["due_at"], unique=False)

    op.create_table(
        "gate_challenge",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", _BIG, nullable=False),
        sa.Column("user_id", sa.String(length=256), nullable=False),
        sa.Column("user_name", sa.String(length=256), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expected", sa.String(length=256), nullable=True),
        sa.Column("answers", _JSON, nullable=False),
        sa.Column("created_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", shequn.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gate_challenge", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gate_challenge_member", ["group_id", "member_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_gate_challenge_time", ["workspace_id", "created_at"], unique=False
        )

    op.create_table(
        "timeline_cursor",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("timeline_id", sa.Integer(), nullable=True),
        sa.Column("checked_until", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_due_at", shequn.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["timeline_id"], ["timeline.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id"),
    )
    with op.batch_alter_table("timeline_cursor", schema=None) as batch_op:
        batch_op.create_index("ix_timeline_cursor_due", ["next_due_at"], unique=False)

    op.create_table(
        "timeline_slot",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("slot_key", sa.String(length=128), nullable=False),
        sa.Column("due_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "slot_key"),
    )
    with op.batch_alter_table("timeline_slot", schema=None) as batch_op:
        batch_op.create_index("ix_timeline_slot_time", ["workspace_id", "due_at"], unique=False)

    op.create_table(
        "welcome_pending",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", _BIG, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("joined_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "member_id"),
    )
    op.create_table(
        "faq_question",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", _BIG, nullable=True),
        sa.Column("event_id", _BIG, nullable=True),
        sa.Column("message_id", sa.String(length=256), nullable=True),
        sa.Column("user_id", sa.String(length=256), nullable=True),
        sa.Column("user_name", sa.String(length=256), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("answered_at", shequn.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=256), nullable=True),
        sa.Column("answer_member_id", _BIG, nullable=True),
        sa.Column("answer_message_id", sa.String(length=256), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("routed_to", _JSON, nullable=False),
        sa.ForeignKeyConstraint(["answer_member_id"], ["member.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["entry_id"], ["faq_entry.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("faq_question", schema=None) as batch_op:
        batch_op.create_index(
            "ix_faq_question_answer", ["group_id", "answer_message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_faq_question_answer_member_id"), ["answer_member_id"], unique=False
        )
        batch_op.create_index("ix_faq_question_message", ["group_id", "message_id"], unique=False)
        batch_op.create_index(
            "ix_faq_question_status", ["workspace_id", "status", "asked_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("faq_question", schema=None) as batch_op:
        batch_op.drop_index("ix_faq_question_status")
        batch_op.drop_index("ix_faq_question_message")
        batch_op.drop_index(batch_op.f("ix_faq_question_answer_member_id"))
        batch_op.drop_index("ix_faq_question_answer")

    op.drop_table("faq_question")
    op.drop_table("welcome_pending")
    with op.batch_alter_table("timeline_slot", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_slot_time")

    op.drop_table("timeline_slot")
    with op.batch_alter_table("timeline_cursor", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_cursor_due")

    op.drop_table("timeline_cursor")
    with op.batch_alter_table("gate_challenge", schema=None) as batch_op:
        batch_op.drop_index("ix_gate_challenge_time")
        batch_op.drop_index("ix_gate_challenge_member")

    op.drop_table("gate_challenge")
    with op.batch_alter_table("engage_job", schema=None) as batch_op:
        batch_op.drop_index("ix_engage_job_due")

    op.drop_table("engage_job")
    with op.batch_alter_table("engage_config", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engage_config_workspace_id"))

    op.drop_table("engage_config")
    op.drop_table("timeline")
    op.drop_table("faq_entry")
    op.drop_table("engage_workspace")
    with op.batch_alter_table("engage_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engage_counter_workspace_id"))

    op.drop_table("engage_counter")
    op.drop_table("content_item")
