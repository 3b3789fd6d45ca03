"""The digest's moment in the manager's own zone, its week, and the 12 weeks' counts and words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digest.blocks import drift_line
from bot.digest.rules import Due, Planned, Recorded, alt_text, latest_due, parse_at, shares, week_key, weeks

ZONES = st.sampled_from(["Pacific/Auckland", "Europe/London", "America/Los_Angeles", "Asia/Kolkata", "UTC"])
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


def test_parse_at():
    assert parse_at("Mon 09:00") == (0, time(9, 0))
    assert parse_at("friday 16:30") == (4, time(16, 30))
    for bad in ("Someday 09:00", "Mon", "Mon 25:00", ""):
        with pytest.raises(ValueError):
            parse_at(bad)


@given(now=MOMENTS, zone=ZONES, weekday=st.integers(0, 6), hour=st.integers(0, 23))
def test_the_latest_moment_is_that_day_and_time_where_the_manager_is_within_the_past_week(
    now, zone, weekday, hour
):
    moment = latest_due(now, zone, weekday, time(hour, 0))
    local = moment.astimezone(ZoneInfo(zone))
    assert local.weekday() == weekday and local.hour == hour
    assert moment <= now < moment + timedelta(days=7, hours=2)  # a DST change moves the wall clock an hour


def test_after_downtime_only_the_latest_week_is_due():
    at = time(9, 0)
    # Mon 30 Nov 09:00 in Auckland is Sun 29 Nov 20:00 UTC.
    assert latest_due(datetime(2026, 11, 29, 19, 59, tzinfo=UTC), "Pacific/Auckland", 0, at) == datetime(
        2026, 11, 23, 9, tzinfo=ZoneInfo("Pacific/Auckland")
    )
    three_weeks_later = datetime(2026, 12, 20, 12, tzinfo=UTC)
    moment = latest_due(three_weeks_later, "Pacific/Auckland", 0, at)
    assert moment == datetime(2026, 12, 14, 9, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert week_key(moment) == 202651


END = datetime(2026, 12, 7, tzinfo=UTC)


def test_twelve_weeks_of_counts_oldest_first():
    planned = [Planned(END - timedelta(days=3), True), Planned(END - timedelta(days=4), False)]
    planned.append(Planned(END - timedelta(weeks=11, days=1), True))
    recorded = [
        Recorded(END - timedelta(days=2), END - timedelta(days=3)),  # on time
        Recorded(END - timedelta(days=2), END - timedelta(days=1)),  # late
        Recorded(END - timedelta(days=1), None),  # not recorded
    ]
    actions = [Due(date(2026, 12, 1), True), Due(date(2026, 12, 2), False), Due(date(2026, 8, 1), True)]
    series = weeks(END, planned, recorded, actions)
    assert len(series) == 12 and series[0].starts == END - timedelta(weeks=12)
    last = series[-1]
    assert (last.held, last.planned, last.on_time, last.notes_due, last.done, last.actions_due) == (
        1,
        2,
        1,
        3,
        1,
        2,
    )
    assert (series[0].held, series[0].planned) == (1, 1)
    assert sum(w.actions_due for w in series) == 2  # August is outside the 12 weeks
    lines = shares(series)
    assert lines["Discussions held / planned"][-1] == 50.0 and lines["Notes on time"][1] is None


def test_the_alt_text_says_the_chart_in_words():
    series = weeks(END, [Planned(END - timedelta(days=3), True)], [], [Due(date(2026, 12, 1), False)])
    text = alt_text(series, 3)
    assert text.startswith("Line chart of co-working health across your 3 cases over the last 12 weeks")
    assert "Discussions held against planned: 1 of 1 (100%)." in text
    assert "Notes recorded on time: none due." in text
    assert "Actions completed against due: 0 of 1 (0%)." in text
    assert text.endswith(
        "Latest week: discussions 1 of 1 (100%), notes on time none due, actions 0 of 1 (0%)."
    )
    assert len(alt_text(weeks(END, [], [], []), 200)) < 1000


@pytest.mark.parametrize(
    ("flagged", "line"),
    [
        (0, "*Drift signals*: none."),
        (1, "*Drift signals*: 1 case needs attention."),
        (2, "*Drift signals*: 2 cases need attention."),
    ],
)
def test_the_drift_line_agrees_with_its_number(flagged, line):
    assert drift_line(flagged) == line
