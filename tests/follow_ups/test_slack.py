"""Agreed actions are followed up, as people see it in Slack: the owner's DM on the due date and its three
buttons, leave cover and deactivated owners, the co-worker told when an action can't be done, and the
case card's record lines (who records, summaries waiting, overdue actions).

Time moves only when a test moves the clock and runs `jobs.run_pass`, as the scheduler would. The sandbox
case opens on Wed 25 Nov 2026 10:00 NZDT; its action (built with the ORM, as the saving flow would save
it) is due Mon 30 Nov, before the case's first discussion falls due (Wed 2 Dec).
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot import jobs
from bot.app import create_app
from bot.content import Content
from bot.deps import Deps
from bot.executor import TrackedExecutor
from bot.follow_ups import flows_sweep as follow_ups
from bot.ids import ActionId, Block, CallbackId
from bot.outbox import delivery
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER, OUTSIDER
from storage.db import make_engine, make_sessions
from storage.models import (
    ActionStatus,
    Discussion,
    FollowUpClaim,
    NoteAction,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)
from tests.discussion_steps import WRAP, current, start
from tests.follow_up_builder import DONE, TEXT, Wanted, add_actions
from tests.journey import open_case
from tests.reminder_steps import audits, away, body, click, controls, ephemerals, nz, pass_at, rows

REFERENCE = "CASE-2026-014"
DUE_AT = nz(30, 9, month=11)  # Mon 30 Nov 09:00 NZDT: the start of the lead's working day
OVERDUE_AT = nz(1, 0, month=12)  # the lead's midnight after the due date
STALE = "already been dealt with"
REFUSED = "Only the case's co-workers, its manager and anyone covering for them can do that."
REASON = "The school is closed until January"
BUTTONS = [ActionId.ACTION_DONE, ActionId.ACTION_EXTEND, ActionId.ACTION_CANNOT]


# ---------------------------------------------------------------- steps
def action_dms(box, user: str) -> list[dict]:
    """DMs about an action (as Slack shows them now: once answered, without buttons)."""
    return [m for m in box.emu.dms(user) if f"on case *{REFERENCE}*" in body(m) and "action 1" in body(m)]


def followed(box, owner: str = LEAD, **wanted) -> int:
    """The demo case with one action owned by `owner`; its id."""
    open_case(box)
    (action_id,) = add_actions(box, Wanted(owner, **wanted))
    return action_id


def the_action(box, action_id: int) -> NoteAction:
    (found,) = rows(box, NoteAction, id=action_id)
    return found


def claims(box) -> list[tuple[str, int, int, int]]:
    return [(c.subject, c.subject_id, c.level, c.round) for c in rows(box, FollowUpClaim)]


def queued(box) -> list[OutboxMessage]:
    return rows(box, OutboxMessage, kind=OutboxKind.ACTION_FOLLOW_UP)


def dm_channel(box, user: str) -> str:
    return box.emu.dm_channel_for(user)


def press(box, user: str, action_id: str, dm: dict, *, on_dm_of: str | None = None):
    return click(box, user, action_id, dm, channel=dm_channel(box, on_dm_of or user))


def card_text(box) -> str:
    (card,) = box.emu.messages(CASE_CHANNEL)
    return body(card)


def card_buttons(box) -> list[dict]:
    (card,) = box.emu.messages(CASE_CHANNEL)
    return [b["accessory"] for b in card["blocks"] if b.get("accessory")]


def thread_texts(box) -> list[str]:
    (card,) = box.emu.messages(CASE_CHANNEL)
    return [body(m) for m in box.emu.thread(CASE_CHANNEL, card["ts"])]


def modal(box, user: str, callback_id: str) -> dict:
    (view,) = [v for v in box.emu.open_views_for(user) if v.get("callback_id") == callback_id]
    return view


def asked(box, owner: str = LEAD, **wanted) -> tuple[int, dict]:
    """The action's DM has reached `owner` on the due date: (action id, the DM)."""
    action_id = followed(box, owner, **wanted)
    pass_at(box, DUE_AT)
    (dm,) = action_dms(box, owner)
    return action_id, dm


def restart(box) -> None:
    """The process dies: its pool and workers go; a new Deps and App start on the same database."""
    box.deps.executor.shutdown(wait=True)
    box.deps.engine.dispose()
    engine = make_engine(box.settings.database_url)
    box.deps = Deps(
        settings=box.settings,
        engine=engine,
        sessions=make_sessions(engine),
        content=Content(),
        clock=box.deps.clock,
        executor=TrackedExecutor(),
    )
    box.app = create_app(box.deps)


