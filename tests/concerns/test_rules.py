"""Who an urgent concern goes to, in what order, when the next one is, and who may acknowledge it."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.concerns.rules import (
    COVER,
    DUTY,
    MANAGER,
    Contact,
    ManagerToday,
    chain,
    first_step,
    may_acknowledge,
    next_step,
)

NOW = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
BOSS, COVERING, DUTY_ID, WORKER = "UMGR", "UCOVER", "UDUTY", "UWORKER"


def who(contacts) -> list[tuple[str, str]]:
    return [(c.user_id, c.role) for c in contacts]


@pytest.mark.parametrize(
    ("manager", "duty", "raised_by", "expected"),
    [
        (ManagerToday(BOSS), DUTY_ID, WORKER, [(BOSS, MANAGER), (DUTY_ID, DUTY)]),
        (ManagerToday(BOSS), None, WORKER, [(BOSS, MANAGER)]),
        (
            ManagerToday(BOSS, away=True, cover_id=COVERING),
            DUTY_ID,
            WORKER,
            [(COVERING, COVER), (DUTY_ID, DUTY)],
        ),
        (ManagerToday(BOSS, away=True, cover_id=COVERING), None, WORKER, [(COVERING, COVER)]),
        # Away with nobody covering: the duty contact, or the manager when there is none.
        (ManagerToday(BOSS, away=True), DUTY_ID, WORKER, [(DUTY_ID, DUTY)]),
        (ManagerToday(BOSS, away=True), None, WORKER, [(BOSS, MANAGER)]),
        (ManagerToday(BOSS, deactivated=True), DUTY_ID, WORKER, [(DUTY_ID, DUTY)]),
        (
            ManagerToday(BOSS, deactivated=True, cover_id=COVERING),
            DUTY_ID,
            WORKER,
            [(COVERING, COVER), (DUTY_ID, DUTY)],
        ),
        # Nobody is alerted about their own concern, and nobody twice.
        (ManagerToday(BOSS), DUTY_ID, BOSS, [(DUTY_ID, DUTY)]),
        (ManagerToday(BOSS), None, BOSS, []),
        (ManagerToday(BOSS, away=True, cover_id=COVERING), DUTY_ID, COVERING, [(DUTY_ID, DUTY)]),
        (ManagerToday(BOSS), BOSS, WORKER, [(BOSS, MANAGER)]),
        (ManagerToday(BOSS, away=True, cover_id=DUTY_ID), DUTY_ID, WORKER, [(DUTY_ID, COVER)]),
    ],
)
def test_the_chain_is_manager_or_cover_then_the_duty_contact(manager, duty, raised_by, expected):
    assert who(chain(manager, duty_contact=duty, raised_by=raised_by)) == expected


def test_the_first_alert_goes_at_once_and_the_next_look_waits_the_minutes():
    two = (Contact(BOSS, MANAGER), Contact(DUTY_ID, DUTY))
    step = first_step(two, now=NOW, ack_minutes=60)
    assert step.send_level == 0 and step.next_check_at == NOW + timedelta(minutes=60)
    only = first_step(two[:1], now=NOW, ack_minutes=60)
    assert only.send_level == 0 and only.next_check_at is None  # nobody after: nothing more to do
    assert first_step((), now=NOW, ack_minutes=60).send_level is None


def test_the_next_person_is_alerted_only_once_the_time_has_passed_unacknowledged():
    three = (Contact(BOSS, MANAGER), Contact(COVERING, COVER), Contact(DUTY_ID, DUTY))
    due = NOW + timedelta(minutes=30)

    def step(now, *, level=0, acknowledged=False):
        return next_step(
            three, level_sent=level, acknowledged=acknowledged, due_at=due, now=now, ack_minutes=30
        )

    assert step(due - timedelta(seconds=1)).send_level is None
    assert step(due - timedelta(seconds=1)).next_check_at == due
    assert step(due).send_level == 1 and step(due).next_check_at == due + timedelta(minutes=30)
    assert step(due, level=1).send_level == 2 and step(due, level=1).next_check_at is None
    assert step(due, level=2).send_level is None and step(due, level=2).next_check_at is None
    assert (
        step(due, acknowledged=True).send_level is None and step(due, acknowledged=True).next_check_at is None
    )


def test_minutes_to_acknowledge_must_be_at_least_one():
    with pytest.raises(ValueError):
        first_step((Contact(BOSS, MANAGER), Contact(DUTY_ID, DUTY)), now=NOW, ack_minutes=0)


@given(
    st.integers(1, 4),
    st.lists(st.integers(0, 200), min_size=1, max_size=30),
    st.integers(1, 120),
)
def test_walking_the_ladder_alerts_each_person_once_in_order(length, gaps, ack_minutes):
    contacts = tuple(Contact(f"U{i}", DUTY) for i in range(length))
    now = NOW
    step = first_step(contacts, now=now, ack_minutes=ack_minutes)
    sent = [step.send_level]
    level, due = 0, step.next_check_at
    for gap in gaps:
        now += timedelta(minutes=gap)
        step = next_step(
            contacts, level_sent=level, acknowledged=False, due_at=due, now=now, ack_minutes=ack_minutes
        )
        if step.send_level is not None:
            sent.append(step.send_level)
            level = step.send_level
        due = step.next_check_at
        if due is None:
            break
    assert sent == list(range(len(sent)))  # in order, nobody twice, nobody skipped
    assert len(sent) <= length


def test_who_may_acknowledge():
    contacts = (Contact(COVERING, COVER), Contact(DUTY_ID, DUTY))

    def may(user_id, covering_for=()):
        return may_acknowledge(
            user_id, contacts=contacts, manager_id=BOSS, duty_contact="UNEWDUTY", covering_for=covering_for
        )

    assert may(BOSS) and may(COVERING) and may(DUTY_ID) and may("UNEWDUTY")
    assert may("UOTHERCOVER", covering_for=[BOSS])  # covering the manager's leave today
    assert not may(WORKER) and not may(WORKER, covering_for=["USOMEONEELSE"])
