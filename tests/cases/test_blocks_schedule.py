"""The card's schedule lines: due-ness said without alarm or blame, and what was missed said plainly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.cases.blocks_schedule import (
    DUE_NOW,
    MISSED,
    NOT_HELD,
    UNDER_WAY,
    DueItem,
    ScheduleView,
    schedule_lines,
)
from bot.kernel.rules_text import slack_date

DUE = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # Wed 2 Dec 10:00 NZDT
SUPERVISION = datetime(2026, 12, 28, 21, 0, tzinfo=UTC)


def lines(state: str | None = None, missed: tuple[DueItem, ...] = ()) -> str:
    due = (DueItem("discussion", DUE, state),) if state else ()
    return schedule_lines(ScheduleView(DUE, SUPERVISION, (), due, missed))


def test_a_discussion_ahead_shows_its_date_only():
    assert lines() == f"*Next discussion:* {slack_date(DUE)}\n*Next supervision:* {slack_date(SUPERVISION)}"


def test_at_its_time_a_discussion_is_due_now_without_a_warning_sign():
    text = lines(DUE_NOW)
    assert text.splitlines()[0] == f"*Next discussion:* {slack_date(DUE)} · Due now"
    assert ":warning:" not in text and "Overdue" not in text


def test_a_discussion_under_way_is_not_called_due_or_overdue():
    text = lines(UNDER_WAY)
    assert text.splitlines()[0] == f"*Next discussion:* {slack_date(DUE)} · Under way in this thread"
    assert "Due now" not in text and "Overdue" not in text and ":warning:" not in text


def test_once_missed_it_asks_for_a_new_time_without_blame():
    text = lines(NOT_HELD)
    assert text.splitlines()[0] == f"*Next discussion:* {slack_date(DUE)} · Not held yet — pick a new time?"
    assert ":warning:" not in text and "Overdue" not in text


def test_a_missed_discussion_the_next_one_replaced_is_still_shown():
    earlier = DUE - timedelta(weeks=1)
    text = lines(DUE_NOW, (DueItem("discussion", earlier, MISSED),))
    assert text.splitlines()[-1] == (
        f"*Not held:* reflective discussion planned for {slack_date(earlier)}. The next one took its place."
    )


def test_a_review_is_shown_only_once_it_is_due():
    review = DueItem("review", DUE, DUE_NOW)
    text = schedule_lines(ScheduleView(DUE + timedelta(days=7), SUPERVISION, (), (review,)))
    assert f"*Agreement review:* {slack_date(DUE)} · Due now" in text.splitlines()
