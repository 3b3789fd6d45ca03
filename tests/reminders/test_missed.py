"""How due a discussion is, as the channel sees it on the card, and a missed one as the manager's DM and
the card both tell it: "Due now" at its time, "Under way" once started, "Not held yet — pick a new time?"
once the co-workers have been nudged, and, once the next one has taken its place, "Not held" on the card
and a DM that offers what still makes sense (We met offline; a new date for the next one), not Snooze.

The demo agreement meets weekly at first, so the 2 Dec discussion is superseded on Wed 9 Dec 10:00, the
same minute the manager's not-held reminder falls due.
"""

from __future__ import annotations

from bot.ids import ActionId
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER
from storage.models import ItemStatus, ScheduleItem
from tests.discussion_steps import current as current_question
from tests.journey import open_case
from tests.reminder_steps import (
    FIRST_DUE,
    body,
    click,
    controls,
    dms,
    due_now,
    ephemerals,
    item,
    nz,
    pass_at,
    reminder_posts,
    rows,
    schedule_lines,
    thread_texts,
)


def token(at) -> str:
    return f"<!date^{int(at.timestamp())}^"


def test_the_card_says_due_now_then_not_held_yet_and_never_overdue_with_a_warning(sandbox):
    box = sandbox
    card, _post = due_now(box)
    lines = schedule_lines(box, card)
    assert f"*Next discussion:* {token(FIRST_DUE)}" in lines and "· Due now" in lines
    pass_at(box, nz(4, 9, 59))
    assert "· Due now" in schedule_lines(box, card)

    pass_at(box, nz(4, 10))  # not started after two working days: the co-workers are nudged by DM
    lines = schedule_lines(box, card)
    assert "· Not held yet — pick a new time?" in lines and "Due now" not in lines
    assert ":warning:" not in lines and "Overdue" not in lines


def test_a_discussion_under_way_is_shown_as_under_way_not_overdue(http_sandbox):
    box = http_sandbox
    card, post = due_now(box)
    click(box, LEAD, ActionId.REMINDER_START, post)
    box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {})
    lines = schedule_lines(box, card)
    assert "· Under way in this thread" in lines
    assert "Due now" not in lines and "Overdue" not in lines and ":warning:" not in lines


def test_a_missed_discussion_shows_on_the_card_and_the_managers_dm_offers_no_snooze(http_sandbox):
    box = http_sandbox
    card, old_post = due_now(box)
    pass_at(box, nz(4, 10))
    pass_at(box, nz(9, 10))  # five working days: the manager is asked, and the next one takes over

    assert item(box).status == ItemStatus.MISSED
    (following,) = [i for i in rows(box, ScheduleItem) if i.kind.value == "discussion" and i.id != 1]
    assert following.due_at == nz(9, 10)
    lines = schedule_lines(box, card)
    assert f"*Next discussion:* {token(nz(9, 10))}" in lines and "· Due now" in lines
    assert f"*Not held:* reflective discussion planned for {token(FIRST_DUE)}" in lines

    (dm,) = box.emu.dms(MANAGER)
    assert controls(dm) == [ActionId.REMINDER_MET, ActionId.REMINDER_RESCHEDULE]
    assert "hasn't been held yet" in body(dm)
    assert f"The next one, planned for {token(nz(9, 10))}" in body(dm)

    # The superseded thread reminder no longer offers Start now, Snooze or Reschedule for a passed time.
    retired = box.emu.message(CASE_CHANNEL, old_post["ts"])
    assert controls(retired) == [ActionId.REMINDER_MET]
    text = body(retired)
    assert f"planned for {token(FIRST_DUE)}" in text and "wasn't held." in text
    assert f"The next one, planned for {token(nz(9, 10))}" in text and "has taken its place" in text

    # Snooze pressed on it before it changed says why nothing can move, rather than "already dealt with".
    click(box, DEVELOPING, ActionId.REMINDER_SNOOZE, old_post, selected_option="1:0:1d")
    assert "the next one has taken its place" in ephemerals(box, DEVELOPING)[-1]
    assert item(box).status == ItemStatus.MISSED

    # The DM's date picker moves the next one, for a catch-up sooner or later.
    dm_channel = box.emu.dm_channel_for(MANAGER)
    click(box, MANAGER, ActionId.REMINDER_RESCHEDULE, dm, channel=dm_channel, selected_date="2026-12-11")
    moved = item(box, following.id)
    assert (moved.round, moved.due_at, moved.status) == (1, nz(11, 10), ItemStatus.SCHEDULED)
    assert item(box).status == ItemStatus.MISSED


def test_we_met_offline_on_the_missed_discussions_dm_records_it_held_and_keeps_the_next_one(http_sandbox):
    box = http_sandbox
    card, _post = due_now(box)
    pass_at(box, nz(9, 10))
    (dm,) = box.emu.dms(MANAGER)
    (following,) = [i for i in rows(box, ScheduleItem) if i.kind.value == "discussion" and i.id != 1]

    click(box, MANAGER, ActionId.REMINDER_MET, dm, channel=box.emu.dm_channel_for(MANAGER))
    assert item(box).status == ItemStatus.HELD
    kept = item(box, following.id)
    assert (kept.status, kept.due_at, kept.round) == (ItemStatus.SCHEDULED, nz(9, 10), 0)
    assert [i.id for i in rows(box, ScheduleItem) if i.kind.value == "discussion"] == [1, following.id]
    assert "Not held" not in schedule_lines(box, card)
    assert any("was held outside Slack" in t for t in thread_texts(box, card))


def test_the_missed_line_stays_until_a_later_discussion_is_held(http_sandbox):
    box = http_sandbox
    card, _post = due_now(box)
    pass_at(box, nz(9, 10))
    assert "*Not held:*" in schedule_lines(box, card)
    new_post = reminder_posts(box, card)[-1]
    click(box, LEAD, ActionId.REMINDER_START, new_post)
    box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {})
    assert "*Not held:*" in schedule_lines(box, card), "under way is not yet held"
    click(box, DEVELOPING, ActionId.QUESTION_WRAP_UP, current_question(box, card))
    assert "*Not held:*" not in schedule_lines(box, card)
    assert item(box).status == ItemStatus.MISSED  # still a fact in the record, just no longer on the card


def test_the_supervision_agenda_names_what_is_not_held_in_words_not_kinds(http_sandbox):
    box = http_sandbox
    open_case(box)
    pass_at(box, nz(29, 10))  # after downtime: the 2 Dec discussion missed, the 23 Dec one still open
    (agenda,) = [t for t in dms(box, MANAGER) if "Suggested agenda" in t]
    assert "Reflective discussions since the case opened: 0 held, 1 missed, 1 still open." in agenda
    assert "Not held yet: reflective discussion planned for Wed 23 Dec." in agenda, "the manager's own day"
    assert "Overdue" not in agenda and "discussion due" not in agenda
