"""urgent concerns: a concern marked urgent in a case thread, and its alert chain

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "urgent_concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("raised_by", sa.String(length=32), nullable=False),
        sa.Column("raised_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("level_sent", sa.Integer(), nullable=False),
        sa.Column("next_check_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "channel_id", "message_ts"),
    )
    op.create_index("ix_urgent_concerns_case_id", "urgent_concerns", ["case_id"], unique=False)
    op.create_index("ix_urgent_concerns_next_check_at", "urgent_concerns", ["next_check_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_urgent_concerns_next_check_at", table_name="urgent_concerns")
    op.drop_index("ix_urgent_concerns_case_id", table_name="urgent_concerns")
    op.drop_table("urgent_concerns")
