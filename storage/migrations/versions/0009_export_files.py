"""export files: notes exports casebot put in Slack, and when the sweep deletes them there

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("uploaded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delete_after", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_id"),
    )
    op.create_index("ix_export_files_delete_after", "export_files", ["delete_after"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_export_files_delete_after", table_name="export_files")
    op.drop_table("export_files")
