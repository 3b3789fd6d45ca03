"""encrypt Slack's tokens at rest: the installation tables' token columns become text, values encrypted

slack_sdk's SQLAlchemy installation store kept each workspace's bot token (and refresh token) as Slack
issued it; casebot's store (storage/installations.py) now encrypts them with CASEBOT_DATA_KEYS like case
text. The columns were VARCHAR(200), too short for an encrypted rotating token, so they become TEXT. Needs
the keys only when there are rows to encrypt. A value already encrypted is left as it is, so a second
run changes nothing.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 07:30:00
"""

import sqlalchemy as sa
from alembic import op

from storage import crypto

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _by_table() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table, column, _ in crypto.ENCRYPTED_TOKENS:
        found.setdefault(table, []).append(column)
    return found


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")  # the plain tokens' old pages are zeroed, not left behind
    for table, columns in _by_table().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(length=200), type_=sa.Text())
    for table, column, _ in crypto.ENCRYPTED_TOKENS:
        _rewrite(conn, table, column, encrypt=True)


def _rewrite(conn, table: str, column: str, *, encrypt: bool) -> None:
    t = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, sa.Text()))
    col = t.c[column]
    rows = conn.execute(sa.select(t.c.id, col).where(col.is_not(None)).order_by(t.c.id)).all()
    if not rows:
        return  # few rows (one per install): no batches; no keys needed for an empty table
    cipher = crypto.cipher_for(conn.dialect)
    if encrypt:
        updates = [{"b_id": r.id, "b_value": cipher.encrypt(r[1])} for r in rows if _plain(cipher, r[1])]
    else:
        updates = [
            {"b_id": r.id, "b_value": cipher.decrypt(r[1])} for r in rows if r[1].startswith(crypto.PREFIX)
        ]
    if updates:
        conn.execute(
            t.update().where(t.c.id == sa.bindparam("b_id")).values({column: sa.bindparam("b_value")}),
            updates,
        )


def _plain(cipher: crypto.Cipher, value: str) -> bool:
    if not value.startswith(crypto.PREFIX):
        return True
    if cipher.is_encrypted(value):
        return False
    raise crypto.DataKeyError(
        "a token is encrypted with a key that is not in CASEBOT_DATA_KEYS: give every key in use, newest first"
    )


def downgrade() -> None:
    conn = op.get_bind()
    for table, column, _ in crypto.ENCRYPTED_TOKENS:
        _rewrite(conn, table, column, encrypt=False)
    for table, columns in _by_table().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=200))
