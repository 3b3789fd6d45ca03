"""`/case list` as text: one row per open case, the reference escaped, what is not held yet counted."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cases.blocks import NO_CASES, CaseLine, ScheduleView, case_list

AT = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
BUSY = ScheduleView(AT, AT, tuple(("discussion", AT) for _ in range(3)))


def test_each_open_case_is_a_row_with_its_next_discussion_and_what_is_not_held():
    lines = [
        CaseLine("CASE-1 & <co>", "CCASES01", "co-worker", False, BUSY),
        CaseLine("CASE-2", "CCASES02", "lead", True),
    ]
    assert case_list(lines).split("\n") == [
        "*Your open cases*",
        "• *CASE-1 &amp; &lt;co&gt;* in <#CCASES01>: co-worker (agreement waiting for confirmation)"
        f". Next discussion <!date^{int(AT.timestamp())}^{{date_short_pretty}} at {{time}}"
        "|2026-12-03 23:00 UTC>"
        ". 3 not held yet",
        "• *CASE-2* in <#CCASES02>: lead",
    ]


def test_no_cases_says_how_one_is_opened():
    assert case_list([]) == NO_CASES