# ---------------------------------------------------------------- the DM on the due date
def test_the_owner_gets_one_dm_at_the_start_of_their_working_day_on_the_due_date(http_sandbox):
    box = http_sandbox
    action_id = followed(box)
    assert the_action(box, action_id).next_check_at == DUE_AT
    pass_at(box, nz(30, 8, 59, month=11))
    assert action_dms(box, LEAD) == [] and queued(box) == []
    pass_at(box, DUE_AT)
    (dm,) = action_dms(box, LEAD)
    text = body(dm)
    assert f"Your action 1 of note 2 on case *{REFERENCE}* is due today:" in text
    assert f">{TEXT}" in text and f"*Done looks like:* {DONE}" in text
    assert controls(dm) == BUTTONS
    assert {e["value"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]} == {
        f"{action_id}:0"
    }
    pass_at(box, nz(30, 9, 5, month=11))
    pass_at(box, nz(30, 14, month=11))
    assert len(action_dms(box, LEAD)) == 1
    assert claims(box) == [("action", action_id, 0, 0)]
    assert box.emu.dms(DEVELOPING) == [] and box.emu.dms(MANAGER) == []


def test_an_owner_in_another_zone_is_asked_at_the_start_of_their_own_working_day(http_sandbox):
    box = http_sandbox
    followed(box, DEVELOPING)  # Sam works in Chatham time, 45 minutes ahead of Auckland
    pass_at(box, nz(30, 8, 14, month=11))
    assert action_dms(box, DEVELOPING) == []
    pass_at(box, nz(30, 8, 15, month=11))
    assert len(action_dms(box, DEVELOPING)) == 1


def test_the_dm_is_not_resent_after_a_restart(http_sandbox):
    box = http_sandbox
    action_id = followed(box)
    box.deps.clock.move_to(DUE_AT)
    assert follow_ups.sweep(box.deps).dms == 1  # claimed and queued; the process dies before sending
    restart(box)
    jobs.run_pass(box.deps)
    jobs.run_pass(box.deps)
    pass_at(box, nz(30, 9, 30, month=11))
    assert len(action_dms(box, LEAD)) == 1
    assert [(r.status, r.attempts) for r in queued(box)] == [(OutboxStatus.SENT, 1)]
    assert claims(box) == [("action", action_id, 0, 0)]


def test_a_second_sweeper_that_read_the_action_as_due_loses_on_the_claim_and_sends_nothing(http_sandbox):
    box = http_sandbox
    action_id = followed(box)
    box.deps.clock.move_to(DUE_AT)
    assert follow_ups.sweep(box.deps).dms == 1
    with box.deps.sessions.begin() as session:  # as another sweeper saw it, before the first committed
        action = session.get(NoteAction, action_id)
        action.level_sent, action.next_check_at = -1, DUE_AT
    report = follow_ups.sweep(box.deps)
    assert (report.dms, report.lost_races) == (0, 1)
    assert len(queued(box)) == 1
    delivery.deliver_due(box.deps)
    assert len(action_dms(box, LEAD)) == 1


def test_after_downtime_the_dm_goes_once_saying_it_was_due_and_the_card_shows_it_overdue(http_sandbox):
    box = http_sandbox
    followed(box)
    pass_at(box, nz(3, 10, month=12))  # the bot was down from Sunday until Thursday
    pass_at(box, nz(3, 10, 1, month=12))
    (dm,) = action_dms(box, LEAD)
    assert "is due today" not in body(dm) and "was due <!date^" in body(dm) and "|2026-11-30>:" in body(dm)
    card = card_text(box)
    assert f":pushpin: *Actions past their due date:*\n• <@{LEAD}>, due <!date^" in card
    assert "|2026-11-30>" in card and ":warning:" not in card
    assert TEXT not in card and DONE not in card


def test_the_card_shows_an_open_action_overdue_from_the_owners_midnight_after_the_due_date(http_sandbox):
    box = http_sandbox
    followed(box)
    pass_at(box, DUE_AT)
    assert "Actions past their due date" not in card_text(box)
    pass_at(box, nz(30, 23, 59, month=11))
    assert "Actions past their due date" not in card_text(box)
    pass_at(box, OVERDUE_AT)
    assert f"*Actions past their due date:*\n• <@{LEAD}>" in card_text(box)


