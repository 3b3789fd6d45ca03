"""`/case review` through the emulator: measured facts and what each worker told the family side by
side in the modal, errors field by field, the decision note and record once, the thread summary
without the developing worker's progress, and refusals audited."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.ids import CallbackId
from bot.notes.flows_management import MANAGERS_ONLY
from bot.review import blocks as form
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER
from storage.models import ItemKind, ItemStatus, Note, NoteType, NoteVersion, ReviewRecord, ScheduleItem
from tests.discussion_steps import items, say, start
from tests.journey import open_case, recorded
from tests.reminder_steps import audits, ephemerals, rows, thread_texts

PROGRESS = "Sam now chairs the core group with confidence"


def review_form(box, user: str = MANAGER) -> dict | None:
    box.driver.slash(user, "review", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return next(
        (v for v in reversed(box.emu.open_views_for(user)) if v.get("callback_id") == CallbackId.REVIEW), None
    )


def answers(box, outcome: str = "continue") -> dict:
    today = box.deps.clock().date()
    return {
        f"{form.ANSWER_PREFIX}plan": "Yes: contact plan on track.",
        f"{form.ANSWER_PREFIX}sharing": "Shared weekly with school.",
        f"{form.ANSWER_PREFIX}tasks": "Mostly; one overdue.",
        f"{form.ANSWER_PREFIX}issues": "None open.",
        f"{form.ANSWER_PREFIX}progress": PROGRESS,
        form.OUTCOME: outcome,
        form.NEXT: (today + timedelta(days=90)).isoformat(),
    }


def test_the_modal_shows_the_measured_facts_and_what_each_worker_told_the_family(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card)
    say(box, card, LEAD, "Told: mum that contact stays supervised")
    say(box, card, DEVELOPING, "Told: mum that contact may be unsupervised soon")
    assert len(items(box)) == 2
    view = review_form(box)
    assert view is not None
    text = json.dumps(view["blocks"])
    for fact in ("Discussions: 0 held of 0 planned", "Notes: 0 on time", "Actions: 0 completed"):
        assert fact in text
    assert "Nothing recorded for: Visits, Reports" in text and "not done" not in text
    assert "No supervision check-in recorded yet" in text
    assert "side by side" in text
    assert f"<@{LEAD}> told:" in text and f"<@{DEVELOPING}> told:" in text
    assert "contact stays supervised" in text and "may be unsupervised soon" in text


def test_errors_field_by_field_then_saved_once_with_a_summary_that_keeps_progress_private(sandbox):
    box = sandbox
    card = open_case(box)
    view = review_form(box)
    bad = answers(box)
    bad[f"{form.ANSWER_PREFIX}plan"] = ""
    bad[form.OUTCOME] = None
    reply = box.driver.submit(MANAGER, view, bad)
    assert set(reply.json["errors"]) == {f"{form.ANSWER_PREFIX}plan", form.OUTCOME}
    assert rows(box, ReviewRecord) == []

    good = answers(box, "change")
    box.driver.submit(MANAGER, view, good)
    box.driver.submit(MANAGER, view, good)  # double submission
    box.deps.executor.wait_idle()
    (record,) = rows(box, ReviewRecord)
    assert record.outcome == "change" and record.reviewed_by == MANAGER
    assert any(line.startswith("Discussions:") for line in record.facts)
    (note,) = recorded(box, Note)
    assert note.note_type == NoteType.MANAGEMENT
    (version,) = recorded(box, NoteVersion)
    keys = [s["key"] for s in version.sections]
    assert keys[:2] == ["people", "decision"] and "facts" in keys and "progress" in keys
    assert version.sections[1]["entries"] == [{"kind": "review", "outcome": "change"}]
    reviews = [i for i in rows(box, ScheduleItem) if i.kind == ItemKind.REVIEW]
    assert [i.status for i in reviews] == [ItemStatus.HELD, ItemStatus.SCHEDULED]
    summary = [t for t in thread_texts(box, card) if "reviewed the co-working arrangement" in t]
    assert len(summary) == 1 and "*change*" in summary[0]
    everything = json.dumps(box.emu.messages(CASE_CHANNEL))
    assert "chairs the core group" not in everything, "progress stays on the review's record"
    assert [a.detail for a in audits(box, "review.record")] == [{"note": 2, "outcome": "change"}]


def test_only_the_manager_may_review_and_refusals_are_audited(sandbox):
    box = sandbox
    open_case(box)
    assert review_form(box, LEAD) is None
    assert MANAGERS_ONLY in ephemerals(box, LEAD)
    view = review_form(box)
    reply = box.driver.submit(DEVELOPING, view, answers(box))
    assert MANAGERS_ONLY in json.dumps(reply.json)
    assert rows(box, ReviewRecord) == []
    assert [(a.actor, a.outcome) for a in audits(box, "review.open")] == [(LEAD, "denied")]
    assert [(a.actor, a.outcome) for a in audits(box, "review.record")] == [(DEVELOPING, "denied")]
