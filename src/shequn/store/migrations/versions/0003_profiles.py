"""profiles: computed member profiles and identity merges

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shequn.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, shequn.store.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "member_profile",
        sa.Column("member_id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        _time("computed_at"),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("monetary_cents", sa.BigInteger(), nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=True),
        sa.Column("r_score", sa.Integer(), nullable=True),
        sa.Column("f_score", sa.Integer(), nullable=True),
        sa.Column("m_score", sa.Integer(), nullable=True),
        sa.Column("rfm_segment", sa.String(length=32), nullable=True),
        sa.Column("aov_band", sa.String(length=32), nullable=True),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("messages_7d", "messages_30d", "speaking_days_30d", "checkins_30d",
                         "checkin_streak", "replies_30d", "mentions_30d")
        ],
        sa.Column("last_message_days", sa.Integer(), nullable=True),
        sa.Column("last_active_days", sa.Integer(), nullable=True),
        sa.Column("tenure_days", sa.Integer(), nullable=False),
        sa.Column("groups_current", sa.Integer(), nullable=False),
        sa.Column("activity_level", sa.String(length=16), nullable=False),
        sa.Column("layer", sa.String(length=16), nullable=False),
        sa.Column("lurker", sa.Boolean(), nullable=False),
        sa.Column("giveaway_only", sa.Boolean(), nullable=False),
        sa.Column("lifecycle", sa.String(length=16), nullable=False),
        sa.Column("propensity", sa.Float(), nullable=True),
        sa.Column("potential_buyer", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    with op.batch_alter_table("member_profile", schema=None) as batch_op:
        batch_op.create_index("ix_member_profile_workspace",
                              ["workspace_id", "layer", "lifecycle"], unique=False)

    op.create_table(
        "member_merge",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", _BIG, nullable=False),
        sa.Column("merged_id", _BIG, nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=False),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        _time("created_at"),
        _time("undone_at", nullable=True),
        sa.Column("undone_by", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(["merged_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["survivor_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("member_merge", schema=None) as batch_op:
        batch_op.create_index("ix_member_merge_workspace", ["workspace_id", "created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("member_merge", schema=None) as batch_op:
        batch_op.drop_index("ix_member_merge_workspace")
    op.drop_table("member_merge")
    with op.batch_alter_table("member_profile", schema=None) as batch_op:
        batch_op.drop_index("ix_member_profile_workspace")
    op.drop_table("member_profile")
