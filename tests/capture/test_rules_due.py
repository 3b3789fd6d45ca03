"""Relative due dates: a span of time from the author's today ("in two weeks", "next month")."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.capture.rules import DUE_DATE, parse_message
from bot.capture.rules_due import add_months, read_due

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday 25 November 2026
TODAY = date(2026, 11, 25)


def action(text: str, now: datetime = NOW):
    (found,) = parse_message(f"Action: <@U1> {text}", now=now, tz=LONDON)
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring the school in two weeks", date(2026, 12, 9)),
        ("ring the school in 2 weeks", date(2026, 12, 9)),
        ("ring the school in 3 days", date(2026, 11, 28)),
        ("ring the school in a day", date(2026, 11, 26)),
        ("ring the school in a fortnight", date(2026, 12, 9)),
        ("ring the school within a week", date(2026, 12, 2)),
        ("ring the school in two weeks' time", date(2026, 12, 9)),
        ("ring the school in a couple of weeks.", date(2026, 12, 9)),
        ("ring the school by two weeks from now", date(2026, 12, 9)),
        ("ring the school by next month", date(2026, 12, 25)),
        ("ring the school due next month", date(2026, 12, 25)),
        ("ring the school in a month", date(2026, 12, 25)),
        ("ring the school in 2 months", date(2027, 1, 25)),
        ("ring the school In Ten Days", date(2026, 12, 5)),
    ],
)
def test_a_span_of_time_is_a_due_date(text, expected):
    found = action(text)
    assert found.due == expected and DUE_DATE not in found.missing and found.date_problem is None


def test_in_without_a_span_is_not_a_date_and_an_earlier_by_still_counts():
    assert action("meet in the office by Friday").due == date(2026, 11, 27)
    assert action("ring by Friday, in the office").due == date(2026, 11, 27)
    found = action("book a room in the office")
    assert found.due is None and found.date_problem is None  # asked "by when", not told it is unreadable


def test_a_span_is_read_from_the_authors_today():
    late_thursday = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)  # already Friday 4 December in Auckland
    (found,) = parse_message(
        "Action: <@U1> visit in 3 days", now=late_thursday, tz=ZoneInfo("Pacific/Auckland")
    )
    assert found.due == date(2026, 12, 7)


def test_next_month_keeps_the_day_or_takes_the_last_day_of_a_shorter_month():
    assert read_due("next month", today=date(2027, 1, 31)) == date(2027, 2, 28)
    assert read_due("next month", today=date(2028, 1, 31)) == date(2028, 2, 29)  # a leap year
    assert read_due("next month", today=date(2026, 12, 15)) == date(2027, 1, 15)
    assert read_due("in 3 months", today=date(2026, 11, 30)) == date(2027, 2, 28)


def test_a_span_too_far_away_is_refused_with_a_message_that_does_not_repeat_it():
    found = action("review in 200 months")
    assert found.due is None and DUE_DATE in found.missing
    assert found.date_problem and "200" not in found.date_problem


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 36))
def test_add_months_never_goes_back_and_lands_in_the_right_month(day, months):
    moved = add_months(day, months)
    assert moved >= day
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or moved.day < day.day and (moved + timedelta(days=1)).day == 1


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 400))
def test_in_n_days_is_n_days_on(day, days):
    assert read_due(f"in {days} days", today=day) == day + timedelta(days=days)
