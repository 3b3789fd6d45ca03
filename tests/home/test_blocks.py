"""The App Home tab as pure Block Kit: one block per open case, within the tab's 100 blocks."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cases.blocks import HOME_CASES, NO_CASES, CaseLine, ScheduleView, case_list, home_view
from bot.sandbox.validation import view_errors

AT = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
BUSY = ScheduleView(AT, AT, tuple(("discussion", AT) for _ in range(3)))


def lines(count: int) -> list[CaseLine]:
    return [
        CaseLine(f"CASE-2026-{n:03d} & <co>" + "x" * 40, "CCASES01", "co-worker", n % 2 == 0, BUSY)
        for n in range(count)
    ]


def texts(view: dict) -> list[str]:
    return [b["text"]["text"] if "text" in b else b["elements"][0]["text"] for b in view["blocks"]]


def test_twenty_three_open_cases_are_a_home_tab_slack_accepts_one_block_each():
    assert len(case_list(lines(23))) > 3000  # more than the one section the tab used to hold
    view = home_view(lines(23))
    assert view_errors(view) == []
    assert texts(view)[1] == "*Your open cases*"
    assert texts(view)[2:] == case_list(lines(23)).split("\n")[1:]  # the same rows as /case list


def test_past_what_the_tab_holds_the_rest_are_counted_not_dropped():
    view = home_view(lines(HOME_CASES + 40))
    assert view_errors(view) == []
    assert len(view["blocks"]) <= 100
    assert texts(view)[-1] == "+ 40 more open cases: `/case list` lists every one."
    assert texts(home_view(lines(HOME_CASES)))[-1].startswith("• *CASE-2026-094")


def test_no_cases_says_how_one_is_opened():
    view = home_view([])
    assert view_errors(view) == [] and texts(view)[-1] == NO_CASES
