"""Figure: plain case text found in the database after the encryption migration (goal: 0).

1. A SQLite database at the revision before encryption gets rows with planted case text in every
   case-text column (storage/crypto.ENCRYPTED_COLUMNS), is upgraded, and its files (the database, and
   its -wal/-shm if any) are read as bytes and searched for the planted text: before and after.
2. The demo's whole journey (agreement, discussion, replies, actions, a signed-off note, an export) runs
   on a new SQLite file, which is then searched for what the people in it typed.
3. On PostgreSQL when reachable (a `casebot_bench_plain` database is created for it), the same planted
   rows are upgraded and every case-text column's stored values are searched.

    .venv/bin/python benchmarks/plaintext_hits.py [--rows 50] [--no-postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import text as sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import ephemeral_data_keys  # noqa: E402
from storage import crypto, migrate  # noqa: E402
from storage.db import make_engine  # noqa: E402
from tests.storage.test_encryption import (  # noqa: E402
    file_bytes,
    plant_rows_before_encryption,
    raw_values,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/casebot_bench_plain"
DEMO_TYPED = [
    "What would help the family take part in the plan?",
    "Health visitor saw the baby last week",
    "Mum may be worried the plan is about taking the children",
    "explain the plan to mum together",
    "book an interpreter for the joint visit",
    "ask the school how attendance has been",
    "asking mum what she already knew",
    "Chair the next core group with support",
    "School and health visitor only, with parental consent",
    "Interpreter booked, time confirmed with mum",
]


def planted_sqlite(tmp: str, rows: int) -> None:
    url = f"sqlite:///{tmp}/planted.db"
    engine = make_engine(url)
    crypto.bind(engine, ephemeral_data_keys())
    migrate.upgrade(engine)
    plant_rows_before_encryption(engine, rows=rows)
    engine.dispose()
    before = file_bytes(url).count(b"PLANTED")
    engine = make_engine(url)
    crypto.bind(engine, ephemeral_data_keys())
    migrate.upgrade(engine)
    values = len(raw_values(engine))
    engine.dispose()
    after = file_bytes(url).count(b"PLANTED")
    print(
        f"  SQLite file, {values} planted values in {len(crypto.ENCRYPTED_COLUMNS)} columns: "
        f"{before} plaintext hits before the migration, {after} after (goal 0)"
    )


def demo_journey(tmp: str) -> None:
    from bot.sandbox.demo import run_demo

    path = Path(tmp) / "demo.db"
    run_demo(db_path=str(path), out=lambda *_: None)
    data = file_bytes(f"sqlite:///{path}")
    hits = [typed for typed in DEMO_TYPED if typed.encode() in data]
    print(
        f"  SQLite file after the demo's journey: {len(hits)} of {len(DEMO_TYPED)} typed texts found (goal 0)"
    )


def planted_postgres(url: str, rows: int) -> None:
    engine = make_engine(url)
    crypto.bind(engine, ephemeral_data_keys())
    migrate.upgrade(engine)
    plant_rows_before_encryption(engine, rows=rows)
    before = sum("PLANTED" in value for value in raw_values(engine))
    migrate.upgrade(engine)
    values = raw_values(engine)
    after = sum("PLANTED" in value for value in values)
    engine.dispose()
    print(
        f"  PostgreSQL, {len(values)} planted values: {before} stored in plain text before the migration, "
        f"{after} after (goal 0)"
    )


def postgres_url(requested: str | None) -> str | None:
    url = requested or DEFAULT_PG
    server, name = url.rsplit("/", 1)[0] + "/postgres", url.rsplit("/", 1)[1]
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sql(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # no server here: say so and run SQLite only
        print(f"PostgreSQL not available ({type(exc).__name__}); skipping it.")
        return None
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50, help="planted rows per table (50)")
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be dropped and re-created")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print("Plain case text at rest:")
    with tempfile.TemporaryDirectory() as tmp:
        planted_sqlite(tmp, args.rows)
        demo_journey(tmp)
    if not args.no_postgres and (pg := postgres_url(args.postgres)):
        planted_postgres(pg, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
