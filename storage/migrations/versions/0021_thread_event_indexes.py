"""Indexes for thread events: the case by its thread, a reply's captured items by the reply

Every thread reply, edit and reaction finds its case by (team, channel, thread). SQLite did it through
the index on open references, reading every open case of the team (a team keeps its cases in one
channel, so the channel's index was no better): in benchmarks/ack.py a reply's ack slowed as the form
measure before it opened cases. A marked or edited reply's items were found by reading every item the
team had captured. Both are now one index look-up (issue 17: constant in the number of cases).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 21:00:00
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_thread", "cases", ["channel_id", "thread_ts"], unique=False)
    op.create_index("ix_captured_items_message_id", "captured_items", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_captured_items_message_id", table_name="captured_items")
    op.drop_index("ix_cases_thread", table_name="cases")
