"""Indexes for opening a case: earlier cases by reference, a team's admins by role

Saving a new case looks for the newest earlier case with its reference, open or closed (a re-used
reference links to it). The only index on references holds open cases, so SQLite read every case the
team ever had and sorted them, inside the save's write transaction, which acks wait for on SQLite. The
count of who else can read the new case's thread read every person casebot knew to find the admins.
Both are now index look-ups (issue 17: constant in the number of cases and people).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 00:45:00
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_reference", "cases", ["team_id", "reference"], unique=False)
    op.create_index("ix_people_role", "people", ["team_id", "role"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_people_role", table_name="people")
    op.drop_index("ix_cases_reference", table_name="cases")
