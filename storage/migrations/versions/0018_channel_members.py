"""channel_members: a channel's members as casebot last read them, shared by every process

"Refuse when exposed" (CASEBOT_REFUSE_EXPOSED_CHANNELS) checks the agreement form against the channel's
members without a Slack call before the ack. They were kept in each process's memory, so a form
opened on one replica and saved on another was not checked at all; now they are a row per channel,
read when the form opens and re-read when someone joins the channel, trusted for 30 minutes (issue 18).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 07:20:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_members",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("read_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )


def downgrade() -> None:
    op.drop_table("channel_members")
