"""How a manager's App Home and weekly digest scale with their caseload (they should barely notice).

Builds a 10-case and a 200-case manager in one database, each case with a year of weekly history (see
tests/drift/seed.py), then times building each manager's home view (the data and its Block Kit) and
their digest (the data, the text and the matplotlib chart), median of several runs, and counts the SQL
statements each makes. Prints the 200-case figures as a ratio to the 10-case ones. Goal: the 200-case
home view in under 300 ms on this machine, and the same number of statements for 10 cases as for 200
(no query per case).

    .venv/bin/python benchmarks/manager_views.py                      # SQLite in a temporary folder
    .venv/bin/python benchmarks/manager_views.py --chart docs/digest-chart-example.png
    .venv/bin/python benchmarks/manager_views.py --repeat 9 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/casebot_bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings, ephemeral_data_keys  # noqa: E402
from bot.digest.flows import build  # noqa: E402
from bot.home.blocks import home_view  # noqa: E402
from bot.home.flows import model  # noqa: E402
from storage import crypto, migrate  # noqa: E402
from storage import repository as repo  # noqa: E402
from storage.db import make_engine, make_sessions  # noqa: E402
from tests.drift.seed import NOW, seed  # noqa: E402

SIZES = {"small": ("TSMALL01", "USMALL01", 10), "large": ("TLARGE01", "ULARGE01", 200)}


def timed(engine, work) -> tuple[float, int]:
    seen = []
    listener = lambda *_args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started, len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def run(url: str, repeat: int, weeks: int, chart: Path | None = None) -> None:
    crypto.use_by_default(ephemeral_data_keys())
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(engine)
    sessions = make_sessions(engine)
    started = time.perf_counter()
    with sessions.begin() as session:
        for team, manager, cases in SIZES.values():
            seed(session, cases, weeks=weeks, team=team, manager_id=manager)
    took = time.perf_counter() - started
    print(f"{engine.dialect.name}: seeded 10 + 200 cases with {weeks} weeks each in {took:.1f}s")
    deps = SimpleNamespace(settings=Settings(default_timezone="Pacific/Auckland"))
    results: dict[tuple[str, str], tuple[float, int]] = {}
    for size, (team, user, _cases) in SIZES.items():
        for name in ("home", "digest"):

            def work(team=team, user=user, name=name) -> None:
                with sessions() as session:
                    if name == "home":
                        view = home_view(model(session, deps, team_id=team, user_id=user, now=NOW))
                        assert len(view["blocks"]) <= 100
                    else:
                        person = repo.get_person(session, team_id=team, slack_user_id=user)
                        assert person is not None and build(session, deps, person, now=NOW) is not None

            work()  # warm: imports, caches, matplotlib's font cache
            runs = [timed(engine, work) for _ in range(repeat)]
            results[(size, name)] = (statistics.median(r[0] for r in runs), runs[0][1])
    if chart is not None:  # the 10-case manager's chart and its alt text, as the README shows them
        with sessions() as session:
            person = repo.get_person(session, team_id=SIZES["small"][0], slack_user_id=SIZES["small"][1])
            assert person is not None
            digest = build(session, deps, person, now=NOW)
        assert digest is not None
        chart.write_bytes(digest.png)
        print(f"wrote the 10-case manager's chart to {chart}; its alt text:\n  {digest.alt}")
    for name in ("home", "digest"):
        (small, small_q), (large, large_q) = results[("small", name)], results[("large", name)]
        print(
            f"  {name:6}  10 cases {small * 1000:7.1f} ms ({small_q} statements)   "
            f"200 cases {large * 1000:7.1f} ms ({large_q} statements)   ratio {large / small:4.1f}"
        )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--chart", type=Path, help="also write the 10-case manager's digest chart here")
    parser.add_argument("--postgres", help="a PostgreSQL URL to run on as well (its public schema is reset)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", args.repeat, args.weeks, args.chart)
    if args.postgres:
        run(args.postgres, args.repeat, args.weeks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
