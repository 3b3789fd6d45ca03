"""`/case agreement` and *Change* through the emulator: a new version with its reason (the old one
untouched), confirmations asked again, the plan re-made from the new cadence, a co-worker who leaves
refused from then on (audited) and their open actions given to the person the manager chose, the
decision notes; readers, outsiders, stale forms, double submissions and field errors."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.cases import rules_change as rules
from bot.ids import ActionId, Block, CallbackId
from bot.review import blocks as review_form
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER, OUTSIDER
from bot.sandbox.validation import view_errors
from storage.models import (
    ActionStatus,
    Agreement,
    AgreementAcceptance,
    CaseMember,
    ItemKind,
    ItemStatus,
    Note,
    NoteAction,
    NoteType,
    NoteVersion,
    ScheduleItem,
)
from tests.follow_up_builder import Wanted, add_actions
from tests.journey import open_case
from tests.reminder_steps import audits, rows, thread_texts

REASON = "Sam moves to the adoption team; Kiri joins, and we meet weekly through the court phase"


def ask(box, user: str, text: str = "agreement") -> dict:
    """`/case <text>` and the ephemeral answer it gave (the latest one for `user`)."""
    box.driver.slash(user, text, CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return [e for e in box.emu.ephemerals if e["user"] == user][-1]


def text_of(message: dict) -> str:
    return message["text"] + json.dumps(message.get("blocks") or [])


def change_form(box, user: str = MANAGER) -> dict | None:
    answer = ask(box, MANAGER)
    box.driver.click(user, ActionId.AGREEMENT_CHANGE, message=answer, channel_id=CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return next(
        (
            v
            for v in reversed(box.emu.open_views_for(user))
            if v.get("callback_id") == CallbackId.AGREEMENT_CHANGE
        ),
        None,
    )


def leave_and_join(**changes) -> dict:
    """Sam leaves, Kiri joins, discussions go weekly, Alex takes over Sam's open actions."""
    return {
        Block.COWORKERS: [LEAD, COLLEAGUE],
        Block.DEVELOPING: [],
        Block.DISCUSSION_FREQUENCY: "weekly",
        rules.REASON_BLOCK: REASON,
        rules.REASSIGN_BLOCK: LEAD,
    } | changes


def agree(box, card: dict, user: str, version_index: int = -1) -> None:
    posts = [m for m in box.emu.thread(CASE_CHANNEL, card["ts"]) if "Agree" in json.dumps(m.get("blocks"))]
    post = posts[version_index]
    value = next(
        b["accessory"]["value"]
        for b in post["blocks"]
        if b.get("accessory") and b["accessory"]["value"].endswith(user)
    )
    box.driver.click(user, ActionId.AGREE, value=value, message=post, channel_id=CASE_CHANNEL)
    box.deps.executor.wait_idle()


def test_the_first_agreement_is_a_management_decision_note(sandbox):
    open_case(sandbox)
    (note,) = rows(sandbox, Note)
    assert note.note_type == NoteType.MANAGEMENT and note.number == 1
    (version,) = rows(sandbox, NoteVersion)
    text = json.dumps(version.sections)
    assert "Co-working agreement: version 1" in text and "Initial agreement" in text
    assert "Reflective discussions: Fortnightly" in text


