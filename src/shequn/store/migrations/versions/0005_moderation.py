"""moderation

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shequn.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "moderation_model",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("meta", _JSON, nullable=False),
        sa.Column("updated_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id"),
    )
    op.create_table(
        "moderation_rulebook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("doc", _JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "scope"),
    )
    op.create_table(
        "moderation_verdict",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("event_id", _BIG, nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("member_id", _BIG, nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_ref", sa.String(length=128), nullable=True),
        sa.Column("group_ref", sa.String(length=128), nullable=True),
        sa.Column("message_ref", sa.String(length=128), nullable=True),
        sa.Column("event_kind", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("evidence", _JSON, nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("step", sa.String(length=16), nullable=True),
        sa.Column("mute_seconds", sa.Integer(), nullable=True),
        sa.Column("commands", _JSON, nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("occurred_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["group_id"], ["chat_group.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_verdict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_verdict_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_moderation_verdict_time", ["workspace_id", "created_at"], unique=False
        )

    op.create_table(
        "moderation_blocklist",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("member_id", _BIG, nullable=False),
        sa.Column("verdict_id", _BIG, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=256), nullable=False),
        sa.Column("created_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["verdict_id"], ["moderation_verdict.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "member_id"),
    )
    op.create_table(
        "moderation_review",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("verdict_id", _BIG, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=256), nullable=True),
        sa.Column("decided_at", shequn.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["verdict_id"], ["moderation_verdict.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_review_status", ["workspace_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_review_verdict_id"), ["verdict_id"], unique=False
        )

    op.create_table(
        "moderation_violation",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("member_id", _BIG, nullable=False),
        sa.Column("verdict_id", _BIG, nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("at", shequn.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["verdict_id"], ["moderation_verdict.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_violation", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_violation_member", ["member_id", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_moderation_violation_verdict_id"), ["verdict_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("moderation_violation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_violation_verdict_id"))
        batch_op.drop_index("ix_moderation_violation_member")

    op.drop_table("moderation_violation")
    with op.batch_alter_table("moderation_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_review_verdict_id"))
        batch_op.drop_index("ix_moderation_review_status")

    op.drop_table("moderation_review")
    op.drop_table("moderation_blocklist")
    with op.batch_alter_table("moderation_verdict", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_verdict_time")
        batch_op.drop_index(batch_op.f("ix_moderation_verdict_member_id"))

    op.drop_table("moderation_verdict")
    op.drop_table("moderation_rulebook")
    op.drop_table("moderation_model")