def test_an_action_without_an_owner_gets_no_dm_but_shows_overdue_on_the_card(http_sandbox):
    box = http_sandbox
    followed(box, None)
    pass_at(box, DUE_AT)
    assert all(box.emu.dms(u) == [] for u in (LEAD, DEVELOPING, MANAGER))
    pass_at(box, OVERDUE_AT)
    assert "*Actions past their due date:*\n• no owner, due" in card_text(box)


def test_a_queued_dm_is_cancelled_once_the_action_is_done(http_sandbox):
    box = http_sandbox
    action_id = followed(box)
    box.deps.clock.move_to(DUE_AT)
    follow_ups.sweep(box.deps)
    with box.deps.sessions.begin() as session:
        session.get(NoteAction, action_id).status = ActionStatus.DONE
    delivery.deliver_due(box.deps)
    assert action_dms(box, LEAD) == []
    assert [r.status for r in queued(box)] == [OutboxStatus.CANCELLED]


# ---------------------------------------------------------------- leave and deactivated owners
def test_leave_without_cover_holds_the_dm_until_the_owners_first_working_day_back(http_sandbox):
    box = http_sandbox
    followed(box)
    away(box, LEAD, "2 Dec")
    pass_at(box, DUE_AT)
    (waiting,) = queued(box)
    assert waiting.status == OutboxStatus.PENDING and waiting.next_attempt_at == nz(3, 9, month=12)
    pass_at(box, nz(2, 16, month=12))
    assert action_dms(box, LEAD) == []
    pass_at(box, nz(3, 9, month=12))
    (dm,) = action_dms(box, LEAD)
    assert "was due" in body(dm)


def test_leave_with_cover_sends_the_dm_to_the_cover_who_can_mark_it_done(http_sandbox):
    box = http_sandbox
    action_id = followed(box)
    away(box, LEAD, f"2026-12-24 <@{COLLEAGUE}|kiri>")
    pass_at(box, DUE_AT)
    assert action_dms(box, LEAD) == []
    (dm,) = action_dms(box, COLLEAGUE)
    assert f"You're covering for <@{LEAD}> while they're away, so their action comes to you." in body(dm)
    assert f"<@{LEAD}>'s action 1 of note 2" in body(dm)
    press(box, COLLEAGUE, ActionId.ACTION_DONE, dm)
    assert ephemerals(box, COLLEAGUE) == []
    assert (the_action(box, action_id).status, the_action(box, action_id).status_by) == (
        ActionStatus.DONE,
        COLLEAGUE,
    )


def test_a_deactivated_owners_dm_goes_to_the_manager_saying_whose_it_is(http_sandbox):
    box = http_sandbox
    followed(box)
    box.emu.users[LEAD].deleted = True
    pass_at(box, DUE_AT)  # more than a day since the last look: users.info is read again
    assert action_dms(box, LEAD) == []
    (dm,) = action_dms(box, MANAGER)
    assert f"<@{LEAD}>'s Slack account is deactivated, so their action comes to you." in body(dm)


# ---------------------------------------------------------------- Done
def test_done_closes_the_action_notes_it_in_the_thread_replaces_the_buttons_and_updates_the_card(sandbox):
    box = sandbox
    action_id, dm = asked(box)
    press(box, LEAD, ActionId.ACTION_DONE, dm)
    action = the_action(box, action_id)
    assert (action.status, action.status_by, action.next_check_at) == (ActionStatus.DONE, LEAD, None)
    assert f":white_check_mark: <@{LEAD}> marked action 1 of note 2 as done." in thread_texts(box)
    (shown,) = action_dms(box, LEAD)
    assert controls(shown) == [] and f"Marked done by <@{LEAD}>." in body(shown) and TEXT in body(shown)
    (audit,) = audits(box, "action.done")
    assert (audit.actor, audit.object_type, audit.object_id, audit.outcome) == (
        LEAD,
        "note_action",
        str(action_id),
        "ok",
    )
    pass_at(box, OVERDUE_AT)
    assert "Actions past their due date" not in card_text(box)


def test_pressing_done_twice_acts_once_and_says_so(http_sandbox):
    box = http_sandbox
    action_id, dm = asked(box)
    press(box, LEAD, ActionId.ACTION_DONE, dm)
    press(box, LEAD, ActionId.ACTION_DONE, dm)  # the old message, as a double click sends it
    assert len(audits(box, "action.done")) == 1
    assert sum("marked action 1 of note 2 as done" in t for t in thread_texts(box)) == 1
    told = ephemerals(box, LEAD) + [m.get("text", "") for m in box.emu.dms(LEAD)]
    assert any(STALE in t for t in told)