def test_the_manager_changes_the_agreement_as_a_new_version(sandbox):
    box = sandbox
    card = open_case(box)
    agree(box, card, LEAD)
    agree(box, card, DEVELOPING)
    (sams,) = add_actions(box, Wanted(DEVELOPING))
    before = {i.kind: i for i in rows(box, ScheduleItem, status=ItemStatus.SCHEDULED)}
    box.deps.executor.wait_idle()
    assert "Agreement v1: agreed by everyone" in text_of(box.emu.message(CASE_CHANNEL, card["ts"]))

    view = change_form(box)
    assert view is not None and not view_errors(view)
    assert json.loads(view["private_metadata"]) == {"case_id": 1, "version": 1}
    reply = box.driver.submit(MANAGER, view, leave_and_join())
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    box.deps.executor.wait_idle()

    first, second = rows(box, Agreement)
    assert (first.version, first.discussion_frequency, first.change_reason) == (
        1,
        "fortnightly",
        "Initial agreement",
    )
    assert (second.version, second.discussion_frequency, second.change_reason) == (2, "weekly", REASON)
    assert rows(box, AgreementAcceptance, agreement_id=second.id) == []  # asked again
    assert len(rows(box, AgreementAcceptance, agreement_id=first.id)) == 2  # the old ones stay
    posts = [
        m
        for m in box.emu.thread(CASE_CHANNEL, card["ts"])
        if "Agreement v2" in text_of(m) or "v2" in m["text"]
    ]
    assert posts, thread_texts(box, card)
    assert f"{second.id}:{COLLEAGUE}" in json.dumps(posts[-1]["blocks"])  # Kiri is asked to confirm
    assert any("now version 2" in t for t in thread_texts(box, card))
    shown = text_of(box.emu.message(CASE_CHANNEL, card["ts"]))  # the card asks everyone again
    assert "Agreement v2: waiting for 2 co-workers to agree" in shown and DEVELOPING not in shown

    # the plan follows the new cadence: the not-yet-due discussion is replaced by a weekly one
    after = {i.kind: i for i in rows(box, ScheduleItem, status=ItemStatus.SCHEDULED)}
    assert after[ItemKind.DISCUSSION].agreement_id == second.id
    assert after[ItemKind.DISCUSSION].due_at < before[ItemKind.DISCUSSION].due_at + timedelta(days=1)
    cancelled = rows(box, ScheduleItem, status=ItemStatus.CANCELLED)
    assert {i.kind for i in cancelled} >= {ItemKind.DISCUSSION}

    # who is on the case now; Sam's open action is Alex's
    members = {m.person.slack_user_id for m in _members(box)}
    assert members == {LEAD, COLLEAGUE}
    (action,) = rows(box, NoteAction, id=sams)
    assert action.owner_id == LEAD and action.status == ActionStatus.OPEN

    # the decision note and the audit
    notes = rows(box, Note, note_type=NoteType.MANAGEMENT)
    assert len(notes) == 2
    latest = rows(box, NoteVersion, note_id=notes[-1].id)[0]
    text = json.dumps(latest.sections)
    assert (
        "Co-working agreement: version 2" in text
        and REASON in text
        and "Leaving the case: 1" in text
        and DEVELOPING not in text
    )
    (change,) = audits(box, "agreement.change")
    assert change.outcome == "ok" and change.detail["leaving"] == [DEVELOPING]
    assert change.detail["joining"] == [COLLEAGUE] and change.detail["reassigned"] == 1
    assert [a.detail["member"] for a in audits(box, "case.member.remove")] == [DEVELOPING]

    # Sam has left: the manager is told Sam can still read the channel; casebot refuses Sam, audited
    told = [e["text"] for e in box.emu.ephemerals if e["user"] == MANAGER]
    assert any(f"<@{DEVELOPING}> left case CASE-2026-014" in t for t in told), told
    refused = ask(box, DEVELOPING)
    assert "Only the case's co-workers" in refused["text"]
    assert [a.outcome for a in audits(box, "agreement.view") if a.actor == DEVELOPING] == ["denied"]
    # Kiri, who joined, reads it, and the card asks both again
    assert "Co-working agreement v2" in ask(box, COLLEAGUE)["text"]
    agree(box, card, COLLEAGUE)
    assert len(rows(box, AgreementAcceptance, agreement_id=second.id)) == 1


def test_members_read_outsiders_are_refused_and_only_the_manager_may_change(sandbox):
    box = sandbox
    open_case(box)
    shown = ask(box, LEAD)
    assert "Co-working agreement v1" in shown["text"] and "Confirmed:" in text_of(shown)
    assert ActionId.AGREEMENT_CHANGE not in json.dumps(shown["blocks"])  # members read, they don't change
    assert ActionId.AGREEMENT_CHANGE in json.dumps(ask(box, MANAGER)["blocks"])
    refused = ask(box, COLLEAGUE)  # in the channel, not on the case
    assert "Only the case's co-workers" in refused["text"] and not refused["blocks"]
    assert [a.outcome for a in audits(box, "agreement.view")] == ["ok", "ok", "denied"]

    # a co-worker pressing *Change* on someone else's message (or a forged click) is refused, audited
    box.driver.click(LEAD, ActionId.AGREEMENT_CHANGE, value="1", message=shown, channel_id=CASE_CHANNEL)
    box.deps.executor.wait_idle()
    assert not [
        v for v in box.emu.open_views_for(LEAD) if v.get("callback_id") == CallbackId.AGREEMENT_CHANGE
    ]
    assert [a.outcome for a in audits(box, "agreement.change")] == ["denied"]
    assert "Only the case's manager" in json.dumps(box.emu.ephemerals[-1])


def test_a_form_submitted_by_someone_else_is_refused_and_audited(sandbox):
    box = sandbox
    open_case(box)
    view = change_form(box)
    reply = box.driver.submit(LEAD, view, leave_and_join())
    assert rules.REASON_BLOCK in reply.json["errors"]
    assert len(rows(box, Agreement)) == 1
    assert [a.outcome for a in audits(box, "agreement.change")] == ["denied"]


