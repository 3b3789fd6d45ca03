"""cover_approvals: a manager's approval for a cover to read a case's notes while covering

A cover gets the reminders and follow-ups of the person on leave; reading, exporting or amending the
case's notes needs the case manager's approval, asked for by a button in the manager's DM. An approval
belongs to one leave and one case, so it ends with the leave (issue 18).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:40:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cover_approvals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), sa.ForeignKey("workspaces.team_id"), nullable=False),
        sa.Column("leave_id", sa.Integer(), sa.ForeignKey("leave.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("requested_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("approved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("leave_id", "case_id"),
    )


def downgrade() -> None:
    op.drop_table("cover_approvals")
