"""The chart renders (Agg, no display) from an empty history and from a 200-case manager's year."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

from bot.config import Settings
from bot.digest import chart
from bot.digest.flows import build
from bot.digest.rules import weeks
from bot.drift.flows import cases_for
from tests.drift.seed import MANAGER, NOW, person, seed

PNG = b"\x89PNG\r\n\x1a\n"


def test_an_empty_history_still_draws_a_chart_saying_nothing_was_due():
    png = chart.render_png(weeks(NOW, [], [], []), cases=0)
    assert png.startswith(PNG) and len(png) > 5000
    assert matplotlib.get_backend().lower() == "agg"


def test_a_manager_with_200_cases_and_a_year_of_history(sessions):
    with sessions.begin() as session:
        seed(session, 200, weeks=52)
    deps = SimpleNamespace(settings=Settings(default_timezone="Pacific/Auckland"))
    with sessions() as session:
        manager = person(session, MANAGER)
        assert len(cases_for(session, team_id=manager.team_id, person=manager, managed=True)) == 200
        digest = build(session, deps, manager, now=NOW)
    assert digest is not None and digest.png.startswith(PNG)
    assert "across your 200 cases over the last 12 weeks" in digest.alt
    # every fifth weekly discussion missed, staggered by case id: 2 or 3 of each case's 12 weeks
    assert "Discussions held against planned: 1920 of 2400 (80%)." in digest.alt
    assert digest.text.startswith(
        "*Your weekly casebot digest* for the week to Wed 2 Dec 2026: 200 open cases."
    )
    assert "+ 190 more cases: `/case overdue` lists everything." in digest.text
