"""The review modal and the manager's reminder buttons, as pure Block Kit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.ids import ActionId, CallbackId
from bot.reminders.blocks import ReminderView, reminder_actions
from bot.review import blocks
from bot.review.rules import QUESTIONS


def view(kind: str, audience: str) -> ReminderView:
    due = datetime(2027, 2, 23, 21, 0, tzinfo=UTC)
    return ReminderView(
        kind=kind,
        level=0,
        audience=audience,
        reference="CASE-1",
        channel_id="C1",
        due_at=due,
        due_day=date(2027, 2, 24),
        coworker_ids=("UA", "UB"),
        manager_id="UM",
        item_value="7:0",
        case_id=3,
    )


def ids(block: dict) -> list[str]:
    return [e["action_id"] for e in block["elements"]]


def test_the_managers_reminder_opens_the_form_that_records_it():
    assert ids(reminder_actions(view("supervision", "manager")))[0] == ActionId.SUPERVISION_RECORD
    review = reminder_actions(view("review", "manager"))
    assert ids(review)[0] == ActionId.REVIEW_OPEN and review["elements"][0]["value"] == "3"
    assert ActionId.SUPERVISION_RECORD not in ids(reminder_actions(view("supervision", "coworkers")))
    assert ActionId.REVIEW_OPEN not in ids(reminder_actions(view("review", "thread")))


def test_the_review_modal_asks_every_question_and_reads_back_field_by_field():
    modal = blocks.review_modal(
        reference="CASE-<1>",
        case_id=3,
        facts=("Discussions: 1 held of 2 planned.",),
        told=(),
        next_review=None,
    )
    assert modal["callback_id"] == CallbackId.REVIEW and "CASE-&lt;1&gt;" in str(modal["blocks"][0])
    inputs = [b["block_id"] for b in modal["blocks"] if b["type"] == "input"]
    assert inputs == [*(f"{blocks.ANSWER_PREFIX}{k}" for k, _ in QUESTIONS), blocks.OUTCOME, blocks.NEXT]
    values = {
        f"{blocks.ANSWER_PREFIX}plan": {f"{blocks.ANSWER_PREFIX}plan": {"value": " Yes "}},
        blocks.OUTCOME: {blocks.OUTCOME: {"selected_option": {"value": "end"}}},
        blocks.NEXT: {blocks.NEXT: {"selected_date": "not a date"}},
    }
    form = blocks.read_form(values)
    assert form.answers["plan"] == "Yes" and form.answers["tasks"] == ""
    assert form.outcome == "end" and form.next_review is None
