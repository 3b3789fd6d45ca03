"""`/case list` and the case card cost the same number of statements however many cases, discussions and
actions there are (issue 17: no query per case or per action, so a manager with 200 cases gets their list
as fast as one with a single case)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import event, select

from bot.cases import presenters
from bot.commands import flows as commands
from bot.config import Settings, ephemeral_data_keys
from bot.content import Content
from bot.deps import Deps
from storage import migrate
from storage.db import make_engine, make_sessions
from storage.models import Case
from tests.drift.seed import MANAGER, NOW, TEAM, seed


def listed(engine, database_url) -> tuple[int, str]:
    deps = Deps(
        settings=replace(Settings(), database_url=database_url, data_keys=ephemeral_data_keys()),
        engine=engine,
        sessions=make_sessions(engine),
        content=Content(),
        clock=lambda: NOW,
    )
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        text = commands.list_cases(deps, team_id=TEAM, user_id=MANAGER)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), text


def test_the_list_costs_the_same_statements_for_one_case_and_for_twenty(engine, sessions, database_url):
    with sessions.begin() as session:
        seed(session, 1, weeks=2)
    at_one, text = listed(engine, database_url)
    assert "DRIFT-0000" in text
    with sessions.begin() as session:
        seed(session, 19, weeks=2, start=1)
    at_twenty, text = listed(engine, database_url)
    assert all(f"DRIFT-{n:04d}" in text for n in range(20))
    assert at_twenty == at_one


def card_statements(engine, database_url, sessions) -> tuple[int, int]:
    """(statements, overdue actions shown) for the case card's record lines."""
    deps = Deps(
        settings=replace(Settings(), database_url=database_url, data_keys=ephemeral_data_keys()),
        engine=engine,
        sessions=sessions,
        content=Content(),
        clock=lambda: NOW,
    )
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    with sessions() as session:
        case = session.scalars(select(Case)).one()
        event.listen(engine, "before_cursor_execute", count)
        try:
            notes = presenters.card_notes(deps, session, case, NOW)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(seen), len(notes.overdue_actions)


def test_the_card_costs_the_same_statements_for_a_short_and_a_long_history(tmp_path):
    counts = []
    for weeks in (4, 40):  # two databases side by side, one case each
        database_url = f"sqlite:///{tmp_path / f'{weeks}.db'}"
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        sessions = make_sessions(engine)
        with sessions.begin() as session:
            seed(session, 1, weeks=weeks)
        counts.append(card_statements(engine, database_url, sessions))
        engine.dispose()
    (at_short, overdue_short), (at_long, overdue_long) = counts
    assert overdue_long > overdue_short  # more history: more actions past their date to show
    assert at_long == at_short
