"""Differences of view resolved or escalated through the emulator: from the card and from the review
form (pushed over it, so what was typed there stays), stored once with who and when, errors field by
field, stale forms and outsiders refused; the card, the review's facts, the agenda and drift count
only the open ones."""

from __future__ import annotations

import json

from bot.capture import blocks_differences as form
from bot.capture.flows_differences import STALE
from bot.ids import ActionId, CallbackId
from bot.kernel.access import NOT_ALLOWED
from bot.notes.blocks import section_block
from bot.reminders.flows_agenda import facts
from bot.review.flows import measure
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, OUTSIDER
from storage.models import Case, DifferenceResolution
from storage.vocabulary import CaptureKind
from tests.discussion_steps import WRAP, current, items, say, start
from tests.journey import open_case
from tests.notes.test_slack import note_views_for, sign, summary_form
from tests.reminder_steps import audits, click, dms, rows, thread_texts

WORDS = "Disagree: I think contact can move to unsupervised now"


def with_a_difference(box) -> tuple[dict, int]:
    card = open_case(box)
    start(box, card)
    say(box, card, DEVELOPING, WORDS)
    (item,) = items(box, kind=CaptureKind.DISAGREE)
    box.deps.executor.wait_idle()
    return card, item.id


def card_now(box, card: dict) -> dict:
    box.deps.executor.wait_idle()
    return box.emu.message(CASE_CHANNEL, card["ts"])


def resolve_form(box, user: str, card: dict, item_id: int) -> dict | None:
    before = {v["id"] for v in box.emu.open_views_for(user)}
    message = card_now(box, card)
    box.driver.click(
        user, ActionId.DIFFERENCE_RESOLVE, str(item_id), message=message, channel_id=CASE_CHANNEL
    )
    box.deps.executor.wait_idle()
    return next(
        (
            v
            for v in box.emu.open_views_for(user)
            if v.get("callback_id") == CallbackId.DIFFERENCE and v["id"] not in before
        ),
        None,
    )


def open_counts(box) -> tuple[int, int]:
    """(the review's differences_open, the agenda's differences listed)."""
    now = box.deps.clock()
    with box.deps.reads.begin() as session:
        case = session.query(Case).one()
        review = measure(session, case, now=now, today=now.date())
        agenda = facts(session, case, now=now)
    return review.differences_open, len(agenda.differences)


def test_a_difference_shows_open_on_the_card_until_resolved_from_it_once_with_who_and_when(sandbox):
    box = sandbox
    card, item_id = with_a_difference(box)
    shown = json.dumps(card_now(box, card)["blocks"])
    assert "Differences of view open: 1" in shown and "contact can move to unsupervised" in shown
    assert open_counts(box) == (1, 1)

    view = resolve_form(box, LEAD, card, item_id)
    assert view is not None
    reply = box.driver.submit(LEAD, view, {form.OUTCOME: "resolved", form.HOW: ""})
    assert set(reply.json["errors"]) == {form.HOW}
    reply = box.driver.submit(LEAD, view, {form.OUTCOME: None})
    assert set(reply.json["errors"]) == {form.OUTCOME}
    assert rows(box, DifferenceResolution) == []

    answers = {form.OUTCOME: "resolved", form.HOW: "Agreed at supervision: stepped plan over 6 weeks."}
    box.driver.submit(LEAD, view, answers)
    box.driver.submit(LEAD, view, answers)  # a double submission acts once
    box.deps.executor.wait_idle()
    (row,) = rows(box, DifferenceResolution)
    assert (row.outcome, row.recorded_by, row.item_id) == ("resolved", LEAD, item_id)
    assert row.recorded_at == box.deps.clock() and row.how.startswith("Agreed at supervision")
    assert "Differences of view open" not in json.dumps(card_now(box, card)["blocks"])
    assert open_counts(box) == (0, 0)
    summary = [t for t in thread_texts(box, card) if "difference of view" in t]
    assert summary and "unsupervised" not in summary[-1], "the thread line leaves the words out"
    assert [a.actor for a in audits(box, "difference.resolved")] == [LEAD]


def test_escalating_needs_whom_tells_them_and_a_stale_form_is_refused(sandbox):
    box = sandbox
    card, item_id = with_a_difference(box)
    first = resolve_form(box, LEAD, card, item_id)
    second = resolve_form(box, MANAGER, card, item_id)
    reply = box.driver.submit(MANAGER, second, {form.OUTCOME: "escalated"})
    assert set(reply.json["errors"]) == {form.TO}
    box.driver.submit(MANAGER, second, {form.OUTCOME: "escalated", form.TO: OUTSIDER})
    box.deps.executor.wait_idle()
    (row,) = rows(box, DifferenceResolution)
    assert (row.outcome, row.escalated_to) == ("escalated", OUTSIDER)
    assert any("escalated a difference of view" in text for text in dms(box, OUTSIDER))
    assert open_counts(box) == (0, 0), "escalated is not open"

    reply = box.driver.submit(LEAD, first, {form.OUTCOME: "resolved", form.HOW: "Talked it through."})
    assert STALE in json.dumps(reply.json)
    assert len(rows(box, DifferenceResolution)) == 1


