"""profiles: speaking days in the last 7 days

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaking_days_7d", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("member_profile", schema=None) as batch_op:
        batch_op.drop_column("speaking_days_7d")
