"""audit chain: prev_hash and row_hash on every audit entry, each workspace's head; existing rows chained

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 01:30:00
"""

import sys

import sqlalchemy as sa
from alembic import op

import storage.types
from storage import audit

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 1000

_audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("team_id", sa.String()),
    sa.column("at", storage.types.UTCDateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)
_heads = sa.table(
    "audit_heads",
    sa.column("team_id", sa.String()),
    sa.column("head_hash", sa.String()),
    sa.column("entries"),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_heads",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_audit_heads_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_audit_heads")),
    )
    _chain_existing_rows(op.get_bind())


def _chain_existing_rows(conn) -> None:
    """Chain what is there, per workspace in id order, a batch at a time (rows already chained by an
    earlier, interrupted run are chained again the same way: the result does not depend on it)."""
    total = conn.execute(sa.select(sa.func.count()).select_from(_audit_log)).scalar_one()
    heads: dict[str, tuple[str, int]] = {}
    done, last_id = 0, 0
    while True:
        rows = conn.execute(
            sa.select(_audit_log).where(_audit_log.c.id > last_id).order_by(_audit_log.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        updates = []
        for row in rows:
            prev, count = heads.get(row.team_id, (audit.GENESIS, 0))
            fields = row._asdict() | {"prev_hash": prev, "detail": audit.normalise_detail(row.detail)}
            row_hash = audit.entry_hash(**{k: v for k, v in fields.items() if k not in ("id", "row_hash")})
            heads[row.team_id] = (row_hash, count + 1)
            updates.append({"b_id": row.id, "b_prev": prev, "b_hash": row_hash})
        conn.execute(
            _audit_log.update()
            .where(_audit_log.c.id == sa.bindparam("b_id"))
            .values(prev_hash=sa.bindparam("b_prev"), row_hash=sa.bindparam("b_hash")),
            updates,
        )
        done, last_id = done + len(rows), rows[-1].id
        print(f"casebot: chained {done} of {total} audit entries", file=sys.stderr)
    conn.execute(_heads.delete())
    if heads:
        conn.execute(
            _heads.insert(),
            [{"team_id": team, "head_hash": h, "entries": n} for team, (h, n) in heads.items()],
        )


def downgrade() -> None:
    op.drop_table("audit_heads")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
