"""supervision records, wellbeing checks, reviews, and a worker's own start date

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC_TIME = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    # A plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): a batch rebuild of `people` would have to drop
    # a table that cases and members reference, which SQLite refuses with foreign keys on.
    op.add_column("people", sa.Column("started_on", sa.Date(), nullable=True))
    op.create_table(
        "supervision_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("schedule_item_id", sa.Integer(), nullable=True),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("view_key", sa.String(length=80), nullable=False),
        sa.Column("held_at", UTC_TIME, nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("learning", sa.Text(), nullable=True),
        sa.Column("next_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"]),
        sa.ForeignKeyConstraint(["schedule_item_id"], ["schedule_items.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "view_key"),
    )
    op.create_index("ix_supervision_records_case_id", "supervision_records", ["case_id"], unique=False)
    op.create_table(
        "wellbeing_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("supervision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["supervision_id"], ["supervision_records.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_wellbeing_checks_person_id", "wellbeing_checks", ["person_id"], unique=False)
    op.create_index(
        "ix_wellbeing_checks_supervision_id", "wellbeing_checks", ["supervision_id"], unique=False
    )
    op.create_table(
        "review_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("view_key", sa.String(length=80), nullable=False),
        sa.Column("reviewed_at", UTC_TIME, nullable=False),
        sa.Column("reviewed_by", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "view_key"),
    )
    op.create_index("ix_review_records_case_id", "review_records", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_review_records_case_id", table_name="review_records")
    op.drop_table("review_records")
    op.drop_index("ix_wellbeing_checks_supervision_id", table_name="wellbeing_checks")
    op.drop_index("ix_wellbeing_checks_person_id", table_name="wellbeing_checks")
    op.drop_table("wellbeing_checks")
    op.drop_index("ix_supervision_records_case_id", table_name="supervision_records")
    op.drop_table("supervision_records")
    op.drop_column("people", "started_on")
