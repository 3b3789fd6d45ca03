"""form_intake: the agreement form is kept from just before its ack until the commit that saves it

Saving a new case takes about 50 statements; the form is now acknowledged once checked and kept here, and
saved after the ack. A process that stops between the two loses nothing: the next scheduled pass saves
the forms still waiting (issue 17).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 11:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_intake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("view_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("form_values", storage.crypto.EncryptedJSON(), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "view_id"),
    )
    op.create_index("ix_form_intake_received_at", "form_intake", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_form_intake_received_at", table_name="form_intake")
    op.drop_table("form_intake")
