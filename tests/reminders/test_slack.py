"""Scheduling and reminders as people see them in Slack: the thread post, DMs, buttons, leave and zones.

Time only moves when a test moves the hand-held `clock` and runs `jobs.run_pass`, as the scheduler
would every minute. Moments are written as New Zealand wall-clock times (the sandbox team's zone).
The demo agreement meets weekly on Wednesdays at 10:00 at first (a developing worker), so the first
discussion is due Wed 2 Dec 2026 10:00 NZDT, two working days later is Fri 4 Dec, five is Wed 9 Dec.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.ids import ActionId, Block
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER, OUTSIDER, QUIET_CHANNEL
from storage.models import ItemStatus, Leave, OutboxStatus, ScheduleItem
from tests.discussion_steps import current as current_question
from tests.journey import open_case
from tests.reminder_steps import (
    FIRST_DUE,
    audits,
    away,
    body,
    click,
    controls,
    dms,
    due_now,
    ephemerals,
    item,
    nz,
    pass_at,
    person,
    reminder_posts,
    reminder_rows,
    rows,
    schedule_lines,
    shown,
    thread_texts,
)

STALE = "already been dealt with"
REFUSED = "Only the case's co-workers, its manager and anyone covering for them can act on this reminder."


# ----------------------------------------------------------------- planning
def test_opening_a_case_plans_a_discussion_a_supervision_and_a_review_and_the_card_shows_them(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    planned = {i.kind.value: (i.due_at, i.status, i.level_sent) for i in rows(box, ScheduleItem)}
    assert planned == {
        "discussion": (FIRST_DUE, ItemStatus.SCHEDULED, -1),
        "supervision": (datetime(2026, 12, 28, 21, tzinfo=UTC), ItemStatus.SCHEDULED, -1),
        "review": (datetime(2027, 2, 23, 21, tzinfo=UTC), ItemStatus.SCHEDULED, -1),
    }
    lines = schedule_lines(box, card)
    assert f"*Next discussion:* <!date^{int(FIRST_DUE.timestamp())}^" in lines
    assert shown(FIRST_DUE) in lines and "2026-12-28 21:00 UTC" in lines
    assert "Overdue" not in lines
    assert reminder_rows(box) == []


# ---------------------------------------------------------- the due moment
def test_at_the_due_time_one_thread_post_mentions_both_coworkers_and_the_card_shows_it_due_now(sandbox):
    box = sandbox
    card = open_case(box)
    pass_at(box, nz(2, 9, 59))
    assert reminder_posts(box, card) == [], "nothing before the due time"

    pass_at(box, FIRST_DUE)
    (post,) = reminder_posts(box, card)
    assert f"<@{LEAD}>" in body(post) and f"<@{DEVELOPING}>" in body(post)
    assert controls(post) == [
        ActionId.REMINDER_START,
        ActionId.REMINDER_SNOOZE,
        ActionId.REMINDER_RESCHEDULE,
        ActionId.REMINDER_MET,
    ]
    lines = schedule_lines(box, card)
    assert f"*Next discussion:* <!date^{int(FIRST_DUE.timestamp())}^" in lines and "· Due now" in lines
    assert ":warning:" not in lines and "Overdue" not in lines
    posts_before = len(box.emu.calls_to("chat.postMessage"))
    pass_at(box, FIRST_DUE)
    assert len(box.emu.calls_to("chat.postMessage")) == posts_before, "a second pass sends nothing more"
    assert len(reminder_rows(box)) == 1
    assert box.emu.dms(LEAD) == box.emu.dms(DEVELOPING) == box.emu.dms(MANAGER) == []


def test_coworkers_get_a_dm_after_two_working_days_and_the_manager_after_five_not_counting_the_weekend(
    http_sandbox,
):
    box = http_sandbox
    due_now(box)
    pass_at(box, nz(4, 9, 59))
    assert dms(box, LEAD) == dms(box, DEVELOPING) == []

    pass_at(box, nz(4, 10))  # Fri 4 Dec: Wed + 2 working days
    for coworker, other in ((LEAD, DEVELOPING), (DEVELOPING, LEAD)):
        (dm,) = dms(box, coworker)
        assert f"Hi <@{coworker}>" in dm and "hasn't started yet" in dm and f"<@{other}>" in dm
    assert dms(box, MANAGER) == []

    pass_at(box, nz(7, 10))  # Mon 7 Dec would be five days if Saturday and Sunday counted
    assert dms(box, MANAGER) == []

    pass_at(box, nz(9, 10))  # Wed 9 Dec: Thu, Fri, Mon, Tue, Wed
    (escalation,) = dms(box, MANAGER)
    assert "hasn't been held yet" in escalation and "Would a short check-in" in escalation
    assert "|Open the case thread>" in escalation and f"/archives/{CASE_CHANNEL}/" in escalation
    assert [r.payload["level"] for r in reminder_rows(box, to=MANAGER)] == [2]

    pass_at(box, nz(10, 10))
    assert len(dms(box, MANAGER)) == 1 and len(dms(box, LEAD)) == 1 and len(dms(box, DEVELOPING)) == 1
    assert [(r.payload["item_id"], r.payload["level"]) for r in reminder_rows(box, level=1)] == [(1, 1)] * 2


# ------------------------------------------------------------ working hours
def test_a_reminder_that_falls_due_before_working_hours_waits_in_the_outbox_until_nine(http_sandbox):
    box = http_sandbox
    card = open_case(box, **{Block.DISCUSSION_TIME: "07:00"})
    pass_at(box, nz(2, 7))
    (row,) = reminder_rows(box)
    assert row.status == OutboxStatus.PENDING and row.next_attempt_at == nz(2, 9)
    pass_at(box, nz(2, 8, 59))
    assert reminder_posts(box, card) == []

    pass_at(box, nz(2, 9))
    assert len(reminder_posts(box, card)) == 1
    assert reminder_rows(box)[0].status == OutboxStatus.SENT


def test_the_managers_escalation_waits_for_the_working_day_in_their_own_time_zone(http_sandbox):
    box = http_sandbox
    box.emu.users[MANAGER].tz = "Europe/London"
    due_now(box)
    pass_at(box, nz(4, 10))
    pass_at(box, nz(9, 10))  # 21:00 on Tuesday in London
    (row,) = reminder_rows(box, to=MANAGER)
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at == datetime(2026, 12, 9, 9, tzinfo=UTC)  # 09:00 Wednesday in London
    assert dms(box, MANAGER) == []
    assert item(box).status == ItemStatus.MISSED, "the next discussion took over meanwhile"

    pass_at(box, datetime(2026, 12, 9, 9, tzinfo=UTC))
    (escalation,) = dms(box, MANAGER)
    assert "hasn't been held yet" in escalation


# ------------------------------------------------------------------- snooze
def test_snooze_starts_a_new_round_cancels_queued_reminders_and_posts_again_at_the_snooze_time(sandbox):
    box = sandbox
    card = open_case(box, **{Block.DISCUSSION_TIME: "08:00"})
    pass_at(box, nz(2, 9))
    (post,) = reminder_posts(box, card)
    pass_at(box, nz(4, 8))  # the co-workers' DMs are claimed but wait for 09:00
    queued = reminder_rows(box, level=1)
    assert {r.payload["user_id"] for r in queued} == {LEAD, DEVELOPING}
    assert {r.status for r in queued} == {OutboxStatus.PENDING}

    click(box, LEAD, ActionId.REMINDER_SNOOZE, post, selected_option="1:0:1d")
    snoozed = item(box)
    assert (snoozed.round, snoozed.due_at, snoozed.status) == (1, nz(7, 8), ItemStatus.SCHEDULED)
    clicked = box.emu.message(CASE_CHANNEL, post["ts"])
    assert controls(clicked) == [] and f"Snoozed by <@{LEAD}>" in body(clicked)
    assert any(f"<@{LEAD}> snoozed the reflective discussion to" in t for t in thread_texts(box, card))
    assert len(audits(box, "reminder.snooze")) == 1

    for old_control, picked in (
        (ActionId.REMINDER_SNOOZE, {"selected_option": "1:0:3d"}),
        (ActionId.REMINDER_MET, {}),
    ):
        click(box, DEVELOPING, old_control, post, **picked)
        assert STALE in ephemerals(box, DEVELOPING)[-1]
    assert (item(box).round, item(box).status) == (1, ItemStatus.SCHEDULED)

    pass_at(box, nz(4, 9))  # when the queued DMs would have gone
    assert {r.status for r in reminder_rows(box, level=1)} == {OutboxStatus.CANCELLED}
    pass_at(box, nz(7, 7, 59))
    assert dms(box, LEAD) == dms(box, DEVELOPING) == []
    assert len(reminder_posts(box, card)) == 1

    pass_at(box, nz(7, 8))  # the snooze time: claimed, and posted once both are at work
    (new_round,) = [r for r in reminder_rows(box, level=0) if r.payload["round"] == 1]
    assert new_round.status == OutboxStatus.PENDING and new_round.next_attempt_at == nz(7, 9)
    pass_at(box, nz(7, 9))
    again = reminder_posts(box, card)[-1]
    assert len(reminder_posts(box, card)) == 2
    assert again["blocks"][-1]["block_id"] == "reminder:1:1"


# --------------------------------------------------------------- reschedule
def test_rescheduling_to_a_later_date_moves_the_discussion_and_its_reminders(http_sandbox):
    box = http_sandbox
    card, post = due_now(box)
    click(box, DEVELOPING, ActionId.REMINDER_RESCHEDULE, post, selected_date="2026-12-05")
    moved = item(box)
    assert (moved.round, moved.due_at) == (1, nz(7, 10))  # Saturday moves to Monday, at the agreed 10:00
    assert ephemerals(box, DEVELOPING) == []
    assert shown(nz(7, 10)) in schedule_lines(box, card) and "Overdue" not in schedule_lines(box, card)
    assert any("moved the reflective discussion to" in t for t in thread_texts(box, card))

    pass_at(box, nz(4, 10))
    assert dms(box, LEAD) == dms(box, DEVELOPING) == [], "the old round's reminders are gone"
    pass_at(box, nz(7, 10))
    assert reminder_posts(box, card)[-1]["blocks"][-1]["block_id"] == "reminder:1:1"


def test_rescheduling_to_a_past_date_is_refused_and_changes_nothing(http_sandbox):
    box = http_sandbox
    card, post = due_now(box)
    click(box, LEAD, ActionId.REMINDER_RESCHEDULE, post, selected_date="2026-12-01")
    assert ephemerals(box, LEAD) == ["Pick a date from today to six months ahead."]
    assert (item(box).round, item(box).due_at) == (0, FIRST_DUE)
    assert audits(box, "reminder.reschedule") == []
    assert controls(box.emu.message(CASE_CHANNEL, post["ts"])) == controls(post)


# ------------------------------------------------------ met offline / start
def test_we_met_offline_holds_the_discussion_plans_the_next_and_stops_its_reminders(http_sandbox):
    box = http_sandbox
    card, post = due_now(box)
    click(box, DEVELOPING, ActionId.REMINDER_MET, post)
    assert item(box).status == ItemStatus.HELD
    (following,) = [i for i in rows(box, ScheduleItem) if i.kind.value == "discussion" and i.id != 1]
    assert following.due_at == nz(9, 10) and following.status == ItemStatus.SCHEDULED
    lines = schedule_lines(box, card)
    assert f"*Next discussion:* <!date^{int(nz(9, 10).timestamp())}^" in lines and "Overdue" not in lines
    assert any("marked the reflective discussion as held" in t for t in thread_texts(box, card))

    for moment in (nz(4, 10), nz(7, 10), nz(9, 10), nz(10, 10)):
        pass_at(box, moment)
    # Only the summary of the meeting is chased now (see test_timeliness), never the meeting itself.
    assert all(not meeting_dms(box, who) for who in (LEAD, DEVELOPING, MANAGER))
    assert [r.payload["level"] for r in reminder_rows(box) if r.payload["item_id"] == 1] == [0]


def test_starting_the_discussion_stops_coworker_dms_but_the_manager_is_still_asked_if_never_held(
    http_sandbox,
):
    box = http_sandbox
    card, post = due_now(box)
    click(box, LEAD, ActionId.REMINDER_START, post)
    box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {})
    assert item(box).status == ItemStatus.STARTED
    assert any(f"<@{LEAD}> started a reflective discussion" in t for t in thread_texts(box, card))

    pass_at(box, nz(4, 10))
    assert dms(box, LEAD) == dms(box, DEVELOPING) == []
    pass_at(box, nz(9, 10))
    (escalation,) = dms(box, MANAGER)
    assert "hasn't been held yet" in escalation


def test_wrapping_up_the_started_discussion_holds_it_and_nobody_is_chased(http_sandbox):
    box = http_sandbox
    card, post = due_now(box)
    click(box, LEAD, ActionId.REMINDER_START, post)
    box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {})
    click(box, DEVELOPING, ActionId.QUESTION_WRAP_UP, current_question(box, card))
    assert item(box).status == ItemStatus.HELD
    assert [a.actor for a in audits(box, "discussion.wrap_up")] == [DEVELOPING]
    pass_at(box, nz(9, 10))
    assert meeting_dms(box, MANAGER) == []  # its summary may be chased; the discussion itself is not


def meeting_dms(box, user: str) -> list[str]:
    """DMs about holding the discussion, leaving out those chasing its written summary."""
    return [t for t in dms(box, user) if "summary" not in t]


def test_start_now_on_a_reminder_already_dealt_with_opens_nothing(http_sandbox):
    box = http_sandbox
    card, post = due_now(box)
    click(box, LEAD, ActionId.REMINDER_MET, post)
    click(box, DEVELOPING, ActionId.REMINDER_START, post)
    assert box.emu.open_views_for(DEVELOPING) == []
    assert any("already been dealt with" in t for t in ephemerals(box, DEVELOPING))


# -------------------------------------------------------------- permissions
@pytest.mark.parametrize("stranger", [COLLEAGUE, OUTSIDER])
def test_people_outside_the_case_cannot_snooze_it_and_the_attempt_is_audited(http_sandbox, stranger):
    box = http_sandbox
    card, post = due_now(box)
    assert click(box, stranger, ActionId.REMINDER_SNOOZE, post, selected_option="1:0:week").status == 200
    if stranger == COLLEAGUE:
        assert ephemerals(box, COLLEAGUE) == [REFUSED]
    else:  # the outsider is not in the private channel, so is told by DM
        assert [m["text"] for m in box.emu.dms(OUTSIDER)] == [REFUSED]
    assert (item(box).round, item(box).due_at) == (0, FIRST_DUE)
    (denied,) = audits(box, "reminder.snooze")
    assert (denied.actor, denied.outcome, denied.object_id) == (stranger, "denied", "1")
    assert controls(box.emu.message(CASE_CHANNEL, post["ts"])) == controls(post)
    assert len(reminder_posts(box, card)) == 1


# ----------------------------------------------------- deactivated accounts
def test_a_deactivated_coworkers_reminder_goes_to_the_manager_saying_whose_it_is(http_sandbox):
    box = http_sandbox
    due_now(box)
    box.emu.users[LEAD].deleted = True
    pass_at(box, nz(4, 10))  # more than a day since the last look: users.info is read again
    assert person(box, LEAD).deactivated
    (dm,) = dms(box, MANAGER)
    assert f"<@{LEAD}>'s Slack account is deactivated, so their reminder comes to you" in dm
    assert dms(box, LEAD) == [] and len(dms(box, DEVELOPING)) == 1
    (row,) = reminder_rows(box, to=MANAGER)
    assert row.payload["for_others"] == [[LEAD, "deactivated"]]


def both_deactivated(box) -> str:
    due_now(box)
    box.emu.users[LEAD].deleted = box.emu.users[DEVELOPING].deleted = True
    pass_at(box, nz(4, 10))
    (dm,) = dms(box, MANAGER)
    return dm


def test_the_manager_gets_one_dm_when_both_coworkers_reminders_are_routed_to_them(http_sandbox):
    both_deactivated(http_sandbox)
    assert len(reminder_rows(http_sandbox, level=1)) == 1


def test_the_managers_single_dm_names_every_coworker_whose_reminder_it_carries(http_sandbox):
    dm = both_deactivated(http_sandbox)
    assert f"<@{LEAD}>'s Slack account is deactivated" in dm
    assert f"<@{DEVELOPING}>'s Slack account is deactivated" in dm


# --------------------------------------------------------------------- leave
def test_leave_with_cover_sends_the_leads_reminder_to_the_cover_saying_so(http_sandbox):
    box = http_sandbox
    due_now(box)
    reply = away(box, LEAD, f"2026-12-24 <@{COLLEAGUE}|kiri>")
    assert reply == (
        f"Enjoy your leave. Until Thursday 24 December 2026, your case reminders go to <@{COLLEAGUE}>."
    )
    (leave,) = rows(box, Leave)
    assert (leave.first_day, leave.last_day, leave.cover_id) == (
        date(2026, 12, 2),
        date(2026, 12, 24),
        person(box, COLLEAGUE).id,
    )
    (audit,) = audits(box, "leave.set")
    assert audit.actor == LEAD and audit.detail == {"cover": COLLEAGUE}

    pass_at(box, nz(4, 10))
    (dm,) = dms(box, COLLEAGUE)
    assert f"You're covering for <@{LEAD}> while they're away" in dm
    assert dms(box, LEAD) == [] and len(dms(box, DEVELOPING)) == 1


def test_the_cover_can_use_the_buttons_on_the_reminder_they_were_sent(http_sandbox):
    box = http_sandbox
    due_now(box)
    away(box, LEAD, f"2026-12-24 <@{COLLEAGUE}|kiri>")
    pass_at(box, nz(4, 10))
    (dm,) = box.emu.dms(COLLEAGUE)
    click(box, COLLEAGUE, ActionId.REMINDER_MET, dm, channel=box.emu.dm_channel_for(COLLEAGUE))
    assert ephemerals(box, COLLEAGUE) == []
    assert item(box).status == ItemStatus.HELD


def test_leave_without_cover_holds_the_leads_dm_until_their_first_working_day_back(http_sandbox):
    box = http_sandbox
    due_now(box)
    assert "pause until Monday 07 December 2026" in away(box, LEAD, "7 Dec")
    pass_at(box, nz(4, 10))
    (held_back,) = reminder_rows(box, to=LEAD)
    assert held_back.status == OutboxStatus.PENDING and held_back.next_attempt_at == nz(8, 9)
    assert dms(box, LEAD) == [] and len(dms(box, DEVELOPING)) == 1

    pass_at(box, nz(7, 16))
    assert dms(box, LEAD) == []
    pass_at(box, nz(8, 9))  # Tuesday, the first working day after the leave
    (dm,) = dms(box, LEAD)
    assert "hasn't started yet" in dm and "covering" not in dm


def test_a_queued_dm_waits_when_its_recipient_goes_on_leave_before_it_is_sent(http_sandbox):
    box = http_sandbox
    open_case(box, **{Block.DISCUSSION_TIME: "08:00"})
    pass_at(box, nz(2, 9))
    pass_at(box, nz(4, 8))  # claimed; the lead's DM waits for 09:00
    away(box, LEAD, "7 Dec")
    pass_at(box, nz(4, 9))
    (waiting,) = reminder_rows(box, to=LEAD)
    assert waiting.status == OutboxStatus.PENDING and waiting.next_attempt_at == nz(8, 9)
    assert dms(box, LEAD) == [] and len(dms(box, DEVELOPING)) == 1


def test_away_back_sends_reminders_to_the_lead_again(http_sandbox):
    box = http_sandbox
    due_now(box)
    away(box, LEAD, f"2026-12-24 <@{COLLEAGUE}|kiri>")
    pass_at(box, nz(3, 10))
    assert away(box, LEAD, "back") == "Welcome back. Your case reminders come to you again."
    (leave,) = rows(box, Leave)
    assert leave.last_day == date(2026, 12, 2)
    (audit,) = audits(box, "leave.end")
    assert audit.actor == LEAD

    pass_at(box, nz(4, 10))
    assert len(dms(box, LEAD)) == 1 and dms(box, COLLEAGUE) == []
    assert away(box, LEAD, "back").startswith("You're not marked as away")


def test_away_explains_an_unreadable_date_and_refuses_yourself_as_cover(http_sandbox):
    box = http_sandbox
    due_now(box)
    unreadable = away(box, LEAD, "someday")
    assert "I can't read 'someday' as a date" in unreadable and "/case away 2026-12-24" in unreadable
    assert "today or later" in away(box, LEAD, "2026-11-30")
    assert "other than yourself" in away(box, LEAD, f"2026-12-24 <@{LEAD}|alex>")
    assert rows(box, Leave) == [] and audits(box, "leave.set") == []


def test_away_reads_an_iso_date_as_year_month_day(http_sandbox):
    box = http_sandbox
    due_now(box)
    assert "Until Tuesday 05 January 2027" in away(box, LEAD, f"2027-01-05 <@{COLLEAGUE}|kiri>")
    (leave,) = rows(box, Leave)
    assert leave.last_day == date(2027, 1, 5)


def test_away_typed_in_a_channel_without_the_bot_still_confirms_the_leave(http_sandbox):
    box = http_sandbox
    reply = box.driver.slash(LEAD, "away 2026-12-24", QUIET_CHANNEL)
    told = [reply.text or "", *ephemerals(box, LEAD), *dms(box, LEAD)]
    assert reply.status == 200
    assert any("Enjoy your leave" in text for text in told)


# ---------------------------------------------------------------- time zones
def test_a_changed_slack_time_zone_is_picked_up_within_a_day_and_later_dms_follow_it(http_sandbox):
    box = http_sandbox
    due_now(box)
    box.emu.users[DEVELOPING].tz = "Europe/London"
    pass_at(box, nz(3, 10, 1))
    assert person(box, DEVELOPING).tz == "Europe/London"

    pass_at(box, nz(4, 10))  # 21:00 on Thursday in London
    assert len(dms(box, LEAD)) == 1 and dms(box, DEVELOPING) == []
    (waiting,) = reminder_rows(box, to=DEVELOPING)
    assert waiting.next_attempt_at == datetime(2026, 12, 4, 9, tzinfo=UTC)
    pass_at(box, datetime(2026, 12, 4, 9, tzinfo=UTC))
    assert len(dms(box, DEVELOPING)) == 1


# --------------------------------------------------------------- supervision
def test_supervision_due_sends_the_manager_a_suggested_agenda_and_posts_in_the_thread(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    pass_at(box, nz(29, 10))  # Tue 29 Dec 10:00 NZDT
    agendas = [dm for dm in dms(box, MANAGER) if "Suggested agenda" in dm]
    assert len(agendas) == 1
    assert "Chair the next core group with support" in agendas[0]
    assert "How is the developing worker progressing" in agendas[0]
    (dm,) = [m for m in box.emu.dms(MANAGER) if "Suggested agenda" in body(m)]
    assert ActionId.REMINDER_START not in controls(dm) and ActionId.REMINDER_MET in controls(dm)
    posts = [t for t in thread_texts(box, card) if "Joint supervision check-in due" in t]
    assert len(posts) == 1 and f"<@{MANAGER}> has the agenda" in posts[0]