# ---------------------------------------------------------------- Need more time
def extend(box, dm: dict, day: str, user: str = LEAD):
    press(box, user, ActionId.ACTION_EXTEND, dm, on_dm_of=LEAD)
    view = modal(box, user, CallbackId.ACTION_EXTEND)
    return view, box.driver.submit(user, view, {Block.ACTION_DUE: day})


def test_need_more_time_sets_a_new_date_starts_a_new_round_and_asks_again_on_that_day(sandbox):
    box = sandbox
    action_id, dm = asked(box)
    _view, reply = extend(box, dm, "2026-12-07")
    assert reply.status == 200 and not (reply.json or {}).get("errors")
    action = the_action(box, action_id)
    assert (action.due, action.round, action.level_sent) == (date(2026, 12, 7), 1, -1)
    assert action.next_check_at == nz(7, 9, month=12)
    (note,) = [t for t in thread_texts(box) if "more time" in t]
    assert note.startswith(f":calendar: <@{LEAD}> gave action 1 of note 2 more time: it's now due <!date^")
    assert "|2026-12-07>." in note
    (shown,) = action_dms(box, LEAD)
    assert controls(shown) == [] and f"Given more time by <@{LEAD}>: now due" in body(shown)
    (audit,) = audits(box, "action.extend")
    assert audit.detail == {"round": 1, "note_id": action.note_id, "due": "2026-12-07"}

    pass_at(box, OVERDUE_AT)
    assert "Actions past their due date" not in card_text(box)
    pass_at(box, nz(7, 9, month=12))
    assert len(action_dms(box, LEAD)) == 2
    assert claims(box) == [("action", action_id, 0, 0), ("action", action_id, 0, 1)]


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2026-11-29", "from tomorrow onwards"),
        ("2026-11-30", "from tomorrow onwards"),
        ("2027-06-01", "six months"),
    ],
)
def test_a_new_date_in_the_past_today_or_beyond_six_months_is_refused_next_to_the_field(
    http_sandbox, day, error
):
    box = http_sandbox
    action_id, dm = asked(box)
    _view, reply = extend(box, dm, day)
    assert error in reply.json["errors"][Block.ACTION_DUE]
    action = the_action(box, action_id)
    assert (action.due, action.round) == (date(2026, 11, 30), 0)
    assert audits(box, "action.extend") == []


def test_a_double_submission_of_need_more_time_acts_once(http_sandbox):
    box = http_sandbox
    action_id, dm = asked(box)
    view, _reply = extend(box, dm, "2026-12-07")
    again = box.driver.submit(LEAD, view, {Block.ACTION_DUE: "2026-12-07"})
    assert again.status == 200 and not (again.json or {}).get("errors")
    assert the_action(box, action_id).round == 1
    assert len(audits(box, "action.extend")) == 1
    assert sum("more time" in t for t in thread_texts(box)) == 1


def test_a_press_on_an_earlier_rounds_dm_changes_nothing_and_says_so(http_sandbox):
    box = http_sandbox
    action_id, dm = asked(box)
    extend(box, dm, "2026-12-07")
    press(box, LEAD, ActionId.ACTION_CANNOT, dm)  # the first round's DM
    assert modal_count(box, CallbackId.ACTION_CANNOT) == 0
    press(box, LEAD, ActionId.ACTION_DONE, dm)
    assert the_action(box, action_id).status == ActionStatus.OPEN
    told = ephemerals(box, LEAD) + [m.get("text", "") for m in box.emu.dms(LEAD)]
    assert sum(STALE in t for t in told) == 2


def modal_count(box, callback_id: str) -> int:
    return sum(v.get("callback_id") == callback_id for user in (LEAD,) for v in box.emu.open_views_for(user))


# ---------------------------------------------------------------- Can't do it
def test_cant_do_it_needs_a_reason_then_tells_the_coworker_why(sandbox):
    box = sandbox
    action_id, dm = asked(box)
    press(box, LEAD, ActionId.ACTION_CANNOT, dm)
    view = modal(box, LEAD, CallbackId.ACTION_CANNOT)
    empty = box.driver.submit(LEAD, view, {Block.ACTION_REASON: "   "})
    assert empty.json["errors"] == {
        Block.ACTION_REASON: "Say briefly why, so your co-worker knows what's needed."
    }
    assert the_action(box, action_id).status == ActionStatus.OPEN

    reply = box.driver.submit(LEAD, view, {Block.ACTION_REASON: REASON})
    assert not (reply.json or {}).get("errors")
    action = the_action(box, action_id)
    assert (action.status, action.status_reason, action.status_by) == (ActionStatus.CANNOT, REASON, LEAD)
    (notice,) = [m for m in box.emu.dms(DEVELOPING) if "can't do" in body(m)]
    assert f"<@{LEAD}> can't do their action 1 of note 2 on case *{REFERENCE}*" in body(notice)
    assert f"*Why:* {REASON}" in body(notice) and TEXT in body(notice)
    (note,) = [t for t in thread_texts(box) if "can't do" in t]
    assert note == f":raised_hand: <@{LEAD}> can't do action 1 of note 2. <@{DEVELOPING}> has been told why."
    assert all(REASON not in t for t in thread_texts(box))
    (shown,) = action_dms(box, LEAD)
    assert controls(shown) == [] and "said it can't be done" in body(shown)
    (audit,) = audits(box, "action.cannot")
    assert REASON not in str(audit.detail) and TEXT not in str(audit.detail)
    pass_at(box, OVERDUE_AT)
    assert "Actions past their due date" not in card_text(box)


