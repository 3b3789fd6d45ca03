"""Figure: how many single-row edits, insertions and deletions of the audit trail `verify` finds (goal: all).

Builds a chain of N entries in each of two workspaces (interleaved), then, one at a time on a fresh
copy, makes every single-row change an attacker with SQL access could make to one workspace's trail:
an UPDATE of each column of each entry, a DELETE of each entry, and an INSERT (without a hash, with
hashes copied from a neighbour, and with a correctly computed hash) after each entry and at the end.
Prints how many were found, per kind, on SQLite and on PostgreSQL when reachable (a
`casebot_bench_tamper` database is created for it).

    .venv/bin/python benchmarks/audit_tamper.py [--entries 12] [--no-postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import text as sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import audit, migrate  # noqa: E402
from storage import repository as repo  # noqa: E402
from storage.db import make_engine, make_sessions  # noqa: E402

NOW = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
TEAM, OTHER = "T1", "T2"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/casebot_bench_tamper"

UPDATES = {
    "team_id": "team_id = 'T2'",
    "at": "at = :later",
    "actor": "actor = 'UMALLORY'",
    "action": "action = 'notes.export'",
    "object_type": "object_type = 'case'",
    "object_id": "object_id = '999'",
    "outcome": "outcome = 'denied'",
    "detail": "detail = NULL",
    "prev_hash": "prev_hash = :fake",
    "row_hash": "row_hash = :fake",
}
INSERT = (
    "INSERT INTO audit_log (id, team_id, at, actor, action, object_type, object_id, outcome, detail, "
    "prev_hash, row_hash) VALUES (:id, 'T1', :at, 'UMALLORY', 'notes.view', 'note', '1', 'ok', NULL, :p, :h)"
)


def build(url: str, entries: int) -> list[tuple[int, str]]:
    """A fresh trail; TEAM's (id, row_hash) in order. Ids are spaced by 10 so an insert fits between."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessions(engine)
    with engine.begin() as conn:
        conn.execute(sql("DELETE FROM audit_log"))
        conn.execute(sql("DELETE FROM audit_heads"))
        if engine.dialect.name == "postgresql":  # the same ids every time, as SQLite gives
            conn.execute(sql("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), 1, false)"))
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id=TEAM, now=NOW)
        repo.ensure_workspace(session, team_id=OTHER, now=NOW)
    for n in range(entries):
        for team in (TEAM, OTHER):
            with sessions.begin() as session:
                repo.add_audit(
                    session,
                    team_id=team,
                    now=NOW + timedelta(minutes=n),
                    actor="U1",
                    action="notes.view",
                    object_type="note",
                    object_id=n,
                    detail={"version": 1},
                )
    with engine.begin() as conn:
        conn.execute(sql("UPDATE audit_log SET id = id + 1000000"))  # two steps: no clash on the way
        conn.execute(sql("UPDATE audit_log SET id = (id - 1000000) * 10"))
        rows = conn.execute(sql("SELECT id, row_hash FROM audit_log WHERE team_id = 'T1' ORDER BY id")).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


def found(url: str) -> bool:
    engine = make_engine(url)
    try:
        with make_sessions(engine)() as session:
            return not audit.verify(session, TEAM).intact or not audit.verify(session, OTHER).intact
    finally:
        engine.dispose()


def tamper(url: str, statement: str, **params) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sql(statement), params)
    engine.dispose()


def cases(chain: list[tuple[int, str]]):
    for row_id, _ in chain:
        for change in UPDATES.values():
            yield "update", f"UPDATE audit_log SET {change} WHERE id = :id", {"id": row_id}
        yield "delete", "DELETE FROM audit_log WHERE id = :id", {"id": row_id}
    for index, (row_id, row_hash) in enumerate(chain):
        new_id = row_id + 5  # after this entry (before the next, or at the end)
        forged = audit.entry_hash(
            team_id=TEAM,
            at=NOW,
            actor="UMALLORY",
            action="notes.view",
            object_type="note",
            object_id="1",
            outcome="ok",
            detail=None,
            prev_hash=row_hash,
        )
        neighbour = chain[(index + 1) % len(chain)][1]
        for prev, hashed in ((None, None), (row_hash, neighbour), (row_hash, forged)):
            yield "insert", INSERT, {"id": new_id, "p": prev, "h": hashed}


def measure(name: str, url: str, entries: int) -> None:
    chain = build(url, entries)
    totals, hits = Counter(), Counter()
    for kind, statement, params in cases(chain):
        build(url, entries)
        params = params | {"later": NOW + timedelta(days=1), "fake": "f" * 64, "at": NOW}
        if url.startswith("sqlite"):
            params["at"] = NOW.replace(tzinfo=None)
        tamper(url, statement, **params)
        totals[kind] += 1
        hits[kind] += found(url)
    assert build(url, entries) and not found(url)  # untouched, it verifies
    parts = ", ".join(f"{kind} {hits[kind]}/{totals[kind]}" for kind in ("update", "insert", "delete"))
    print(f"  {name:<10} found {sum(hits.values())} of {sum(totals.values())} single-row changes ({parts})")


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
    parser.add_argument("--entries", type=int, default=12, help="entries per workspace (12)")
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be dropped and re-created")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("SQLite", f"sqlite:///{tmp}/tamper.db")]
        if not args.no_postgres and (pg := postgres_url(args.postgres)):
            backends.append(("PostgreSQL", pg))
        print(f"Audit trail, {args.entries} entries in each of 2 workspaces, every single-row change to one:")
        for name, url in backends:
            measure(name, url, args.entries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
