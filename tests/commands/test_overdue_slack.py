"""`/case overdue` as people see it: the manager's drift signals grouped by case, a member's own items."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.commands.flows_overdue import overdue
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, OUTSIDER
from storage import repository as repo
from storage.models import Case
from tests.follow_up_builder import Wanted, add_actions
from tests.journey import open_case
from tests.reminder_steps import nz

REFERENCE = "CASE-2026-014"


def test_the_manager_sees_each_case_with_its_signals_and_a_member_their_own(sandbox, clock):
    open_case(sandbox)
    add_actions(sandbox, Wanted(LEAD, due=date(2026, 11, 30)), Wanted(DEVELOPING, due=date(2026, 11, 30)))
    clock.move_to(nz(8, 10))  # Tue 8 Dec: the Wed 2 Dec discussion is 6 days late, both actions 8 days
    reply = sandbox.driver.slash(MANAGER, "overdue", CASE_CHANNEL)
    assert reply.text is None  # acked at once; the answer follows on the response_url, to the manager only
    assert [(r["user"], r["response_type"]) for r in reply.replies] == [(MANAGER, "ephemeral")]
    lines = reply.answer.split("\n")
    assert lines[0] == "*Overdue and drifting across your cases*"
    assert lines[2] == f"*{REFERENCE}* in <#{CASE_CHANNEL}> (<{card_link(sandbox)}|thread>)"
    assert f"• Action 1 of note 2 (<@{LEAD}>) overdue by 8 days" in lines
    assert f"• Action 2 of note 2 (<@{DEVELOPING}>) overdue by 8 days" in lines
    assert "• Discussion due 6 days ago not held yet" in lines

    mine = sandbox.driver.slash(LEAD, "overdue", CASE_CHANNEL).answer.split("\n")
    assert mine[0] == "*Your overdue items*"
    assert f"• Action 1 of note 2 (<@{LEAD}>) overdue by 8 days" in mine
    assert not any(f"<@{DEVELOPING}>" in line for line in mine)  # not theirs
    assert "• Discussion due 6 days ago not held yet" in mine

    assert sandbox.driver.slash(OUTSIDER, "overdue", CASE_CHANNEL).answer == "Nothing of yours is overdue."


def test_before_anything_is_due_the_manager_is_told_so(http_sandbox, clock):
    open_case(http_sandbox)
    text = overdue(http_sandbox.deps, team_id="T0CASE01", user_id=MANAGER)
    assert text == "Nothing overdue across your cases. :tada:"


def card_link(box) -> str:
    with box.deps.reads.begin() as session:
        case = session.scalars(select(Case)).one()
        return repo.slack_post(session, case_id=case.id, purpose="card").permalink


def test_help_lists_overdue_and_digest(http_sandbox):
    text = http_sandbox.driver.slash(OUTSIDER, "help", CASE_CHANNEL).text
    assert "/case overdue" in text and "/case digest off|on|now" in text
