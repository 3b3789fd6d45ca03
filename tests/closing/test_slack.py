"""`/case close` through the emulator: the closing review field by field, the case closed once with its
management decision note, every chase cancelled, the card closed with only *Notes*, refusals audited,
stale forms refused, and a re-used reference linked to the closed case whose notes stay reachable."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot import jobs
from bot.closing import blocks as form
from bot.closing import flows
from bot.ids import ActionId, CallbackId
from bot.notes import flows_admin as admin
from bot.notes.flows_management import MANAGERS_ONLY
from bot.review import blocks as review_form
from bot.sandbox.harness import ADMIN, CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, OUTSIDER
from storage.models import (
    ActionStatus,
    Case,
    CaseClosure,
    CaseStatus,
    ItemStatus,
    Note,
    NoteAction,
    NoteType,
    NoteVersion,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    ReviewRecord,
    ScheduleItem,
    SupervisionRecord,
    WellbeingCheck,
)
from tests.journey import GOOD_ANSWERS, open_case, open_modal, submit
from tests.notes_builder import Version, add_note
from tests.reminder_steps import audits, ephemerals, rows
from tests.supervision import test_slack as supervision

REFERENCE = GOOD_ANSWERS["reference"]


def with_actions(box) -> list[int]:
    """A signed-off note with two open actions (one followed up), as the saving flow leaves them."""
    with box.deps.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.reference == REFERENCE, Case.status == CaseStatus.OPEN))
        note = add_note(session, case, Version(), event_at=box.deps.clock() - timedelta(days=2))
        found = session.scalars(select(NoteAction).where(NoteAction.note_id == note.id)).all()
        found[0].next_check_at = box.deps.clock() + timedelta(days=3)
        return [a.id for a in found]


def close_form(box, user: str = MANAGER, text: str = "close") -> dict | None:
    before = {v["id"] for v in box.emu.open_views_for(user)}
    box.driver.slash(user, text, CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return next(
        (
            v
            for v in reversed(box.emu.open_views_for(user))
            if v.get("callback_id") == CallbackId.CLOSE and v["id"] not in before
        ),
        None,
    )


def answers(action_ids: list[int]) -> dict:
    first, second = action_ids
    return {
        f"{form.ANSWER_PREFIX}changed": "Aroha is settled at school and contact is safe.",
        f"{form.ANSWER_PREFIX}learned": "Early joint visits mattered most.",
        f"{form.ANSWER_PREFIX}continues": "School pastoral support continues.",
        form.HOLDER: LEAD,
        f"{form.ACTION_PREFIX}{first}_outcome": "handed_over",
        f"{form.ACTION_PREFIX}{first}_to": DEVELOPING,
        f"{form.ACTION_PREFIX}{second}_outcome": "dropped",
        f"{form.ACTION_PREFIX}{second}_reason": "The family moved on from meetings.",
    }


def case_row(box, case_id: int | None = None) -> Case:
    with box.deps.reads.begin() as session:
        query = select(Case).order_by(Case.id)
        found = session.scalars(query).all()
        return next(c for c in found if case_id in (None, c.id))


def test_the_manager_closes_the_case_once_with_its_note_every_chase_cancelled_and_a_closed_card(sandbox):
    box = sandbox
    card = open_case(box)
    action_ids = with_actions(box)
    view = close_form(box)
    assert view is not None
    shown = json.dumps(view["blocks"])
    assert "Ring the school about attendance" in shown and "Book the next family meeting" in shown

    bad = answers(action_ids)
    bad[f"{form.ANSWER_PREFIX}learned"] = ""
    bad[f"{form.ACTION_PREFIX}{action_ids[0]}_to"] = None
    bad[f"{form.ACTION_PREFIX}{action_ids[1]}_reason"] = ""
    reply = box.driver.submit(MANAGER, view, bad)
    assert set(reply.json["errors"]) == {
        f"{form.ANSWER_PREFIX}learned",
        f"{form.ACTION_PREFIX}{action_ids[0]}_to",
        f"{form.ACTION_PREFIX}{action_ids[1]}_reason",
    }
    assert case_row(box).status == CaseStatus.OPEN and rows(box, CaseClosure) == []

    good = answers(action_ids)
    assert box.driver.submit(MANAGER, view, good).json in (None, {})
    box.driver.submit(MANAGER, view, good)  # a double submission acts once
    box.deps.executor.wait_idle()

    case = case_row(box)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    (closure,) = rows(box, CaseClosure)
    assert {a["outcome"] for a in closure.actions} == {"handed_over", "dropped"}
    note = max(rows(box, Note, note_type=NoteType.MANAGEMENT), key=lambda n: n.number)
    assert closure.note_id == note.id
    version = next(v for v in rows(box, NoteVersion) if v.note_id == note.id)
    keys = [s["key"] for s in version.sections]
    assert keys[:2] == ["people", "decision"] and {"changed", "learned", "continues"} <= set(keys)
    assert version.sections[1]["entries"] == [{"kind": "closing", "outcome": "closed"}]
    continues = next(s for s in version.sections if s["key"] == "continues")
    assert f"<@{LEAD}>" in continues["text"]
    statuses = {a.id: (a.status, a.next_check_at) for a in rows(box, NoteAction)}
    assert statuses[action_ids[0]] == (ActionStatus.HANDED_OVER, None)
    assert statuses[action_ids[1]] == (ActionStatus.DROPPED, None)
    items = rows(box, ScheduleItem)
    assert items and all(i.status == ItemStatus.CANCELLED and i.next_check_at is None for i in items)
    assert [a.outcome for a in audits(box, "case.close")] == ["ok"]

    updated = box.emu.message(CASE_CHANNEL, card["ts"])
    text = json.dumps(updated["blocks"])
    assert "(closed)" in text
    buttons = [e["action_id"] for b in updated["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [ActionId.CARD_NOTES]

    # Weeks pass and the sweep runs: nothing more is sent for this case.
    sent_before = len(rows(box, OutboxMessage))
    box.deps.clock.advance(days=40)
    jobs.run_pass(box.deps)
    after = [m for m in rows(box, OutboxMessage)][sent_before:]
    chases = {OutboxKind.REMINDER, OutboxKind.RECORD_REMINDER, OutboxKind.ACTION_FOLLOW_UP}
    assert not [m for m in after if m.kind in chases]
    assert not [m for m in rows(box, OutboxMessage) if m.kind in chases and m.status == OutboxStatus.PENDING]


def test_only_the_manager_or_an_admin_may_close_and_refusals_are_audited(sandbox):
    box = sandbox
    open_case(box)
    action_ids = with_actions(box)
    assert close_form(box, LEAD) is None
    assert MANAGERS_ONLY in ephemerals(box, LEAD)
    assert close_form(box, OUTSIDER) is None
    view = close_form(box)
    reply = box.driver.submit(DEVELOPING, view, answers(action_ids))
    assert MANAGERS_ONLY in json.dumps(reply.json)
    assert case_row(box).status == CaseStatus.OPEN
    refused = [(a.actor, a.outcome) for a in audits(box, "case.close")]
    assert (LEAD, "denied") in refused and (DEVELOPING, "denied") in refused
    assert close_form(box, ADMIN) is not None


def test_a_stale_form_is_refused_and_a_second_form_after_the_close_says_the_case_is_closed(sandbox):
    box = sandbox
    open_case(box)
    action_ids = with_actions(box)
    first = close_form(box)
    second = close_form(box)
    with box.deps.sessions.begin() as session:  # an action is done meanwhile (its follow-up answered)
        action = session.get(NoteAction, action_ids[1])
        action.status = ActionStatus.DONE
    reply = box.driver.submit(MANAGER, first, answers(action_ids))
    assert flows.STALE in json.dumps(reply.json)
    assert case_row(box).status == CaseStatus.OPEN

    fresh = close_form(box)
    good = answers(action_ids[:1] + [0])
    good.pop(f"{form.ACTION_PREFIX}0_outcome")
    good.pop(f"{form.ACTION_PREFIX}0_reason")
    assert not (box.driver.submit(MANAGER, fresh, good).json or {}).get("errors")
    assert case_row(box).status == CaseStatus.CLOSED
    reply = box.driver.submit(MANAGER, second, answers(action_ids))
    assert "is closed" in json.dumps(reply.json)
    assert len(rows(box, CaseClosure)) == 1


def close_now(box) -> None:
    view = close_form(box)
    good = {k: v for k, v in answers([1, 2]).items() if not k.startswith(form.ACTION_PREFIX)}
    reply = box.driver.submit(MANAGER, view, good)
    assert not (reply.json or {}).get("errors"), reply.json
    box.deps.executor.wait_idle()


def test_after_the_close_everything_on_the_case_answers_one_line(sandbox):
    box = sandbox
    card = open_case(box)
    close_now(box)
    box.driver.slash(LEAD, "discuss", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    assert "is closed" in ephemerals(box, LEAD)[-1]
    box.driver.slash(LEAD, f"discuss {REFERENCE}", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    assert "is closed" in ephemerals(box, LEAD)[-1]
    assert close_form(box) is None and "is closed" in ephemerals(box, MANAGER)[-1]
    # Buttons on old messages: the card as it was before the close, and a reminder's *We met offline*.
    case_id = str(case_row(box).id)
    item_id = rows(box, ScheduleItem)[0].id
    for action_id, value in (
        (ActionId.CARD_START_DISCUSSION, case_id),
        (ActionId.CARD_ASK, case_id),
        (ActionId.REMINDER_MET, f"{item_id}:0"),
    ):
        told = len(ephemerals(box, LEAD))
        box.driver.click(LEAD, action_id, value, message=card, channel_id=CASE_CHANNEL)
        box.deps.executor.wait_idle()
        answers_now = ephemerals(box, LEAD)
        assert len(answers_now) == told + 1 and "is closed" in answers_now[-1], action_id
    assert [i.status for i in rows(box, ScheduleItem)] == [ItemStatus.CANCELLED] * len(
        rows(box, ScheduleItem)
    )
    # *Notes* on the closed card lists its notes privately (the closing review among them).
    box.driver.click(LEAD, ActionId.CARD_NOTES, str(case_row(box).id), message=card, channel_id=CASE_CHANNEL)
    box.deps.executor.wait_idle()
    assert "Management decision" in json.dumps(box.emu.ephemerals[-1])


def test_a_reused_reference_links_to_the_closed_case_whose_notes_and_export_stay_reachable(sandbox):
    box = sandbox
    open_case(box)
    with_actions(box)
    view = close_form(box)
    ids = [a.id for a in rows(box, NoteAction)]
    assert not (box.driver.submit(MANAGER, view, answers(ids)).json or {}).get("errors")
    box.deps.executor.wait_idle()
    old = case_row(box)

    reply = submit(box, open_modal(box))
    assert not (reply.json or {}).get("errors"), reply.body
    box.deps.executor.wait_idle()
    new = max(rows(box, Case), key=lambda c: c.id)
    assert new.id != old.id and new.previous_case_id == old.id and new.status == CaseStatus.OPEN
    card = box.emu.messages(CASE_CHANNEL)[-1]
    assert "used before" in json.dumps(card["blocks"])

    box.driver.slash(LEAD, f"notes {REFERENCE}", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    assert f"`/case notes {REFERENCE} earlier`" in json.dumps(box.emu.ephemerals[-1])
    box.driver.slash(LEAD, f"notes {REFERENCE} earlier", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    listed = json.dumps(box.emu.ephemerals[-1])
    assert "Management decision" in listed and "Discussion with colleague" in listed and "(closed)" in listed
    box.driver.slash(LEAD, f"export {REFERENCE} earlier", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    (exported,) = [f for f in box.emu.files if f["user"] == LEAD]
    assert b"Ring the school about attendance" in exported["content"]
    assert [a.object_id for a in audits(box, "notes.export")] == [str(old.id)]


def test_the_review_decision_end_opens_the_closing_review_in_its_place(sandbox):
    box = sandbox
    open_case(box)
    box.driver.slash(MANAGER, "review", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    review = next(v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.REVIEW)
    said = {f"{review_form.ANSWER_PREFIX}{key}": "Fine." for key in ("plan", "sharing", "tasks", "issues")}
    said |= {f"{review_form.ANSWER_PREFIX}progress": "Growing", review_form.OUTCOME: "end"}
    reply = box.driver.submit(MANAGER, review, said)
    assert reply.json["response_action"] == "update"
    view = reply.json["view"]
    assert view["callback_id"] == CallbackId.CLOSE
    closing = {k: v for k, v in answers([1, 2]).items() if not k.startswith(form.ACTION_PREFIX)}
    saved = box.driver.submit(MANAGER, {**view, "id": "VCLOSING1"}, closing)
    assert not (saved.json or {}).get("errors"), saved.body
    box.deps.executor.wait_idle()
    assert case_row(box).status == CaseStatus.CLOSED


def test_purge_applies_to_a_closed_case_its_closing_note_included(sandbox, tmp_path):
    box = sandbox
    open_case(box)
    with_actions(box)
    ids = [a.id for a in rows(box, NoteAction)]
    view = close_form(box)
    assert not (box.driver.submit(MANAGER, view, answers(ids)).json or {}).get("errors")
    box.deps.executor.wait_idle()
    after = (box.deps.clock() + timedelta(days=2)).date()
    _cutoff, plan = admin.purge_plan(box.deps, closed_before=after)
    assert [(c.reference, c.notes) for c in plan] == [(REFERENCE, len(rows(box, Note)))]
    (done,) = list(admin.purge(box.deps, closed_before=after, out_dir=tmp_path))
    assert rows(box, Note) == [] and rows(box, NoteAction) == []
    assert len(rows(box, CaseClosure)) == 1, "the closure (ids only) outlives the purge"
    assert list(tmp_path.iterdir()), "exported before deleting"


def test_purge_takes_a_review_s_record_with_its_note_when_the_review_ended_the_case(sandbox, tmp_path):
    box = sandbox
    test_the_review_decision_end_opens_the_closing_review_in_its_place(box)
    after = (box.deps.clock() + timedelta(days=2)).date()
    (done,) = list(admin.purge(box.deps, closed_before=after, out_dir=tmp_path))
    assert done.deleted is not None and done.deleted.reviews == 1
    assert rows(box, ReviewRecord) == [] and rows(box, Note) == []


def test_purge_takes_a_supervision_s_record_and_its_wellbeing_checks_with_its_note(sandbox, tmp_path):
    box = sandbox
    open_case(box)
    view = supervision.supervision_form(box)
    assert not (box.driver.submit(MANAGER, view, supervision.good_answers(box)).json or {}).get("errors")
    box.deps.executor.wait_idle()
    assert len(rows(box, SupervisionRecord)) == 1 and len(rows(box, WellbeingCheck)) == 1
    (action,) = rows(box, NoteAction)  # the supervision's action: completed at the close
    good = {k: v for k, v in answers([1, 2]).items() if not k.startswith(form.ACTION_PREFIX)}
    good[f"{form.ACTION_PREFIX}{action.id}_outcome"] = "completed"
    assert not (box.driver.submit(MANAGER, close_form(box), good).json or {}).get("errors")
    box.deps.executor.wait_idle()
    after = (box.deps.clock() + timedelta(days=2)).date()
    (done,) = list(admin.purge(box.deps, closed_before=after, out_dir=tmp_path))
    assert done.deleted is not None
    assert (done.deleted.supervisions, done.deleted.wellbeing_checks) == (1, 1)
    assert rows(box, SupervisionRecord) == [] and rows(box, WellbeingCheck) == [] and rows(box, Note) == []
    exported = "".join(p.read_text() for p in tmp_path.iterdir() if p.suffix in (".md", ".json"))
    assert "court report" in exported and supervision.WELLBEING not in exported
