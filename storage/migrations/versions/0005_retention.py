"""retention: a partial index for discussions whose raw thread text is still kept

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("discussions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_discussions_raw_text_kept",
            ["recorded_at"],
            unique=False,
            sqlite_where=sa.text("raw_purged_at IS NULL"),
            postgresql_where=sa.text("raw_purged_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("discussions", schema=None) as batch_op:
        batch_op.drop_index("ix_discussions_raw_text_kept")
