"""Indexes for the scheduled pass: its look-ups follow what changed or is stale, not the caseload

The pass runs every minute. Finding people whose Slack time zone is stale listed everyone on an open case
first, and the App Home refresh read every outbox row ever queued to find the ones since its last look;
both now start from an index range (people.tz_fetched_at, outbox.created_at) and ask the rest by index
(cases.manager_id, leave.cover_id). Measured by benchmarks/sweep.py (issue 17).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 09:00:00
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_people_tz_fetched_at", "people", "tz_fetched_at"),
    ("ix_cases_manager_id", "cases", "manager_id"),
    ("ix_leave_cover_id", "leave", "cover_id"),
    ("ix_outbox_created_at", "outbox", "created_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
