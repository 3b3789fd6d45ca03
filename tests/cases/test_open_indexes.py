"""Opening a case reads by index, not by the team's whole history (issue 17: constant in the number of
cases and people). Saving the case looks for the newest earlier case with its reference, open or closed;
the only index on references held open cases, so SQLite read every case the team ever had and sorted
them inside the save's write transaction, which every ack that stores something waits for on SQLite.
Counting who else can read the new thread read every person casebot knew to find the admins."""

from __future__ import annotations

import pytest

from bot.cases import flows_channel as channels
from storage import note_admin


def _plan(engine, statement) -> str:
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        return " | ".join(str(row[3]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


@pytest.fixture
def sqlite_engine(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans by its statistics: over an empty table any plan is as good")
    return engine


def _asked(session, method: str, work) -> list:
    """The statements `work` runs through session.<method>."""
    asked: list = []
    real = getattr(session, method)

    def noting(statement, *args, **kwargs):
        asked.append(statement)
        return real(statement, *args, **kwargs)

    setattr(session, method, noting)
    work()
    return asked


def test_the_newest_case_with_a_reference_is_found_by_index(sqlite_engine, sessions):
    with sessions() as session:
        (statement,) = _asked(
            session, "scalar", lambda: note_admin.newest_case(session, team_id="T1", reference="CASE-1")
        )
    assert "USING INDEX ix_cases_reference (team_id=? AND reference=?)" in _plan(sqlite_engine, statement)


def test_a_teams_admins_are_found_by_index(sqlite_engine, sessions):
    with sessions() as session:
        (statement,) = _asked(session, "scalars", lambda: channels.team_admins(session, "T1"))
    assert "USING INDEX ix_people_role (team_id=? AND role=?)" in _plan(sqlite_engine, statement)
