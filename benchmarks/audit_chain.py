"""What the hash-chained audit append costs, with and without its lock, under two concurrent writers.

Two processes (each with its own engine and pool, as two casebot replicas would) each write N audit
entries, one per transaction, into one workspace. Four kinds of run, in the same process, round robin
after a warm-up round, so machine noise hits them all:

  baseline   the append as it was before the chain: the ORM's INSERT, no hash, no head, no lock
  chained    hash and head update, with the advisory lock (what casebot does)
  unlocked   hash and head update without the lock: shows why the lock is there (broken chain)
  1 writer   chained, one writer alone: the lock's cost without contention

It prints the time per append, the ratio to the baseline, and whether `verify` finds the chain intact.
PostgreSQL is used when reachable (a `casebot_bench_audit` database is created for it, never your own
data); SQLite serialises writers itself, so there the lock is a no-op and only the hashing is measured.

    .venv/bin/python benchmarks/audit_chain.py                 # SQLite, and PostgreSQL if running
    .venv/bin/python benchmarks/audit_chain.py --entries 500 --repeat 3 --no-postgres
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import text as sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import audit, migrate  # noqa: E402
from storage import repository as repo  # noqa: E402
from storage.db import make_engine, make_sessions  # noqa: E402
from storage.models import AuditEntry  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/casebot_bench_audit"
NOW = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
TEAM = "TBENCH01"


def _entry(writer: str, n: int) -> AuditEntry:
    return AuditEntry(
        team_id=TEAM,
        at=NOW,
        actor=writer,
        action="notes.view",
        object_type="note",
        object_id=str(n),
        outcome="ok",
        detail={"version": 1},
    )


def _unchained(entry: AuditEntry) -> AuditEntry:
    entry.row_hash = "baseline"
    return entry


def _append(mode: str):
    if mode == "baseline":  # the ORM insert as before the chain: a row_hash already set is not chained
        return lambda session, entry: session.add(_unchained(entry))
    return lambda session, entry: audit.append(session, entry, lock=mode != "unlocked")


def _write(url: str, mode: str, name: str, entries: int, start, times) -> None:
    """One writer process: its own engine and pool, as another casebot process would have."""
    engine = make_engine(url)
    sessions = make_sessions(engine)
    append = _append(mode)
    with sessions.begin() as session:  # warm the pool before the clock starts
        session.execute(sql("SELECT 1"))
    start.wait()
    began = time.monotonic()  # the system's clock, comparable between processes
    for n in range(entries):
        with sessions.begin() as session:
            append(session, _entry(name, n))
    times.put((began, time.monotonic()))
    engine.dispose()


def run(url: str, mode: str, writers: int, entries: int) -> tuple[float, bool]:
    """Seconds per append (wall time / appends) and whether the chain verifies afterwards."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sql("DELETE FROM audit_log"))
        conn.execute(sql("DELETE FROM audit_heads"))
    with make_sessions(engine).begin() as session:
        repo.ensure_workspace(session, team_id=TEAM, now=NOW)
    with make_sessions(engine).begin() as session:  # the chain's first entry, so its head exists
        audit.append(session, _entry("USETUP01", 0))
    spawn = multiprocessing.get_context("spawn")  # fresh processes: nothing of this one's pool inherited
    start, times = spawn.Barrier(writers + 1), spawn.Queue()
    workers = [
        spawn.Process(target=_write, args=(url, mode, f"UWRITER{i}", entries, start, times))
        for i in range(writers)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    spans = [times.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    if any(worker.exitcode for worker in workers):
        raise RuntimeError(f"a writer failed in the {mode} run")
    elapsed = max(end for _, end in spans) - min(begin for begin, _ in spans)
    intact = True
    if mode != "baseline":
        with make_sessions(engine)() as session:
            intact = audit.verify(session, TEAM).intact
    engine.dispose()
    return elapsed / (writers * entries), intact


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


RUNS = (("baseline", 2), ("chained", 2), ("unlocked", 2), ("1 writer", 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300, help="appends per writer (300)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each, the median is shown (5)")
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be dropped and re-created")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("SQLite", f"sqlite:///{tmp}/bench.db")]
        if not args.no_postgres and (pg := postgres_url(args.postgres)):
            backends.append(("PostgreSQL", pg))
        print(f"Audit append, {args.entries} per writer, one per transaction, median of {args.repeat}:")
        for name, url in backends:
            # Round robin after a warm-up round that is thrown away, so a cold start or a noisy spell on
            # the machine does not land on one kind of run only.
            times: dict[str, list[float]] = {label: [] for label, _ in RUNS}
            intact: dict[str, bool] = {label: True for label, _ in RUNS}
            for round_ in range(args.repeat + 1):
                for label, writers in RUNS:
                    mode = "chained" if label == "1 writer" else label
                    seconds, ok = run(url, mode, writers, args.entries)
                    if round_:
                        times[label].append(seconds)
                        intact[label] &= ok
            results = {label: (statistics.median(times[label]), intact[label]) for label, _ in RUNS}
            base = results["baseline"][0]
            for label, writers in RUNS:
                seconds, intact = results[label]
                chain = "" if label == "baseline" else ("chain intact" if intact else "CHAIN BROKEN")
                print(
                    f"  {name:<10} {label:<9} {writers} writer{'s' if writers > 1 else ' '}: "
                    f"{seconds * 1000:6.2f} ms/append   ratio {seconds / base:4.2f}   {chain}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
