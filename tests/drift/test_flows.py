"""Drift facts load in the same number of statements for 1 case as for 50, and read what was stored."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from bot.drift import flows
from bot.drift.rules_facts import Thresholds
from tests.drift.seed import MANAGER, NOW, TEAM, person, seed


@contextmanager
def counting(engine):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def drift(sessions, engine):
    with sessions() as session, counting(engine) as seen:
        manager = person(session, MANAGER)
        cases = flows.cases_for(session, team_id=TEAM, person=manager, managed=True)
        found = flows.drift_for(session, cases, now=NOW, thresholds=Thresholds())
    return found, len(seen)


def test_the_statements_do_not_grow_with_the_cases(sessions, engine):
    with sessions.begin() as session:
        seed(session, 1)
    one, at_one = drift(sessions, engine)
    with sessions.begin() as session:
        seed(session, 49, start=1)
    fifty, at_fifty = drift(sessions, engine)
    assert len(one) == 1 and len(fifty) == 50
    assert at_one == at_fifty <= 16  # one of them: the review date in force (storage/review_dates.py)


def test_what_the_seeded_case_shows(sessions):
    with sessions.begin() as session:
        seed(session, 1)
    found, _ = drift(sessions, sessions.kw["bind"])
    (case,) = found
    reasons = [s.reason for s in case.signals]
    assert "1 discussion missed in the last 6 weeks" in reasons  # week 5 (week 10 is outside)
    assert "1 difference of view open, the oldest for 20 days" in reasons
    assert "Summary not recorded, due 19 days ago" in reasons
    assert any(r.startswith("Action 1 of note ") and "<@UDEV0000>" in r for r in reasons)
    assert case.facts.link == "https://example.slack.com/archives/C00000000/p1000001"
    assert set(case.facts.discussions[0].authors) == {"ULEAD0000", "UDEV0000"}
