"""Closing a case, and differences of view resolved or escalated

cases.closed_at and cases.previous_case_id (a reference re-used after a close links the new case to the
closed one); case_closures (one closing review per case: its note and what became of each open action,
ids only); difference_resolutions (a difference of view resolved, how, or escalated, to whom; append-only).
Issue 16.

Revision ID: 0016
Revises: 0014 (no 0015 exists in the chain)
Create Date: 2026-12-06 07:10:00
"""

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: it would copy and drop `cases`, which other tables' foreign keys refer to.
        op.execute("ALTER TABLE cases ADD COLUMN closed_at DATETIME")
        op.execute("ALTER TABLE cases ADD COLUMN previous_case_id INTEGER REFERENCES cases (id)")
    else:
        op.add_column(
            "cases", sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        op.add_column("cases", sa.Column("previous_case_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_cases_previous_case_id_cases", "cases", "cases", ["previous_case_id"], ["id"]
        )
    op.create_table(
        "case_closures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), sa.ForeignKey("workspaces.team_id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("view_key", sa.String(length=80), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=32), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
        sa.UniqueConstraint("team_id", "view_key"),
    )
    op.create_table(
        "difference_resolutions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), sa.ForeignKey("workspaces.team_id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("captured_items.id"), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("how", storage.crypto.EncryptedText(), nullable=True),
        sa.Column("escalated_to", sa.String(length=32), nullable=True),
        sa.Column("view_key", sa.String(length=80), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "view_key"),
    )
    op.create_index("ix_difference_resolutions_case_id", "difference_resolutions", ["case_id"])
    op.create_index("ix_difference_resolutions_item_id", "difference_resolutions", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_difference_resolutions_item_id", table_name="difference_resolutions")
    op.drop_index("ix_difference_resolutions_case_id", table_name="difference_resolutions")
    op.drop_table("difference_resolutions")
    op.drop_table("case_closures")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE cases DROP COLUMN previous_case_id")  # SQLite 3.35 and later
        op.execute("ALTER TABLE cases DROP COLUMN closed_at")
    else:
        op.drop_constraint("fk_cases_previous_case_id_cases", "cases", type_="foreignkey")
        op.drop_column("cases", "previous_case_id")
        op.drop_column("cases", "closed_at")
