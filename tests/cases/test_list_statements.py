"""`/case list` reads a person's cases in the same number of statements for 1 case as for 20 (issue 17:
no query per case, so a manager with 200 cases gets their list as fast as one with a single case)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import event

from bot.commands import flows as commands
from bot.config import Settings, ephemeral_data_keys
from bot.content import Content
from bot.deps import Deps
from storage.db import make_sessions
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
