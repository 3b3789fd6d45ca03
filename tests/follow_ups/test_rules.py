"""When an agreed action's owner is asked about it, when it is overdue, and who may answer: pure decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.follow_ups.rules import (
    CARD,
    DM,
    REASON_MAX,
    ActionState,
    can_answer,
    decide,
    dm_at,
    extension_problem,
    first_check,
    is_overdue,
    latest_due,
    overdue_from,
    reason_problem,
)
from bot.kernel.rules_working_time import WorkCalendar, first_working_day, is_working_time
from tests.calendars import HOLIDAYS, NZ_AUCKLAND, ZONES

NZ = ZoneInfo("Pacific/Auckland")
AUCKLAND = WorkCalendar(tz=NZ, holidays=NZ_AUCKLAND)
FRIDAY = date(2026, 12, 4)


def nz(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NZ).astimezone(UTC)


def action(
    due: date | None = FRIDAY, level: int = -1, status: str = "open", owner: bool = True
) -> ActionState:
    return ActionState(status=status, due=due, has_owner=owner, level_sent=level)


# ---------------------------------------------------------------- when the DM goes


def test_the_dm_goes_at_the_start_of_the_owners_working_day_on_the_due_date():
    assert dm_at(AUCKLAND, FRIDAY) == nz(12, 4, 9)


def test_a_due_date_at_the_weekend_or_on_a_holiday_is_asked_about_on_the_next_working_day():
    assert dm_at(AUCKLAND, date(2026, 12, 5)) == nz(12, 7, 9)  # Saturday -> Monday
    assert dm_at(AUCKLAND, date(2026, 12, 25)) == nz(12, 29, 9)  # Christmas, weekend, Boxing Day observed


def test_the_owners_own_zone_and_hours_decide():
    london = WorkCalendar(tz=ZoneInfo("Europe/London"))
    assert dm_at(london, FRIDAY) == datetime(2026, 12, 4, 9, tzinfo=UTC)


def test_nothing_happens_before_the_due_date_and_the_sweep_looks_first_at_the_dm_moment():
    step = decide(action(), now=nz(12, 4, 8, 59), calendar=AUCKLAND)
    assert (step.send_dm, step.refresh_card, step.level_sent) == (False, False, -1)
    assert step.next_check_at == nz(12, 4, 9)
    assert first_check(action(), now=nz(12, 1, 10), calendar=AUCKLAND) == nz(12, 4, 9)


def test_on_the_due_date_the_dm_goes_once_and_the_sweep_looks_again_when_it_turns_overdue():
    step = decide(action(), now=nz(12, 4, 9), calendar=AUCKLAND)
    assert (step.send_dm, step.late, step.refresh_card, step.level_sent) == (True, False, False, DM)
    assert step.next_check_at == nz(12, 5, 0)
    again = decide(action(level=DM), now=nz(12, 4, 15), calendar=AUCKLAND)
    assert not again.send_dm and again.next_check_at == nz(12, 5, 0)


def test_at_the_owners_midnight_after_the_due_date_the_card_is_refreshed_and_nothing_more_happens():
    step = decide(action(level=DM), now=nz(12, 5, 0), calendar=AUCKLAND)
    assert (step.send_dm, step.refresh_card, step.level_sent, step.next_check_at) == (False, True, CARD, None)


def test_after_downtime_the_dm_still_goes_once_saying_it_was_due_and_the_card_shows_it_overdue():
    step = decide(action(), now=nz(12, 9, 11), calendar=AUCKLAND)
    assert (step.send_dm, step.late, step.refresh_card, step.level_sent) == (True, True, True, CARD)
    assert step.next_check_at is None


def test_a_saturday_due_date_is_overdue_on_sunday_before_the_dm_goes_on_monday():
    saturday = action(due=date(2026, 12, 5))
    sunday = decide(saturday, now=nz(12, 6, 0), calendar=AUCKLAND)
    assert (sunday.send_dm, sunday.refresh_card, sunday.level_sent) == (False, True, -1)
    assert sunday.next_check_at == nz(12, 7, 9)
    monday = decide(
        action(due=date(2026, 12, 5), level=sunday.level_sent), now=nz(12, 7, 9), calendar=AUCKLAND
    )
    assert (monday.send_dm, monday.late, monday.level_sent, monday.next_check_at) == (True, True, CARD, None)


def test_an_action_without_an_owner_is_never_dmed_but_the_card_shows_it_overdue():
    ownerless = action(owner=False)
    assert first_check(ownerless, now=nz(12, 1, 10), calendar=AUCKLAND) == nz(12, 5, 0)
    step = decide(ownerless, now=nz(12, 5, 0), calendar=AUCKLAND)
    assert (step.send_dm, step.refresh_card, step.next_check_at) == (False, True, None)


def test_done_handed_back_or_undated_actions_are_not_followed_up():
    for state in (action(status="done"), action(status="cannot"), action(due=None)):
        assert first_check(state, now=nz(12, 1, 10), calendar=AUCKLAND) is None
        assert decide(state, now=nz(12, 9, 10), calendar=AUCKLAND).next_check_at is None
        assert not decide(state, now=nz(12, 9, 10), calendar=AUCKLAND).send_dm


def test_an_action_planned_after_its_due_date_is_looked_at_now():
    assert first_check(action(), now=nz(12, 8, 10), calendar=AUCKLAND) == nz(12, 8, 10)


# ---------------------------------------------------------------- overdue


def test_an_open_action_is_overdue_from_the_day_after_its_due_date():
    assert not is_overdue("open", FRIDAY, FRIDAY)
    assert is_overdue("open", FRIDAY, FRIDAY + timedelta(days=1))
    assert not is_overdue("done", FRIDAY, date(2027, 1, 1))
    assert not is_overdue("cannot", FRIDAY, date(2027, 1, 1))
    assert not is_overdue("open", None, date(2027, 1, 1))


# ---------------------------------------------------------------- properties

days = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def calendars(draw) -> WorkCalendar:
    zone = draw(st.sampled_from(ZONES))
    return WorkCalendar(tz=ZoneInfo(zone), holidays=HOLIDAYS[zone])


@settings(max_examples=150, deadline=None)
@given(calendars(), days)
def test_the_dm_moment_is_working_time_on_the_first_working_day_from_the_due_date(cal, due):
    at = dm_at(cal, due)
    assert is_working_time(cal, at)
    assert at.astimezone(cal.tz).date() == first_working_day(cal, due)
    assert overdue_from(cal, due).astimezone(cal.tz).date() == due + timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(
    calendars(),
    days,
    st.booleans(),
    st.lists(st.integers(min_value=1, max_value=60 * 24 * 12), min_size=1, max_size=12),
)
def test_over_any_run_of_sweeps_the_dm_goes_exactly_once_never_early_and_the_card_follows(
    cal, due, owner, gaps
):
    """Sweeps at arbitrary later moments (restarts, downtime, several a minute), each acting only when the
    previous decision said to look again: one DM at or after its moment, and the card refreshed once
    the action is overdue."""
    state = action(due=due, owner=owner)
    now = datetime.combine(due - timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    check = first_check(state, now=now, calendar=cal)
    sent, refreshed = [], []
    for minutes in gaps:
        now += timedelta(minutes=minutes)
        if check is None or check > now:
            continue
        step = decide(state, now=now, calendar=cal)
        if step.send_dm:
            sent.append(now)
        if step.refresh_card:
            refreshed.append(now)
        state = action(due=due, owner=owner, level=step.level_sent)
        assert step.next_check_at is None or step.next_check_at > now
        check = step.next_check_at
    assert len(sent) <= 1
    if not owner:
        assert sent == []
    elif now >= dm_at(cal, due):
        assert len(sent) == 1
    assert all(at >= dm_at(cal, due) for at in sent)
    assert all(at >= overdue_from(cal, due) for at in refreshed)
    if now >= max(dm_at(cal, due), overdue_from(cal, due)):
        assert refreshed and check is None


# ---------------------------------------------------------------- who may answer


def test_the_owner_their_cover_and_anyone_taking_part_in_the_case_may_answer():
    assert can_answer("UOWN", owner_id="UOWN", takes_part=False, covering_for=())
    assert can_answer("UCOVER", owner_id="UOWN", takes_part=False, covering_for=("UOWN",))
    assert can_answer("UMGR", owner_id="UOWN", takes_part=True, covering_for=())
    assert not can_answer("UOTHER", owner_id="UOWN", takes_part=False, covering_for=("USOMEONE",))
    assert not can_answer("UOTHER", owner_id=None, takes_part=False, covering_for=())


# ---------------------------------------------------------------- answers


def test_a_new_due_date_must_be_from_tomorrow_to_six_months_ahead():
    today = date(2026, 12, 4)
    assert extension_problem(None, today=today) == "Pick the new due date from the calendar."
    assert "tomorrow" in (extension_problem(today, today=today) or "")
    assert "tomorrow" in (extension_problem(date(2026, 11, 30), today=today) or "")
    assert extension_problem(date(2026, 12, 5), today=today) is None
    assert extension_problem(date(2027, 6, 4), today=today) is None
    assert "within six months (by 04 June 2027)" in (extension_problem(date(2027, 6, 5), today=today) or "")


def test_six_months_on_from_the_end_of_a_long_month_is_the_end_of_a_short_one():
    assert latest_due(date(2026, 8, 31)) == date(2027, 2, 28)


def test_a_reason_is_required_and_has_a_maximum_length():
    assert reason_problem("   ") == "Say briefly why, so your co-worker knows what's needed."
    assert reason_problem("The school is closed until January") is None
    assert reason_problem("x" * REASON_MAX) is None
    assert f"under {REASON_MAX} characters ({REASON_MAX + 1} now)" in (
        reason_problem("x" * (REASON_MAX + 1)) or ""
    )
