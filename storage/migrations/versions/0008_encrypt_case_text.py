"""encrypt case text at rest: case-text JSON columns become text, and every existing value is encrypted

Needs CASEBOT_DATA_KEYS when there are rows to encrypt (the engine's cipher, storage/crypto.py).
Rows are encrypted a batch at a time with a progress line per batch. A value already encrypted with
one of the keys is left as it is, so running this again after an interruption (the whole upgrade is one
transaction, so an interrupted run leaves nothing half done) or over rows encrypted some other way never
encrypts anything twice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 01:40:00
"""

import sys

import sqlalchemy as sa
from alembic import op

from storage import crypto

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 500


def _json_columns() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table, column, kind in crypto.ENCRYPTED_COLUMNS:
        if kind == "json":
            found.setdefault(table, []).append(column)
    return found


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Overwrite what is freed (the plain text being replaced, the tables batch mode rebuilds) with
        # zeros, so no plain text is left in the file's free space; migrate.upgrade then truncates the WAL.
        op.execute("PRAGMA secure_delete = ON")
    for table, columns in _json_columns().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.JSON(),
                    type_=sa.Text(),
                    existing_nullable=False,
                    postgresql_using=f"{column}::text",
                )
    conn = op.get_bind()
    for table, column, _ in crypto.ENCRYPTED_COLUMNS:
        _rewrite(conn, table, column, encrypt=True)


def _rewrite(conn, table: str, column: str, *, encrypt: bool) -> None:
    """Encrypt (or, going down, decrypt) one column's values, BATCH rows at a time, in id order."""
    t = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, sa.Text()))
    col = t.c[column]
    total = conn.execute(sa.select(sa.func.count()).select_from(t).where(col.is_not(None))).scalar_one()
    if not total:
        return
    cipher = crypto.cipher_for(conn.dialect)
    done, changed, last_id = 0, 0, 0
    while True:
        rows = conn.execute(
            sa.select(t.c.id, col).where(t.c.id > last_id, col.is_not(None)).order_by(t.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        if encrypt:
            updates = [
                {"b_id": row.id, "b_value": cipher.encrypt(row[1])} for row in rows if _plain(cipher, row[1])
            ]
        else:
            updates = [
                {"b_id": row.id, "b_value": cipher.decrypt(row[1])}
                for row in rows
                if row[1].startswith(crypto.PREFIX)
            ]
        if updates:
            conn.execute(
                t.update().where(t.c.id == sa.bindparam("b_id")).values({column: sa.bindparam("b_value")}),
                updates,
            )
        done, changed, last_id = done + len(rows), changed + len(updates), rows[-1].id
        verb = "encrypted" if encrypt else "decrypted"
        print(
            f"casebot: {table}.{column}: {done} of {total} rows looked at, {changed} {verb}", file=sys.stderr
        )


def _plain(cipher: crypto.Cipher, value: str) -> bool:
    if not value.startswith(crypto.PREFIX):
        return True
    if cipher.is_encrypted(value):
        return False  # done by an earlier run
    raise crypto.DataKeyError(
        "a value is encrypted with a key that is not in CASEBOT_DATA_KEYS: give every key in use, newest first"
    )


def downgrade() -> None:
    conn = op.get_bind()
    for table, column, _ in crypto.ENCRYPTED_COLUMNS:
        _rewrite(conn, table, column, encrypt=False)
    for table, columns in _json_columns().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.Text(),
                    type_=sa.JSON(),
                    existing_nullable=False,
                    postgresql_using=f"{column}::json",
                )