def test_a_reason_over_the_limit_is_refused_next_to_the_field(http_sandbox):
    box = http_sandbox
    action_id, dm = asked(box)
    press(box, LEAD, ActionId.ACTION_CANNOT, dm)
    view = modal(box, LEAD, CallbackId.ACTION_CANNOT)
    reply = box.driver.submit(LEAD, view, {Block.ACTION_REASON: "x" * 501})
    assert "Keep it under 500 characters (501 now)" in reply.json["errors"][Block.ACTION_REASON]
    assert the_action(box, action_id).status == ActionStatus.OPEN


# ---------------------------------------------------------------- permissions and privacy
@pytest.mark.parametrize("stranger", [COLLEAGUE, OUTSIDER])
def test_people_outside_the_case_cannot_answer_and_the_attempt_is_audited(http_sandbox, stranger):
    box = http_sandbox
    action_id, dm = asked(box)
    press(box, stranger, ActionId.ACTION_DONE, dm)
    press(box, stranger, ActionId.ACTION_EXTEND, dm)
    assert the_action(box, action_id).status == ActionStatus.OPEN
    assert [
        v for v in box.emu.open_views_for(stranger) if v.get("callback_id") == CallbackId.ACTION_EXTEND
    ] == []
    denied = audits(box, "action.done") + audits(box, "action.extend")
    assert [(a.actor, a.outcome, a.object_type, a.object_id) for a in denied] == [
        (stranger, "denied", "note_action", str(action_id))
    ] * 2
    assert any(
        REFUSED in t for t in ephemerals(box, stranger) + [m.get("text", "") for m in box.emu.dms(stranger)]
    )


def test_the_manager_may_answer_for_the_owner(http_sandbox):
    box = http_sandbox
    action_id, dm = asked(box)
    press(box, MANAGER, ActionId.ACTION_DONE, dm, on_dm_of=LEAD)
    assert the_action(box, action_id).status_by == MANAGER


def test_the_actions_text_and_a_reason_never_reach_the_logs(http_sandbox, caplog):
    box = http_sandbox
    caplog.set_level(logging.DEBUG)
    _action_id, dm = asked(box)
    press(box, LEAD, ActionId.ACTION_CANNOT, dm)
    box.driver.submit(LEAD, modal(box, LEAD, CallbackId.ACTION_CANNOT), {Block.ACTION_REASON: REASON})
    assert any(r.getMessage() == "action follow-up" for r in caplog.records)
    logged = "\n".join(
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records if not r.name.startswith("slack")
    )
    assert TEXT not in logged and REASON not in logged and DONE not in logged


# ---------------------------------------------------------------- the card's record lines
def test_the_card_says_who_records_and_shows_a_wrapped_up_summary_with_its_deadline_then_late(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    assert f"Next discussion to be recorded by <@{LEAD}>." in card_text(box)  # taking turns: the lead first
    start(box, card)
    click(box, LEAD, WRAP, current(box, card))
    text = card_text(box)
    assert f":memo: *Summary to record:* <@{LEAD}>, due by <!date^" in text
    assert f"Next discussion to be recorded by <@{DEVELOPING}>." in text  # then the co-worker
    (write,) = [b for b in card_buttons(box) if b["action_id"] == ActionId.SUMMARY_OPEN]
    (discussion,) = rows(box, Discussion)
    assert write["value"] == str(discussion.id)
    pass_at(box, discussion.record_due_at)
    assert f":memo: *Summary to record:* <@{LEAD}>, was due by <!date^" in card_text(box)
    assert ":warning:" not in card_text(box)
    assert "It stays on this card until it's recorded." in card_text(box)
