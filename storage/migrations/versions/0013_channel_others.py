"""cases.channel_others: how many people in the case's channel are not on the case

Counted when the case opens, when someone joins the channel and daily; the card shows it, so everyone
sees that people outside the case can read its thread (issue 18).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("channel_others", sa.Integer(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: it would copy and drop `cases`, which other tables' foreign keys refer to.
        op.execute("ALTER TABLE cases DROP COLUMN channel_others")  # SQLite 3.35 and later
    else:
        op.drop_column("cases", "channel_others")
