"""A newly qualified worker's start date through `/case supervision start`: the check-ins follow it,
and a missed check-in is rebooked on the next working day rather than skipped."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.notes.flows_management import MANAGERS_ONLY
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER
from storage.models import ItemKind, ItemStatus, ScheduleItem
from tests.journey import open_case
from tests.reminder_steps import audits, ephemerals, nz, pass_at, rows

NZ = ZoneInfo("Pacific/Auckland")


def supervisions(box) -> list[ScheduleItem]:
    return [i for i in rows(box, ScheduleItem) if i.kind == ItemKind.SUPERVISION]


def start(box, user: str, text: str) -> str:
    box.driver.slash(user, f"supervision start {text}", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return ephemerals(box, user)[-1]


def test_the_check_ins_count_from_the_workers_own_start_and_a_missed_one_is_rebooked(http_sandbox):
    box = http_sandbox
    open_case(box)
    (before,) = supervisions(box)
    assert before.due_at.astimezone(NZ).date().isoformat() != "2026-11-30"

    reply = start(box, MANAGER, f"<@{DEVELOPING}|sam> 2026-11-23")
    assert "start date, 23 November 2026" in reply and "Mon 30 Nov" in reply
    (planned,) = supervisions(box)
    assert planned.due_at == nz(30, 10, month=11), "a week after Sam's own start, not the case's"
    assert [a.outcome for a in audits(box, "supervision.start_date")] == ["ok"]

    pass_at(box, nz(7, 11))  # the 30 Nov check-in was never held; the 7 Dec one has come
    found = supervisions(box)
    assert found[0].status == ItemStatus.MISSED
    assert found[1].due_at == nz(8, 10), "rebooked on the next working day, not skipped to the next week"


def test_bad_input_gets_one_line_and_only_the_manager_may_set_it(http_sandbox):
    box = http_sandbox
    open_case(box)
    assert "YYYY-MM-DD" in start(box, MANAGER, "2026-11-23")
    assert "can't read 23/11 as a date" in start(box, MANAGER, f"<@{DEVELOPING}|sam> 23/11")
    assert "not one of the case's co-workers" in start(box, MANAGER, "<@UOTHER01|x> 2026-11-23")
    assert start(box, LEAD, f"<@{DEVELOPING}|sam> 2026-11-23") == MANAGERS_ONLY
    assert [(a.actor, a.outcome) for a in audits(box, "supervision.start_date")] == [(LEAD, "denied")]
