"""SQL statements per request, as cases, discussions and actions grow (issue 17: constant, no N+1).

Counts the statements `/case list` runs for a manager with 1, 20 and 200 cases, and the case card's
record lines (summaries to record, actions past their date) for a case with 4, 12 and 40 weeks of
history (tests/drift/seed.py builds them: weekly discussions, an action a fortnight). Also times each,
median of several runs, as a ratio to the smallest size in the same run. Figures are printed, never
asserted; tests/cases/test_list_statements.py keeps the statement counts flat.

    .venv/bin/python benchmarks/queries.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cases import presenters  # noqa: E402
from bot.commands import flows as commands  # noqa: E402
from bot.config import Settings, ephemeral_data_keys  # noqa: E402
from bot.content import Content  # noqa: E402
from bot.deps import Deps  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_sessions  # noqa: E402
from storage.models import Case  # noqa: E402
from tests.drift.seed import MANAGER, NOW, TEAM, seed  # noqa: E402

REPEAT = 7


def deps_on(url: str) -> Deps:
    engine = make_engine(url)
    migrate.upgrade(engine)
    settings = replace(Settings(), database_url=url, data_keys=ephemeral_data_keys())
    return Deps(
        settings=settings, engine=engine, sessions=make_sessions(engine), content=Content(), clock=lambda: NOW
    )


def measure(engine: Engine, work: Callable[[], object]) -> tuple[int, float]:
    """(statements of one run, median milliseconds over REPEAT runs)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    work()
    event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return len(seen), statistics.median(times)


def case_list(folder: Path, cases: int) -> tuple[int, float]:
    deps = deps_on(f"sqlite:///{folder / f'list-{cases}.db'}")
    with deps.sessions.begin() as session:
        seed(session, cases, weeks=4)
    return measure(deps.engine, lambda: commands.list_cases(deps, team_id=TEAM, user_id=MANAGER))


def card(folder: Path, weeks: int) -> tuple[int, float]:
    deps = deps_on(f"sqlite:///{folder / f'card-{weeks}.db'}")
    with deps.sessions.begin() as session:
        seed(session, 1, weeks=weeks)

    def notes() -> object:
        with deps.sessions() as session:
            return presenters.card_notes(deps, session, session.scalars(select(Case)).one(), NOW)

    return measure(deps.engine, notes)


def report(title: str, label: str, rows: list[tuple[int, tuple[int, float]]]) -> None:
    print(title)
    base = rows[0][1][1]
    for size, (statements, ms) in rows:
        print(f"  {size:>4} {label:<8} {statements:>4} statements  {ms:8.2f} ms  ratio {ms / base:5.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        report(
            "/case list for a manager (SQLite):", "cases", [(n, case_list(folder, n)) for n in (1, 20, 200)]
        )
        report("The case card's record lines (SQLite):", "weeks", [(w, card(folder, w)) for w in (4, 12, 40)])


if __name__ == "__main__":
    main()
