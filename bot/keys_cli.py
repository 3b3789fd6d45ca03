"""`casebot keys generate|rotate`: the keys that encrypt case text at rest (CASEBOT_DATA_KEYS).

Rotating: put a new key first in CASEBOT_DATA_KEYS (keep the old ones after it) wherever casebot runs
and restart it, so new text is written with the new key; then `casebot keys rotate` re-encrypts every
stored value with it, a batch at a time, each batch committed, with a progress line each. Interrupted,
it can simply be run again: values already under the newest key are skipped. When it says it is done,
the old keys can be removed. Keys are never printed, except the new one `generate` makes.
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa

from bot.config import Settings
from storage import crypto, migrate
from storage.db import make_engine


def add_commands(commands) -> None:
    keys = commands.add_parser("keys", help="make a data key, or re-encrypt case text with the newest key")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    actions.add_parser("generate", help="print a new key for CASEBOT_DATA_KEYS")
    rotate = actions.add_parser(
        "rotate", help="re-encrypt every encrypted value with the first key in CASEBOT_DATA_KEYS (resumable)"
    )
    rotate.add_argument("--batch", type=int, default=500, metavar="N", help="rows per transaction (500)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.keys_command == "generate":
        print(crypto.generate_key())
        return 0
    engine = make_engine(settings.database_url)
    try:
        cipher = crypto.bind(engine, settings.require_data_keys())
        if settings.database_url.startswith("sqlite"):
            migrate.upgrade(engine)
        rotated = sum(
            rotate_column(engine, cipher, table, column, max(1, args.batch))
            for table, column, _ in crypto.ROTATED_COLUMNS
        )
    except crypto.DataKeyError as exc:
        print(f"casebot: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(
        f"casebot: done: {rotated} values re-encrypted; every encrypted value is under the newest key, so "
        "the older keys can now be removed from CASEBOT_DATA_KEYS."
    )
    return 0


def rotate_column(engine, cipher: crypto.Cipher, table: str, column: str, batch: int, out=print) -> int:
    """Re-encrypt one column's values under the newest key, `batch` rows per committed transaction.

    Each row is updated only if it still holds the value that was read (a write by a running casebot in
    between is kept), so this can run beside casebot and be run again after an interruption."""
    t = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, sa.Text()))
    col = t.c[column]
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(t).where(col.is_not(None))).scalar_one()
    done, changed, last_id = 0, 0, 0
    while total:
        with engine.begin() as conn:
            rows = conn.execute(
                sa.select(t.c.id, col).where(t.c.id > last_id, col.is_not(None)).order_by(t.c.id).limit(batch)
            ).all()
            if not rows:
                break
            updates = []
            for row in rows:
                if cipher.is_current(row[1]):
                    continue
                try:
                    updates.append({"b_id": row.id, "b_old": row[1], "b_new": cipher.rotate(row[1])})
                except crypto.DataKeyError:
                    raise crypto.DataKeyError(
                        f"{table}.{column} row {row.id} cannot be decrypted with any key in "
                        "CASEBOT_DATA_KEYS: add the key it was written with (after the newest), then rerun"
                    ) from None
            if updates:
                conn.execute(
                    t.update()
                    .where(t.c.id == sa.bindparam("b_id"), col == sa.bindparam("b_old"))
                    .values({column: sa.bindparam("b_new")}),
                    updates,
                )
        done, changed, last_id = done + len(rows), changed + len(updates), rows[-1].id
        out(f"casebot: {table}.{column}: {done} of {total} rows looked at, {changed} re-encrypted")
    return changed
