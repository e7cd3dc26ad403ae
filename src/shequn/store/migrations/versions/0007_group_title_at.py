"""groups: when their platform title was seen

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shequn.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_at", shequn.store.types.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_group", schema=None) as batch_op:
        batch_op.drop_column("title_at")