def test_field_errors_come_back_together_and_nothing_is_saved(sandbox):
    box = sandbox
    open_case(box)
    add_actions(box, Wanted(DEVELOPING))
    view = change_form(box)
    bad = leave_and_join(**{rules.REASON_BLOCK: "  ", rules.REASSIGN_BLOCK: None, Block.LEAD: DEVELOPING})
    reply = box.driver.submit(MANAGER, view, bad)
    errors = reply.json["errors"]
    assert set(errors) == {rules.REASON_BLOCK, rules.REASSIGN_BLOCK, Block.LEAD}, errors
    assert "Say why" in errors[rules.REASON_BLOCK] and f"<@{DEVELOPING}> (1)" in errors[rules.REASSIGN_BLOCK]
    assert len(rows(box, Agreement)) == 1 and len(_members(box)) == 2

    nothing = box.driver.submit(MANAGER, view, {rules.REASON_BLOCK: "Just checking"})
    assert "Nothing in the agreement differs" in nothing.json["errors"][rules.REASON_BLOCK]
    outsider = box.driver.submit(MANAGER, view, leave_and_join(**{rules.REASSIGN_BLOCK: OUTSIDER}))
    assert "Choose one of the co-workers who stay" in outsider.json["errors"][rules.REASSIGN_BLOCK]
    assert len(rows(box, Agreement)) == 1


def test_a_double_submission_acts_once_and_a_stale_form_is_refused(sandbox):
    box = sandbox
    open_case(box)
    older = change_form(box)
    newer = change_form(box)
    weekly = {Block.DISCUSSION_FREQUENCY: "weekly", rules.REASON_BLOCK: "Court phase"}
    first = box.driver.submit(MANAGER, newer, weekly)
    again = box.driver.submit(MANAGER, newer, weekly)  # the same Save, twice
    assert not (first.json or {}).get("errors") and not (again.json or {}).get("errors")
    box.deps.executor.wait_idle()
    assert [a.version for a in rows(box, Agreement)] == [1, 2]
    assert len(audits(box, "agreement.change")) == 1

    stale = box.driver.submit(MANAGER, older, {**weekly, Block.SUPERVISION_FREQUENCY: "weekly"})
    assert stale.json["errors"] == {rules.REASON_BLOCK: rules.STALE.format(version=2)}
    assert [a.version for a in rows(box, Agreement)] == [1, 2]


def test_the_reviews_change_decision_opens_the_change_form_in_its_place(sandbox):
    box = sandbox
    open_case(box)
    box.driver.slash(MANAGER, "review", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    review = next(v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.REVIEW)
    today = box.deps.clock().date()
    answers = {f"{review_form.ANSWER_PREFIX}{key}": "Fine." for key in ("plan", "sharing", "tasks", "issues")}
    answers |= {
        f"{review_form.ANSWER_PREFIX}progress": "Growing",
        review_form.OUTCOME: "change",
        review_form.NEXT: (today + timedelta(days=90)).isoformat(),
    }
    reply = box.driver.submit(MANAGER, review, answers)
    assert reply.json["response_action"] == "update"
    view = reply.json["view"]
    assert view["callback_id"] == CallbackId.AGREEMENT_CHANGE and not view_errors(view)
    box.deps.executor.wait_idle()
    saved = box.driver.submit(
        MANAGER,
        {**view, "id": "VREVIEWED1"},
        {Block.DISCUSSION_FREQUENCY: "weekly", rules.REASON_BLOCK: "Review"},
    )
    assert not (saved.json or {}).get("errors"), saved.body
    box.deps.executor.wait_idle()
    assert [a.version for a in rows(box, Agreement)] == [1, 2]


def test_a_deactivated_coworker_must_leave_and_their_actions_find_a_new_owner(sandbox):
    box = sandbox
    card = open_case(box)
    (sams,) = add_actions(box, Wanted(DEVELOPING))
    box.emu.users[DEVELOPING].deleted = True
    view = change_form(box)  # pre-filled as the case stands: Sam is still named
    kept = box.driver.submit(MANAGER, view, {rules.REASON_BLOCK: "Sam has left the service"})
    assert "deactivated" in kept.json["errors"][Block.COWORKERS]
    reply = box.driver.submit(
        MANAGER,
        view,
        {
            Block.COWORKERS: [LEAD, COLLEAGUE],
            Block.DEVELOPING: [],
            rules.REASON_BLOCK: "Sam has left the service",
            rules.REASSIGN_BLOCK: COLLEAGUE,
        },
    )
    assert not (reply.json or {}).get("errors"), reply.body
    box.deps.executor.wait_idle()
    (action,) = rows(box, NoteAction, id=sams)
    assert action.owner_id == COLLEAGUE
    assert any("now sit with" in t for t in thread_texts(box, card))


def _members(box) -> list[CaseMember]:
    with box.deps.sessions() as session:
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return list(session.scalars(select(CaseMember).options(selectinload(CaseMember.person))))


def test_agreement_change_on_the_command_line_opens_the_form_for_the_manager_only(sandbox):
    box = sandbox
    open_case(box)
    box.driver.slash(MANAGER, "agreement CASE-2026-014 change", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    (view,) = [
        v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.AGREEMENT_CHANGE
    ]
    assert "CASE-2026-014" in json.dumps(view["blocks"]) and not view_errors(view)
    refused = ask(box, LEAD, "agreement change")
    assert "Only the case's manager" in refused["text"]
    assert [a.outcome for a in audits(box, "agreement.change")] == ["denied"]
