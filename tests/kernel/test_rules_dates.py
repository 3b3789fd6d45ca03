from datetime import date

import pytest

from bot.kernel.rules_dates import DayProblem, parse_day

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24", date(2026, 12, 24)),
        ("2027-01-05", date(2027, 1, 5)),  # ISO is year-month-day, even though short forms are day-first
        ("2026-12-07", date(2026, 12, 7)),
        ("24 Dec", date(2026, 12, 24)),
        ("24 December 2026", date(2026, 12, 24)),
        ("12 March", date(2027, 3, 12)),  # passed this year, so next year
        ("friday", date(2026, 11, 27)),
        ("Wed", date(2026, 11, 25)),  # today counts
        ("tomorrow", date(2026, 11, 26)),
        ("today", TODAY),
        ("3/12", date(2026, 12, 3)),  # day first, as in NZ and the UK
    ],
)
def test_days_people_type_are_read_as_they_mean_them(text, expected):
    assert parse_day(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "soon", "next blursday", "32 Dec", "2026-02-30"])
def test_unreadable_days_give_a_message_with_an_example(text):
    with pytest.raises(DayProblem, match="2026-12-24|Give a date"):
        parse_day(text, today=TODAY)
