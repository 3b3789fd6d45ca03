"""How one reminder sweep's cost grows with the number of scheduled items (it should not).

For each database, builds 10,000 and 1,000,000 scheduled items of which 100 are due, times one sweep
(deciding, claiming and queueing the 100 reminders) several times, and prints the median of each and
their ratio (target: under 2). Both sizes run in the same process, one after the other, so machine
noise hits both. PostgreSQL is used when reachable: a `casebot_bench` database is created for it (never
your own data); pass --postgres URL to use another, or --no-postgres to skip it.

    .venv/bin/python benchmarks/sweep.py            # SQLite, and PostgreSQL on 127.0.0.1 if running
    .venv/bin/python benchmarks/sweep.py --sizes 10000 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, create_engine
from sqlalchemy import text as sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings, ephemeral_data_keys  # noqa: E402
from bot.deps import build_deps  # noqa: E402
from bot.reminders import flows_sweep as reminders  # noqa: E402
from storage import migrate  # noqa: E402
from storage.types import UTCDateTime  # noqa: E402

TIMES = ("now", "soon", "later")


def text(statement: str):
    """SQL with its time parameters bound as UTCDateTime, so each database stores them its own way."""
    clause = sql(statement)
    return clause.bindparams(*(bindparam(n, type_=UTCDateTime()) for n in TIMES if f":{n}" in statement))


NOW = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # Wednesday 2 December, 13:00 in Auckland: working time
DUE = 100
CASES = 100
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/casebot_bench"


def seed(engine, size: int) -> None:
    """100 cases (2 co-workers, a manager, an agreement each), `size` items, the first 100 of them due."""
    now, soon = NOW, NOW - timedelta(minutes=1)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO workspaces (team_id, created_at) VALUES ('TBENCH', :now)"), {"now": now}
        )
        for n in range(1, 3 * CASES + 1):
            conn.execute(
                text(
                    "INSERT INTO people (id, team_id, slack_user_id, tz, role, deactivated) "
                    "VALUES (:id, 'TBENCH', :uid, 'Pacific/Auckland', 'member', false)"
                ),
                {"id": n, "uid": f"U{n:08d}"},
            )
        for case in range(1, CASES + 1):
            conn.execute(
                text(
                    "INSERT INTO cases (id, team_id, reference, channel_id, thread_ts, status, manager_id, "
                    "created_at) VALUES (:id, 'TBENCH', :ref, 'CBENCH01', '1.000001', 'open', :manager, :now)"
                ),
                {"id": case, "ref": f"BENCH-{case:04d}", "manager": 3 * case, "now": now},
            )
            for offset, role in ((2, "lead"), (1, "co_worker")):
                conn.execute(
                    text(
                        "INSERT INTO case_members (team_id, case_id, person_id, role, experience) "
                        "VALUES ('TBENCH', :case, :person, :role, 'experienced')"
                    ),
                    {"case": case, "person": 3 * case - offset, "role": role},
                )
            conn.execute(
                text(
                    "INSERT INTO agreements (id, team_id, case_id, version, created_at, created_by_id, "
                    "change_reason, reasons, responsibilities, discussion_frequency, recorder, "
                    "supervision_frequency, review_date) VALUES (:id, 'TBENCH', :id, 1, :now, :manager, "
                    "'bench', '[]', '{}', 'fortnightly', 'rotating', 'monthly', :review)"
                ),
                {"id": case, "manager": 3 * case, "now": now, "review": date(2027, 3, 1).isoformat()},
            )
        # The bulk: most items held (nothing to check) or planned for later in the year; DUE are due now.
        conn.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :size) "
                "INSERT INTO schedule_items (team_id, case_id, agreement_id, kind, status, due_at, round, "
                "level_sent, next_check_at, created_at, version) "
                "SELECT 'TBENCH', (i % :cases) + 1, (i % :cases) + 1, 'discussion', "
                "CASE WHEN i <= :due THEN 'scheduled' WHEN i % 2 = 0 THEN 'held' ELSE 'scheduled' END, "
                ":soon, 0, -1, "
                "CASE WHEN i <= :due THEN :soon WHEN i % 2 = 0 THEN NULL ELSE :later END, :now, 1 FROM n"
            ),
            {
                "size": size,
                "cases": CASES,
                "due": DUE,
                "soon": soon,
                "later": NOW + timedelta(days=90),
                "now": now,
            },
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sql("ANALYZE"))


def make_due_again(engine) -> None:
    """Put the same 100 items back to due, in a new round, so the next sweep has the same work."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE schedule_items SET level_sent = -1, round = round + 1, next_check_at = :soon "
                "WHERE id <= :due"
            ),
            {"soon": NOW - timedelta(minutes=1), "due": DUE},
        )
        conn.execute(text("DELETE FROM outbox"))


def time_sweeps(url: str, size: int, repeat: int) -> float:
    settings = replace(
        Settings(),
        database_url=url,
        default_timezone="Pacific/Auckland",
        holiday_country="NZ",
        holiday_region="AUK",
        data_keys=ephemeral_data_keys(),
    )
    deps = build_deps(settings, clock=lambda: NOW)
    migrate.upgrade(deps.engine)
    seed(deps.engine, size)
    times = []
    for _ in range(repeat):
        make_due_again(deps.engine)
        started = time.perf_counter()
        report = reminders.sweep(deps)
        times.append(time.perf_counter() - started)
        assert report.reminders == DUE, report  # the sweep did the work it is timed for
    deps.engine.dispose()
    return statistics.median(times)


def postgres_url(requested: str | None) -> str | None:
    url = requested or DEFAULT_PG
    server = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
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
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be dropped and re-created")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    backends = []
    with tempfile.TemporaryDirectory() as tmp:
        backends.append(("SQLite", lambda size: f"sqlite:///{tmp}/bench-{size}.db"))
        if not args.no_postgres and (pg := postgres_url(args.postgres)):
            backends.append(("PostgreSQL", lambda size, pg=pg: postgres_url(pg)))
        small, large = args.sizes
        print(f"One sweep with {DUE} due items, median of {args.repeat}:")
        for name, url_for in backends:
            t_small = time_sweeps(url_for(small), small, args.repeat)
            t_large = time_sweeps(url_for(large), large, args.repeat)
            print(
                f"  {name:<10} {small:>9,} items: {t_small * 1000:7.1f} ms   "
                f"{large:>9,} items: {t_large * 1000:7.1f} ms   ratio {t_large / t_small:.2f} (target < 2)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
