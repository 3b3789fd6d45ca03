"""Management decision notes: written by a flow, listed beside discussion notes, exported (schema 2)
with a hash that recomputes, amended with a reason by the manager only (members refused, audited)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from bot.ids import ActionId, Block, CallbackId
from bot.notes.blocks import section_block
from bot.notes.flows_management import record_decision
from bot.notes.rules import ActionText, SectionText
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER
from storage.models import Case, Note, NoteAction, NoteType, NoteVersion
from tests.journey import open_case
from tests.notes.test_rules_export import errors, recompute
from tests.notes.test_slack_export import REFERENCE, export, received, with_notes
from tests.reminder_steps import audits, rows

EPHEMERAL = {"ts": "1.000001"}


def decided(box, *, outcome: str | None = "continue") -> Note:
    with box.deps.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.reference == REFERENCE))
        now = box.deps.clock()
        note = record_decision(
            box.deps,
            session,
            case,
            user_id=MANAGER,
            kind="review",
            outcome=outcome,
            event_at=now - timedelta(hours=1),
            participants=(MANAGER, LEAD, DEVELOPING),
            sections=(
                SectionText("plan", "Progressing the child's plan", "Yes: contact plan on track."),
                SectionText("empty", "Left empty", ""),
            ),
            actions=(ActionText(1, "Book the joint visit", LEAD, date(2026, 12, 20), "Visit in the diary"),),
            now=now,
        )
        session.flush()
        return note


def test_a_decision_is_a_numbered_signed_note_with_its_actions_followed_up_and_audited(http_sandbox):
    box = http_sandbox
    open_case(box)
    with_notes(box)
    decided(box)

    note = rows(box, Note)[-1]  # note 1 is the agreement's own decision, notes 2 and 3 discussions
    assert note.note_type == NoteType.MANAGEMENT and note.number == 4 and note.discussion_id is None
    (version,) = [v for v in rows(box, NoteVersion) if v.note_id == note.id]
    keys = [s["key"] for s in version.sections]
    assert keys == ["people", "decision", "plan"], "empty sections are left out"
    assert version.sections[1]["entries"] == [{"kind": "review", "outcome": "continue"}]
    # Kept by id (named when read: the export and the note view ask Slack, never a bare id shown).
    assert version.sections[0]["entries"][0] == {"id": MANAGER, "name": MANAGER, "role": "manager"}
    (action,) = [a for a in rows(box, NoteAction) if a.note_id == note.id]
    assert action.next_check_at is not None, "followed up like any other action"
    assert [a.detail["kind"] for a in audits(box, "note.create")] == ["agreement", "review"]


def test_notes_lists_both_types_and_the_export_carries_the_decision(http_sandbox):
    box = http_sandbox
    open_case(box)
    with_notes(box)
    decided(box, outcome="change")

    box.driver.slash(LEAD, f"notes {REFERENCE}", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    listing = str([e for e in box.emu.ephemerals if e["user"] == LEAD][-1]["blocks"])
    assert "Note 4* · Management decision" in listing and "Note 2* · Discussion with colleague" in listing
    assert "Note 1* · Management decision" in listing  # the agreement, written when the case opened

    export(box, LEAD, f"export {REFERENCE} json")
    (sent,) = received(box, LEAD)
    document = json.loads(sent["content"])
    assert errors(document) == []
    assert document["schema_version"] == 2
    kinds = [(n["note_type"], n["mode"], n["decision"]) for n in document["notes"]]
    assert kinds[3] == ("management_decision", "management", {"kind": "review", "outcome": "change"})
    assert kinds[0] == ("management_decision", "management", {"kind": "agreement", "outcome": "version 1"})
    assert kinds[1][2] is None
    third = document["notes"][3]
    assert recompute(third, third["versions"][0]) == third["versions"][0]["content_hash"]

    export(box, LEAD, f"export {REFERENCE} md")
    text = received(box, LEAD)[-1]["content"].decode("utf-8")
    assert "## Note 4: Management decision" in text and "Held by the manager (a management decision)." in text
    assert "Review of the co-working arrangement: change" in text


def amend_form(box, user: str, case_id: int) -> dict | None:
    box.driver.click(user, ActionId.NOTE_AMEND, f"{case_id}:2", message=EPHEMERAL, channel_id=CASE_CHANNEL)
    return next((v for v in box.emu.open_views_for(user) if v.get("callback_id") == CallbackId.AMEND), None)


def test_only_the_manager_amends_a_decision_and_the_decision_itself_stays_as_signed(sandbox):
    box = sandbox
    open_case(box)
    note = decided(box)
    case_id = rows(box, Note)[0].case_id

    assert amend_form(box, LEAD, case_id) is None
    assert [a.outcome for a in audits(box, "note.amend")] == ["denied"]

    form = amend_form(box, MANAGER, case_id)
    assert form is not None
    shown = str(form["blocks"])
    assert "contact plan on track" in shown and "happened" not in shown
    box.driver.submit(MANAGER, form, {section_block("plan"): "Yes, and school is involved."})
    assert len([v for v in rows(box, NoteVersion) if v.note_id == note.id]) == 1, "a reason is required"
    change = {Block.AMEND_REASON: "Added the school", section_block("plan"): "Yes, and school is involved."}
    box.driver.submit(MANAGER, form, change)
    box.driver.submit(MANAGER, form, change)  # double submission: one version
    versions = sorted((v for v in rows(box, NoteVersion) if v.note_id == note.id), key=lambda v: v.version)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].sections[:2] == versions[0].sections[:2], "who took part and the decision unchanged"
    assert versions[1].sections[2]["text"] == "Yes, and school is involved."
    assert versions[1].amendment_reason == "Added the school"
