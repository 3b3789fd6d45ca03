"""A newly qualified worker's supervision cadence, counted from their own start date, and a missed
check-in rebooked at the earliest date (PRACTICE.md 5). Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.rules_working_time import WorkCalendar, is_working_day
from bot.reminders.rules_cadence import next_nq_supervision, rebook
from tests.calendars import NZ_AUCKLAND

AUCKLAND = ZoneInfo("Pacific/Auckland")
CAL = WorkCalendar(AUCKLAND, holidays=NZ_AUCKLAND)
STARTED = date(2027, 2, 1)  # a Monday, the worker's own first day


def check_ins(started_on: date, count: int, *, after: datetime) -> list[date]:
    found = []
    for _ in range(count):
        after = next_nq_supervision("monthly", started_on=started_on, after=after, cal=CAL)
        found.append(after.astimezone(AUCKLAND).date())
    return found


def test_weekly_for_six_weeks_then_fortnightly_to_six_months_then_monthly():
    days = check_ins(STARTED, 20, after=datetime(2027, 1, 1, tzinfo=UTC))
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    # Mon 8 Feb 2027 is Waitangi Day (observed): the first check-in moves to the next working day.
    assert days[0] == date(2027, 2, 9), "one week after the worker's own start"
    assert all(6 <= g <= 8 for g in gaps[:5]), "weekly through the first six weeks"
    fortnightly = [
        g for d, g in zip(days[1:], gaps, strict=False) if date(2027, 3, 20) < d <= date(2027, 7, 31)
    ]
    assert fortnightly and all(13 <= g <= 15 for g in fortnightly)
    later = [g for d, g in zip(days[1:], gaps, strict=False) if d > date(2027, 8, 15)]
    assert later and all(27 <= g <= 36 for g in later), "monthly after six months"


def test_it_counts_from_the_workers_start_not_the_case():
    """A case opened long after the worker started is already in the monthly phase for them."""
    after = datetime(2027, 9, 1, tzinfo=UTC)
    days = check_ins(STARTED, 3, after=after)
    assert (days[1] - days[0]).days >= 27
    fresh = check_ins(date(2027, 8, 30), 3, after=after)  # someone who started this week
    assert (fresh[1] - fresh[0]).days == 7


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)), st.integers(0, 400))
def test_every_check_in_is_on_a_working_day_after_the_start(started_on, days_later):
    after = datetime.combine(started_on, datetime.min.time(), tzinfo=UTC) + timedelta(days=days_later)
    due = next_nq_supervision("monthly", started_on=started_on, after=after, cal=CAL)
    assert due > after
    assert is_working_day(CAL, due.astimezone(AUCKLAND).date())
    assert due.astimezone(AUCKLAND).date() > started_on


def test_a_missed_check_in_is_rebooked_on_the_next_working_day_at_its_time():
    missed = datetime(2027, 3, 4, 21, 0, tzinfo=UTC)  # Fri 5 Mar 10:00 NZDT
    now = datetime(2027, 3, 5, 3, 0, tzinfo=UTC)  # Fri 5 Mar 16:00 NZDT
    due = rebook(missed, now=now, cal=CAL).astimezone(AUCKLAND)
    assert (due.date(), due.hour) == (date(2027, 3, 8), 10), "Monday, not the weekend"
