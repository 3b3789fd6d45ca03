"""The agenda (pure, in the reader's zone), the form's checks and who may read a wellbeing check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.reminders.rules_agenda import REVIEW_QUESTIONS, ActionFact, AgendaFacts, Told, agenda_lines
from bot.supervision.rules import ActionRow, SupervisionForm, may_read_wellbeing, problems

AUCKLAND = ZoneInfo("Pacific/Auckland")
NOW = datetime(2026, 12, 20, 0, 0, tzinfo=UTC)
WED_23_10AM_NZ = datetime(2026, 12, 22, 21, 0, tzinfo=UTC)


def facts(**changes) -> AgendaFacts:
    base = dict(
        since=None,
        discussions_held=2,
        discussions_missed=1,
        discussions_open=0,
        overdue_items=(("reflective discussion", WED_23_10AM_NZ),),
        actions=(ActionFact("Ring the school <today>", "UALEX", date(2026, 12, 18), "open"),),
        differences=(("Whether contact is safe", False),),
        learning_entries=1,
        notes_on_time=2,
        notes_late=1,
        notes_missing=0,
        review_date=date(2027, 3, 1),
    )
    return AgendaFacts(**{**base, **changes})


def test_dates_are_in_the_readers_own_zone_not_utc():
    text = "\n".join(agenda_lines(facts(), now=NOW, tz=AUCKLAND))
    assert "reflective discussion planned for Wed 23 Dec" in text
    assert "22 Dec" not in text
    utc = "\n".join(agenda_lines(facts(), now=NOW, tz=UTC))
    assert "Tue 22 Dec" in utc


def test_the_agenda_lists_actions_with_their_state_differences_learning_and_the_questions():
    lines = agenda_lines(facts(), now=NOW, tz=AUCKLAND)
    text = "\n".join(lines)
    assert "    ◦ Ring the school &lt;today&gt; (<@UALEX>, due Fri 18 Dec): overdue" in text, "escaped"
    assert "Whether contact is safe (not resolved yet)" in text
    assert "Notes: 2 recorded on time, 1 late, 0 not recorded." in text
    assert "Learning entries for the developing worker since the case opened: 1." in text
    assert "due for review on Mon 1 Mar 2027" in text
    assert all(f"• {q}" in lines for q in REVIEW_QUESTIONS)
    reminder = "\n".join(agenda_lines(facts(), now=NOW, tz=AUCKLAND, questions=False))
    assert not any(q in reminder for q in REVIEW_QUESTIONS), "the reminder's template asks them itself"


def test_what_each_worker_told_the_family_is_side_by_side():
    told = (
        Told("UALEX", "contact stays supervised", NOW - timedelta(days=2)),
        Told("USAM", "contact may be unsupervised", NOW - timedelta(days=1)),
        Told("UALEX", "next review in March", NOW - timedelta(hours=1)),
    )
    text = "\n".join(agenda_lines(facts(told=told), now=NOW, tz=AUCKLAND))
    assert "◦ <@UALEX> told: Fri 18 Dec: contact stays supervised; Sun 20 Dec: next review in March" in text
    assert "◦ <@USAM> told: Sat 19 Dec: contact may be unsupervised" in text


TODAY = date(2026, 12, 20)


def form(**changes) -> SupervisionForm:
    base = dict(
        attendees=("UMGR", "UALEX"),
        decisions="Carry on",
        actions=(ActionRow(1, "Draft chronology", "USAM", TODAY + timedelta(days=3), ""),),
        learning="",
        next_day=TODAY + timedelta(days=28),
    )
    return SupervisionForm(**{**base, **changes})


def test_a_good_form_has_no_problems_and_each_bad_field_is_named():
    assert problems(form(), today=TODAY, members=["UALEX", "USAM"]) == {}
    found = problems(
        form(
            attendees=("UMGR",),
            decisions=" ",
            actions=(
                ActionRow(1, "", "USAM", None, ""),
                ActionRow(2, "Ring school", None, None, ""),
                ActionRow(3, "Visit", "USAM", TODAY - timedelta(days=1), ""),
            ),
            next_day=TODAY,
        ),
        today=TODAY,
        members=["UALEX", "USAM"],
    )
    assert set(found) == {"attendees", "decisions", "action_1_text", "action_2_owner", "action_3_due", "next"}


@given(st.sampled_from(["UALEX", "USAM", "UMGR", "UADMIN"]), st.sampled_from(["UALEX", "USAM"]))
def test_a_wellbeing_check_is_read_by_its_worker_and_the_manager_alone(reader, worker):
    allowed = may_read_wellbeing(reader, worker_id=worker, manager_id="UMGR")
    assert allowed == (reader in (worker, "UMGR"))
