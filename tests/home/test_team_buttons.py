"""The manager's team view on App Home: each case row opens the review form and the supervision form for
that case, through the same flows as `/case review` and `/case supervision` (the manager only, refusals
audited)."""

from __future__ import annotations

from bot.ids import ActionId, CallbackId
from bot.notes.flows_management import MANAGERS_ONLY
from bot.sandbox import payloads
from bot.sandbox.harness import LEAD, MANAGER
from storage.models import Case
from tests.journey import open_case
from tests.reminder_steps import audits, body, rows

REFERENCE = "CASE-2026-014"


def open_home(box, user: str) -> dict:
    box.driver.event(payloads.app_home_opened_event(user_id=user, channel_id=f"D{user[1:]}"))
    return box.emu.home_views[user]


def row_buttons(home: dict) -> dict[str, str]:
    """The team row's buttons: action_id -> value."""
    return {
        e["action_id"]: e["value"]
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] in (ActionId.REVIEW_OPEN, ActionId.SUPERVISION_RECORD)
    }


def opened_since(box, count: int) -> list[dict]:
    return [c.response["view"] for c in box.emu.calls_to("views.open")[count:] if c.response.get("ok")]


def test_the_managers_row_opens_the_review_and_the_supervision_form_for_its_case(http_sandbox):
    box = http_sandbox
    open_case(box)
    (case,) = rows(box, Case)
    home = open_home(box, MANAGER)
    assert f"*{REFERENCE}*" in body(home)
    buttons = row_buttons(home)
    assert buttons == {ActionId.REVIEW_OPEN: str(case.id), ActionId.SUPERVISION_RECORD: str(case.id)}

    before = len(box.emu.calls_to("views.open"))
    box.driver.click(MANAGER, ActionId.REVIEW_OPEN, value=buttons[ActionId.REVIEW_OPEN], view=home)
    (review,) = opened_since(box, before)
    assert review["callback_id"] == CallbackId.REVIEW and REFERENCE in body(review)

    before = len(box.emu.calls_to("views.open"))
    box.driver.click(
        MANAGER, ActionId.SUPERVISION_RECORD, value=buttons[ActionId.SUPERVISION_RECORD], view=home
    )
    (supervision,) = opened_since(box, before)
    assert supervision["callback_id"] == CallbackId.SUPERVISION and REFERENCE in body(supervision)


def test_a_worker_has_no_team_row_and_a_forged_click_is_refused_in_their_dm_and_audited(http_sandbox):
    box = http_sandbox
    open_case(box)
    (case,) = rows(box, Case)
    home = open_home(box, LEAD)
    assert row_buttons(home) == {} and "Team view" not in body(home)

    before = len(box.emu.calls_to("views.open"))
    box.driver.click(LEAD, ActionId.REVIEW_OPEN, value=str(case.id), view=home)
    box.driver.click(LEAD, ActionId.SUPERVISION_RECORD, value=str(case.id), view=home)
    assert opened_since(box, before) == []
    told = [e for e in box.emu.ephemerals if e["user"] == LEAD and e["text"] == MANAGERS_ONLY]
    assert [e["channel"] for e in told] == [box.emu.dm_channel_for(LEAD)] * 2  # a tab has no channel
    assert [(a.actor, a.outcome) for a in audits(box, "review.open")] == [(LEAD, "denied")]
    assert [(a.actor, a.outcome) for a in audits(box, "supervision.open")] == [(LEAD, "denied")]


def test_a_stale_button_for_a_case_that_is_gone_says_so_and_opens_nothing(http_sandbox):
    box = http_sandbox
    open_case(box)
    home = open_home(box, MANAGER)
    before = len(box.emu.calls_to("views.open"))
    box.driver.click(MANAGER, ActionId.REVIEW_OPEN, value="999999", view=home)
    assert opened_since(box, before) == []
    told = [e["text"] for e in box.emu.ephemerals if e["user"] == MANAGER]
    assert told[-1] == "I can't find that case any more."
