"""Late summaries over the emulator: the deadline set at wrap-up, then the recorder, the co-worker and the
manager reminded once each, inside their working hours, and nothing once the summary is recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.ids import ActionId
from bot.notes import flows_timeliness as timeliness
from bot.sandbox.harness import COLLEAGUE, DEVELOPING, LEAD, MANAGER, Sandbox
from storage.models import (
    Discussion,
    DiscussionStatus,
    FollowUpClaim,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)
from tests.discussion_steps import WRAP, current, discussions, say, start
from tests.journey import open_case
from tests.reminder_steps import away, body, click, controls, pass_at, rows, shown

NZ, CHATHAM = ZoneInfo("Pacific/Auckland"), ZoneInfo("Pacific/Chatham")


def nz(month: int, day: int, hour: int, minute: int = 0, zone: ZoneInfo = NZ) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


# The sandbox clock starts on Wednesday 25 November 2026, 10:00 in Auckland; the discussion is wrapped then.
DEADLINE = nz(11, 26, 17)  # Thursday: the end of the next working day
COWORKER_RUNG = nz(11, 27, 17)  # Friday
MANAGER_RUNG = nz(11, 30, 17)  # Monday: the weekend does not count


def wrapped(box, *, focus: str = "") -> dict:
    """Open the demo case, hold a short discussion and wrap it up; returns the card."""
    card = open_case(box)
    start(box, card, focus=focus)
    say(box, card, LEAD, "Decision: we visit together on Thursday.")
    click(box, DEVELOPING, WRAP, current(box, card))
    return card


def late_dms(box, user: str) -> list[dict]:
    """The late-summary DMs a person has received (they carry Write the summary)."""
    return [m for m in box.emu.dms(user) if ActionId.SUMMARY_OPEN in controls(m)]


def queued(box, **where) -> list[OutboxMessage]:
    return rows(box, OutboxMessage, kind=OutboxKind.RECORD_REMINDER, **where)


def discussion(box) -> Discussion:
    (found,) = discussions(box)
    return found


def record(box) -> None:
    """What saving the note does to the discussion (the saving flow itself is built elsewhere)."""
    with box.deps.sessions.begin() as session:
        found = session.get(Discussion, discussion(box).id)
        found.status, found.recorded_at = DiscussionStatus.RECORDED, box.deps.clock()
        timeliness.stop(found, box.deps.clock())


def test_wrapping_up_sets_the_summary_deadline_to_the_end_of_the_next_working_day(http_sandbox):
    box = http_sandbox
    wrapped(box)
    found = discussion(box)
    assert found.status == DiscussionStatus.WRAPPED
    assert found.record_due_at == DEADLINE and found.record_next_check_at == DEADLINE
    assert found.record_level_sent == -1


def test_the_deadline_follows_the_configured_number_of_working_days(database_url, clock):
    with Sandbox(
        database_url=database_url, clock=clock, record_within_working_days=3, rate_limits=False
    ) as box:
        wrapped(box)
        assert discussion(box).record_due_at == MANAGER_RUNG  # Wed + 3 working days = Monday evening


def test_a_late_summary_reminds_the_recorder_then_the_coworker_then_the_manager_once_each(http_sandbox):
    box = http_sandbox
    wrapped(box)
    pass_at(box, nz(11, 26, 16, 59))
    assert queued(box) == []

    # At the deadline (17:00) the recorder's DM is queued for the start of their next working day.
    pass_at(box, DEADLINE)
    (row,) = queued(box)
    assert row.payload["user_id"] == LEAD and row.payload["audience"] == "recorders"
    assert row.next_attempt_at == nz(11, 27, 9)
    assert late_dms(box, LEAD) == []
    pass_at(box, nz(11, 27, 9))
    (dm,) = late_dms(box, LEAD)
    assert "a gentle nudge" in body(dm) and shown(DEADLINE) in body(dm)

    # A working day later the co-worker (in the Chatham Islands: their Monday morning).
    pass_at(box, COWORKER_RUNG)
    pass_at(box, nz(11, 30, 9, zone=CHATHAM))
    (dm,) = late_dms(box, DEVELOPING)
    assert f"<@{LEAD}> was down to write it" in body(dm)

    # One more working day and the manager is offered support, on Tuesday morning.
    pass_at(box, MANAGER_RUNG)
    pass_at(box, nz(12, 1, 9))
    (dm,) = late_dms(box, MANAGER)
    assert "the work is stretched" in body(dm)

    for day in (2, 3, 8):
        pass_at(box, nz(12, day, 10))
    assert [len(late_dms(box, u)) for u in (LEAD, DEVELOPING, MANAGER)] == [1, 1, 1]
    claims = rows(box, FollowUpClaim, subject="record")
    assert [(c.level, c.round, c.recipients) for c in claims] == [
        (0, 0, [LEAD]),
        (1, 0, [DEVELOPING]),
        (2, 0, [MANAGER]),
    ]
    found = discussion(box)
    assert found.record_level_sent == 2 and found.record_next_check_at is None


def test_the_reminder_names_the_case_and_the_deadline_but_nothing_that_was_said(http_sandbox):
    box = http_sandbox
    wrapped(box, focus="Is Jayden safe at his nan's?")
    pass_at(box, DEADLINE)
    pass_at(box, nz(11, 27, 9))
    (dm,) = late_dms(box, LEAD)
    said = body(dm) + dm["text"]
    assert "CASE-2026-014" in said and shown(DEADLINE) in said
    assert "Jayden" not in said and "visit together" not in said
    (button,) = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == ActionId.SUMMARY_OPEN and button["value"] == str(discussion(box).id)


def test_nothing_is_sent_once_the_summary_is_recorded(http_sandbox):
    box = http_sandbox
    wrapped(box)
    record(box)
    for moment in (DEADLINE, COWORKER_RUNG, MANAGER_RUNG, nz(12, 8, 10)):
        pass_at(box, moment)
    assert queued(box) == [] and rows(box, FollowUpClaim) == []


def test_a_reminder_queued_before_the_summary_was_recorded_is_cancelled_when_it_would_go(http_sandbox):
    box = http_sandbox
    wrapped(box)
    pass_at(box, DEADLINE)  # queued for Friday morning
    record(box)
    pass_at(box, nz(11, 27, 9))
    (row,) = queued(box)
    assert row.status == OutboxStatus.CANCELLED and late_dms(box, LEAD) == []
    pass_at(box, nz(12, 8, 10))
    assert len(queued(box)) == 1 and late_dms(box, DEVELOPING) == late_dms(box, MANAGER) == []


def test_after_downtime_only_the_manager_is_told_not_the_backlog(http_sandbox):
    box = http_sandbox
    wrapped(box)
    pass_at(box, nz(12, 1, 9))  # the first sweep since Wednesday
    assert [r.payload["user_id"] for r in queued(box)] == [MANAGER]
    assert late_dms(box, MANAGER) and late_dms(box, LEAD) == late_dms(box, DEVELOPING) == []
    assert [c.level for c in rows(box, FollowUpClaim)] == [2]


def test_two_sweeps_at_once_claim_and_queue_each_rung_once(http_sandbox):
    box = http_sandbox
    wrapped(box)
    box.deps.clock.move_to(DEADLINE)
    first, second = timeliness.sweep(box.deps), timeliness.sweep(box.deps)
    assert (first.reminders, second.reminders) == (1, 0)
    assert len(queued(box)) == 1 and len(rows(box, FollowUpClaim)) == 1


def test_a_recorder_on_leave_has_their_reminder_sent_to_their_cover(http_sandbox):
    box = http_sandbox
    wrapped(box)
    away(box, LEAD, f"2026-12-24 <@{COLLEAGUE}|kiri>")
    pass_at(box, DEADLINE)
    pass_at(box, nz(11, 27, 9))
    (dm,) = late_dms(box, COLLEAGUE)
    assert f"You're covering for <@{LEAD}> while they're away" in body(dm)
    assert late_dms(box, LEAD) == []
