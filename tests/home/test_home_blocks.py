"""App Home as pure Block Kit: a worker's parts and a manager's team view, within Slack's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.drift.rules import CaseDrift
from bot.drift.rules_facts import CaseFacts, Signal
from bot.home.blocks import (
    ACTION_ROWS,
    CASE_ROWS,
    NO_CASES,
    TEAM_ROWS,
    AgreementWaiting,
    Home,
    MyAction,
    MyCase,
    SummaryWaiting,
    home_view,
)
from bot.ids import ActionId
from bot.sandbox.validation import view_errors

AT = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
LONG = "x" * 400


def drift(n: int, signals: int = 3) -> CaseDrift:
    facts = CaseFacts(n, f"CASE-{n:04d}", "C1", "https://x/p1", "UM", ("UA", "UB"), (), AT, date(2027, 1, 1))
    found = tuple(Signal("review_past", 1, f"Reason {k} {LONG}") for k in range(signals))
    return CaseDrift(facts, found)


def full(count: int) -> Home:
    return Home(
        cases=tuple(MyCase(f"CASE-{n}", "C1", None, "lead", AT, AT) for n in range(count)),
        actions=tuple(
            MyAction(f"CASE-{n}", 2, 1, date(2026, 12, 1), n % 2 == 0, f"{n}:0") for n in range(count)
        ),
        summaries=tuple(SummaryWaiting(f"CASE-{n}", n, AT) for n in range(count)),
        agreements=tuple(AgreementWaiting(f"CASE-{n}", 1, "https://x/p1") for n in range(count)),
        team=tuple(drift(n, signals=20) for n in range(count)),
    )


def texts(view: dict) -> list[str]:
    out = []
    for b in view["blocks"]:
        if "text" in b:
            out.append(b["text"]["text"])
        elif b["type"] == "context":
            out.append(b["elements"][0]["text"])
        else:
            out.append(b["type"])
    return out


def team_buttons(view: dict) -> list[list[tuple[str, str]]]:
    """Each team row's buttons: (action_id, value) pairs."""
    return [
        [(e["action_id"], e["value"]) for e in b["elements"]]
        for b in view["blocks"]
        if b["type"] == "actions" and b["elements"][0]["action_id"] == ActionId.REVIEW_OPEN
    ]


def test_each_team_row_has_the_review_and_supervision_buttons_for_its_case():
    view = home_view(Home(team=(drift(7), drift(9, signals=0))))
    assert view_errors(view) == []
    assert team_buttons(view) == [
        [(ActionId.REVIEW_OPEN, "7"), (ActionId.SUPERVISION_RECORD, "7")],
        [(ActionId.REVIEW_OPEN, "9"), (ActionId.SUPERVISION_RECORD, "9")],
    ]
    shown = texts(view)
    assert shown[2].startswith("*CASE-0007*") and shown[3] == "actions"  # the buttons follow their row
    assert shown[4].startswith("*CASE-0009*") and shown[5] == "actions"


def test_a_manager_with_only_a_team_gets_every_team_row_the_cap_allows():
    view = home_view(Home(team=tuple(drift(n) for n in range(200))))
    assert view_errors(view) == [] and len(view["blocks"]) <= 100
    assert len(team_buttons(view)) == TEAM_ROWS
    assert f"+ {200 - TEAM_ROWS} more cases: `/case overdue` lists everything overdue." in texts(view)


def test_a_manager_with_200_cases_gets_a_tab_slack_accepts_with_every_part_counted():
    view = home_view(full(200))
    assert view_errors(view) == []
    assert len(view["blocks"]) <= 100
    shown = texts(view)
    rows = len(team_buttons(view))
    assert 20 <= rows < TEAM_ROWS  # the worker's parts leave room for fewer rows, the rest counted
    assert f"+ {200 - rows} more cases: `/case overdue` lists everything overdue." in shown
    assert f"+ {200 - ACTION_ROWS} more open actions: `/case overdue` lists the overdue ones." in shown
    assert f"+ {200 - CASE_ROWS} more cases: `/case list` lists every one." in shown
    assert "*Team view*: 200 open cases, 200 with drift signals" in shown


def test_a_long_team_row_is_fitted_to_a_section_not_dropped():
    view = home_view(Home(team=(drift(1, signals=20),)))
    assert view_errors(view) == []
    row = texts(view)[2]
    assert row.startswith("*CASE-0001* in <#C1> (<https://x/p1|thread>)\n• Reason 0")
    assert len(row) <= 3000


def test_a_workers_actions_carry_the_follow_up_buttons_and_summaries_the_write_button():
    home = Home(
        actions=(MyAction("CASE-<1>", 3, 2, date(2026, 12, 1), True, "17:1"),),
        summaries=(SummaryWaiting("CASE-1", 9, AT),),
    )
    view = home_view(home)
    assert view_errors(view) == []
    assert texts(view)[2] == "Action 2 of note 3 on *CASE-&lt;1&gt;*: overdue, was due Tue 1 Dec"
    buttons = view["blocks"][3]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (ActionId.ACTION_DONE, "17:1"),
        (ActionId.ACTION_EXTEND, "17:1"),
    ]
    write = view["blocks"][5]["accessory"]
    assert (write["action_id"], write["value"]) == (ActionId.SUMMARY_OPEN, "9")


def test_nobody_with_no_cases_sees_how_one_is_opened_and_a_manager_with_none_is_told():
    assert texts(home_view(Home()))[-1] == NO_CASES
    assert "You manage no open cases." in texts(home_view(Home(team=())))
