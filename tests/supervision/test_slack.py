"""`/case supervision` through the emulator: the form pre-filled from the agenda, errors field by field,
saving everything once, wellbeing only on the worker's own record, managers only (refusals audited)."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.ids import CallbackId
from bot.notes.flows_management import MANAGERS_ONLY
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER
from bot.supervision import blocks as form
from bot.supervision.flows_wellbeing import ONLY
from storage.models import (
    ItemKind,
    ItemStatus,
    LearningEvidence,
    Note,
    NoteAction,
    NoteType,
    NoteVersion,
    Person,
    ScheduleItem,
    SupervisionRecord,
    WellbeingCheck,
)
from tests.journey import open_case, recorded
from tests.reminder_steps import audits, ephemerals, rows, thread_texts

WELLBEING = "Finding the court work heavy; sleeping badly"


def supervision_form(box, user: str = MANAGER) -> dict | None:
    box.driver.slash(user, "supervision", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return next(
        (v for v in reversed(box.emu.open_views_for(user)) if v.get("callback_id") == CallbackId.SUPERVISION),
        None,
    )


def good_answers(box) -> dict:
    today = box.deps.clock().date()
    return {
        form.DECISIONS: "Alex leads the court report; Sam drafts the chronology.",
        f"{form.ACTION_PREFIX}1_text": "Draft the chronology",
        f"{form.ACTION_PREFIX}1_owner": DEVELOPING,
        f"{form.ACTION_PREFIX}1_due": (today + timedelta(days=7)).isoformat(),
        f"{form.ACTION_PREFIX}1_done": "Chronology shared with Alex",
        form.LEARNING: "Sam to observe Alex presenting at the conference.",
        f"{form.WELLBEING_PREFIX}{DEVELOPING}": WELLBEING,
        form.NEXT: (today + timedelta(days=28)).isoformat(),
    }


def test_the_form_is_pre_filled_from_the_agenda(sandbox):
    open_case(sandbox)
    view = supervision_form(sandbox)
    assert view is not None
    text = json.dumps(view["blocks"])
    assert "Reflective discussions since the case opened" in text
    assert "Questions for the check-in" in text and "developing worker progressing" in text
    attendees = next(b for b in view["blocks"] if b.get("block_id") == form.ATTENDEES)
    assert set(attendees["element"]["initial_users"]) == {MANAGER, LEAD, DEVELOPING}
    next_day = next(b for b in view["blocks"] if b.get("block_id") == form.NEXT)
    assert next_day["element"].get("initial_date"), "the next check-in is proposed from the cadence"


def test_errors_come_back_field_by_field_and_nothing_is_saved(sandbox):
    box = sandbox
    open_case(box)
    view = supervision_form(box)
    answers = good_answers(box)
    answers[form.DECISIONS] = ""
    answers[f"{form.ACTION_PREFIX}1_owner"] = None
    answers[form.NEXT] = box.deps.clock().date().isoformat()
    reply = box.driver.submit(MANAGER, view, answers)
    errors = reply.json["errors"]
    assert set(errors) == {form.DECISIONS, f"{form.ACTION_PREFIX}1_owner", form.NEXT}
    assert "owns" in errors[f"{form.ACTION_PREFIX}1_owner"] and "after today" in errors[form.NEXT]
    assert rows(box, SupervisionRecord) == [] and recorded(box, Note) == []


def test_saving_records_everything_once_and_keeps_wellbeing_on_the_workers_record_only(sandbox):
    box = sandbox
    card = open_case(box)
    view = supervision_form(box)
    answers = good_answers(box)
    reply = box.driver.submit(MANAGER, view, answers)
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    box.driver.submit(MANAGER, view, answers)  # a double submission acts once
    box.deps.executor.wait_idle()

    (record,) = rows(box, SupervisionRecord)
    assert record.recorded_by == MANAGER and "court report" in record.decisions
    (note,) = recorded(box, Note)
    assert note.note_type == NoteType.MANAGEMENT and record.note_id == note.id
    (action,) = rows(box, NoteAction)
    assert action.owner_id == DEVELOPING and action.next_check_at is not None
    assert len(rows(box, LearningEvidence)) == 1
    (check,) = rows(box, WellbeingCheck)
    assert check.text == WELLBEING
    with box.deps.sessions.begin() as session:
        person = {p.slack_user_id: p for p in session.scalars(select(Person))}
        assert check.person_id == person[DEVELOPING].id
    held = [i for i in rows(box, ScheduleItem) if i.kind == ItemKind.SUPERVISION]
    assert [i.status for i in held] == [ItemStatus.HELD, ItemStatus.SCHEDULED]
    chosen = box.deps.clock().date() + timedelta(days=28)
    assert held[1].due_at.astimezone(ZoneInfo("Pacific/Auckland")).date() == chosen, "the day chosen"
    texts = thread_texts(box, card)
    assert any("recorded the joint supervision check-in" in t for t in texts)
    everything = json.dumps([m for m in box.emu.messages(CASE_CHANNEL)]) + json.dumps(box.emu.ephemerals)
    assert "sleeping badly" not in everything, "wellbeing never reaches the thread"
    assert "sleeping badly" not in json.dumps([v.sections for v in _versions(box)])
    assert [a.outcome for a in audits(box, "supervision.record")] == ["ok"]
    assert WELLBEING in wellbeing(box, DEVELOPING, ""), "the worker reads their own"
    assert WELLBEING in wellbeing(box, MANAGER, f"<@{DEVELOPING}|sam>"), "and the manager"
    assert wellbeing(box, LEAD, f"<@{DEVELOPING}|sam>") == ONLY, "never the other co-worker"
    assert "No wellbeing check" in wellbeing(box, LEAD, "")
    seen = [(a.actor, a.outcome) for a in audits(box, "supervision.wellbeing")]
    assert seen == [(DEVELOPING, "ok"), (MANAGER, "ok"), (LEAD, "denied"), (LEAD, "ok")]


def wellbeing(box, user: str, who: str) -> str:
    box.driver.slash(user, f"supervision wellbeing {who}".strip(), CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return ephemerals(box, user)[-1]


def _versions(box):
    return recorded(box, NoteVersion)


def test_only_the_manager_may_record_and_a_refusal_is_audited(sandbox):
    box = sandbox
    open_case(box)
    assert supervision_form(box, LEAD) is None
    assert MANAGERS_ONLY in ephemerals(box, LEAD)
    assert [(a.actor, a.outcome) for a in audits(box, "supervision.open")] == [(LEAD, "denied")]
    view = supervision_form(box)
    reply = box.driver.submit(LEAD, view, good_answers(box))
    assert MANAGERS_ONLY in json.dumps(reply.json)
    assert rows(box, SupervisionRecord) == []
    assert [(a.actor, a.outcome) for a in audits(box, "supervision.record")] == [(LEAD, "denied")]