def test_an_outsider_is_refused_and_audited(sandbox):
    box = sandbox
    card, item_id = with_a_difference(box)
    assert resolve_form(box, OUTSIDER, card, item_id) is None
    assert [(a.actor, a.outcome) for a in audits(box, "difference.open")] == [(OUTSIDER, "denied")]
    view = resolve_form(box, LEAD, card, item_id)
    reply = box.driver.submit(OUTSIDER, view, {form.OUTCOME: "resolved", form.HOW: "Mine now."})
    assert NOT_ALLOWED in json.dumps(reply.json)
    assert rows(box, DifferenceResolution) == []
    assert [(a.actor, a.outcome) for a in audits(box, "difference.record")] == [(OUTSIDER, "denied")]


def test_the_review_form_offers_each_open_difference_and_pushes_the_small_form_over_it(sandbox):
    box = sandbox
    card, item_id = with_a_difference(box)
    box.driver.slash(MANAGER, "review", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    review = next(v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.REVIEW)
    assert "Differences of view open: 1" in json.dumps(review["blocks"])
    box.driver.click(MANAGER, ActionId.DIFFERENCE_RESOLVE, str(item_id), view=review)
    box.deps.executor.wait_idle()
    stack = box.emu.open_views_for(MANAGER)
    assert [v.get("callback_id") for v in stack][-2:] == [CallbackId.REVIEW, CallbackId.DIFFERENCE]
    box.driver.submit(MANAGER, stack[-1], {form.OUTCOME: "resolved", form.HOW: "Agreed in the review."})
    box.deps.executor.wait_idle()
    assert len(rows(box, DifferenceResolution)) == 1


def test_the_supervision_form_offers_it_too_and_its_agenda_lists_only_open_ones(sandbox):
    box = sandbox
    card, item_id = with_a_difference(box)
    box.driver.slash(MANAGER, "supervision", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    check_in = next(
        v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.SUPERVISION
    )
    shown = json.dumps(check_in["blocks"])
    assert "Differences of view open: 1" in shown and "not resolved yet" in shown
    box.driver.click(MANAGER, ActionId.DIFFERENCE_RESOLVE, str(item_id), view=check_in)
    box.deps.executor.wait_idle()
    stack = box.emu.open_views_for(MANAGER)
    assert [v.get("callback_id") for v in stack][-2:] == [CallbackId.SUPERVISION, CallbackId.DIFFERENCE]
    box.driver.submit(MANAGER, stack[-1], {form.OUTCOME: "escalated", form.TO: OUTSIDER})
    box.deps.executor.wait_idle()
    assert open_counts(box) == (0, 0)
    box.driver.slash(MANAGER, "supervision", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    again = [v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.SUPERVISION][-1]
    assert "Differences of view" not in json.dumps(again["blocks"])


def test_the_signed_off_note_offers_its_open_difference_and_resolving_it_there_works(sandbox):
    box = sandbox
    card, item_id = with_a_difference(box)
    click(box, DEVELOPING, WRAP, current(box, card))
    happened = {section_block("happened"): "We discussed contact; Sam and Alex see it differently."}
    assert not (sign(box, DEVELOPING, summary_form(box, DEVELOPING), happened).json or {}).get("errors")
    box.deps.executor.wait_idle()
    box.driver.slash(MANAGER, "notes 2", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    (note,) = note_views_for(box, MANAGER)
    offered = [
        b["accessory"]["value"]
        for b in note["blocks"]
        if b.get("accessory", {}).get("action_id") == ActionId.DIFFERENCE_RESOLVE
    ]
    assert offered == [str(item_id)]
    box.driver.click(MANAGER, ActionId.DIFFERENCE_RESOLVE, str(item_id), view=note)
    box.deps.executor.wait_idle()
    stack = box.emu.open_views_for(MANAGER)
    assert stack[-1].get("callback_id") == CallbackId.DIFFERENCE, "pushed over the note"
    box.driver.submit(MANAGER, stack[-1], {form.OUTCOME: "resolved", form.HOW: "Agreed at supervision."})
    box.deps.executor.wait_idle()
    assert len(rows(box, DifferenceResolution)) == 1
    assert open_counts(box) == (0, 0)
