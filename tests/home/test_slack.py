"""App Home as people see it: published on app_home_opened, refreshed once a pass when a case changes."""

from __future__ import annotations

import re
from datetime import date

from bot import jobs
from bot.ids import ActionId
from bot.sandbox import payloads
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, TEAM_ID
from storage.models import ActionStatus, Discussion, NoteAction, ProcessedEvent
from tests.discussion_steps import WRAP, current, start
from tests.drift.seed import seed
from tests.follow_up_builder import Wanted, add_actions
from tests.journey import open_case
from tests.reminder_steps import body, click, rows

REFERENCE = "CASE-2026-014"


def open_home(box, user: str) -> dict:
    box.driver.event(payloads.app_home_opened_event(user_id=user, channel_id=f"D{user[1:]}"))
    return box.emu.home_views[user]


def publishes(box, user: str) -> int:
    return sum(1 for c in box.emu.calls_to("views.publish") if c.params.get("user_id") == user)


def agree(box, person: str, card: dict) -> None:
    agreement = box.emu.thread(CASE_CHANNEL, card["ts"])[1]
    value = next(
        b["accessory"]["value"]
        for b in agreement["blocks"]
        if b.get("accessory", {}).get("value", "").endswith(person)
    )
    box.driver.click(person, ActionId.AGREE, value=value, message=agreement, channel_id=CASE_CHANNEL)


def test_worker_and_manager_views_and_one_refresh_a_pass_for_many_changes(sandbox):
    card = open_case(sandbox)
    lead = body(open_home(sandbox, LEAD))
    assert "*Agreements waiting for your confirmation*" in lead
    assert f"*{REFERENCE}* agreement version 1: <" in lead
    assert f"• *{REFERENCE}* in <#{CASE_CHANNEL}>" in lead and ": lead. Next discussion <!date^" in lead
    manager = body(open_home(sandbox, MANAGER))
    assert "*Team view*: 1 open case, 0 with drift signals" in manager
    assert f"*{REFERENCE}* in <#{CASE_CHANNEL}>" in manager

    before = {u: publishes(sandbox, u) for u in (LEAD, MANAGER, DEVELOPING)}
    agree(sandbox, LEAD, card)
    agree(sandbox, DEVELOPING, card)  # two changes to the case before the pass
    jobs.run_pass(sandbox.deps)
    after = {u: publishes(sandbox, u) for u in (LEAD, MANAGER, DEVELOPING)}
    assert after == {LEAD: before[LEAD] + 1, MANAGER: before[MANAGER] + 1, DEVELOPING: 0}
    assert "Agreements waiting" not in body(sandbox.emu.home_views[LEAD])
    jobs.run_pass(sandbox.deps)  # nothing changed since: nothing published
    assert {u: publishes(sandbox, u) for u in (LEAD, MANAGER, DEVELOPING)} == after
    assert len(rows(sandbox, ProcessedEvent, kind="home_refresh")) == 1  # one watermark row, moved on


def test_done_on_the_home_tab_closes_the_action_and_the_tab_drops_it(http_sandbox, clock):
    open_case(http_sandbox)
    (action_id,) = add_actions(http_sandbox, Wanted(LEAD, due=date(2026, 11, 30)))
    home = open_home(http_sandbox, LEAD)
    assert re.search(rf"Action 1 of note \d+ on \*{REFERENCE}\*: due Mon 30 Nov", body(home))
    done = next(
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.ACTION_DONE
    )
    http_sandbox.driver.click(LEAD, ActionId.ACTION_DONE, value=done["value"], view=home)
    (action,) = rows(http_sandbox, NoteAction, id=action_id)
    assert action.status == ActionStatus.DONE
    jobs.run_pass(http_sandbox.deps)
    assert "Your open actions" not in body(http_sandbox.emu.home_views[LEAD])


def test_a_manager_with_200_cases_gets_a_tab_slack_accepts_with_the_rest_counted(http_sandbox):
    box = http_sandbox
    with box.deps.sessions.begin() as session:
        seed(session, 200, weeks=8, now=box.deps.clock(), team=TEAM_ID, manager_id=MANAGER)
    home = open_home(box, MANAGER)  # the fixture fails the test if Slack would refuse the view
    assert len(home["blocks"]) <= 100
    shown = body(home)
    assert "*Team view*: 200 open cases, 200 with drift signals" in shown
    assert "+ 170 more cases: `/case overdue` lists everything overdue." in shown


def test_a_wrapped_up_summary_shows_for_whoever_the_agreement_expects_to_record_it(http_sandbox):
    box = http_sandbox
    card = open_case(box)  # recording rotates: the lead records the first discussion
    start(box, card)
    click(box, LEAD, WRAP, current(box, card))
    (discussion,) = rows(box, Discussion)
    lead = open_home(box, LEAD)
    assert f"Discussion on *{REFERENCE}*, due <!date^" in body(lead)
    write = next(b["accessory"] for b in lead["blocks"] if b.get("accessory", {}).get("action_id"))
    assert (write["action_id"], write["value"]) == (ActionId.SUMMARY_OPEN, str(discussion.id))
    assert "Summaries waiting" not in body(open_home(box, DEVELOPING))
    opened = len(box.emu.calls_to("views.open"))
    box.driver.click(LEAD, ActionId.SUMMARY_OPEN, value=write["value"], view=lead)
    (form,) = box.emu.calls_to("views.open")[opened:]  # the summary form, opened from the home tab
    assert form.response["ok"] and form.response["view"]["title"]["text"] == "Discussion summary"
