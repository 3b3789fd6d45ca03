"""The summary form, end to end: opened by Wrap up, We met offline, Write the summary and /case record;
pre-filled from the discussion; checks shown next to their fields; saved once, in one transaction."""

from __future__ import annotations

import re
from datetime import date

from bot.ids import ActionId, Block, CallbackId
from bot.notes.blocks import KEEP, action_block, section_block
from bot.notes.blocks_sharing import sharing_block
from bot.notes.rules import content_hash, sections_from
from bot.notes.rules_signoff import placeholders
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, OUTSIDER
from storage.models import (
    Discussion,
    DiscussionPrompt,
    DiscussionStatus,
    ItemStatus,
    LearningEvidence,
    Note,
    NoteAction,
    NoteVersion,
    OutboxMessage,
    OutboxStatus,
    SummaryCheck,
)
from tests.discussion_steps import NEXT, WRAP, current, questions, say, start
from tests.journey import note_audits, open_case, recorded
from tests.reminder_steps import (
    FIRST_DUE,
    audits,
    body,
    click,
    ephemerals,
    item,
    pass_at,
    reminder_posts,
    rows,
    thread_texts,
)

PLANTED = "Met with mum. Child's DOB 14/03/2015 came up when we checked school records."


CHILD = "Not seen this week; to be seen alone at school by 16 Dec."


def signable(view: dict, answers: dict) -> dict:
    """What a recorder fills in before signing off, then `answers`: the child's voice, and each of the
    draft's "…" placeholders (and its "To sort" heading) replaced."""
    filled = {section_block("childs_voice"): CHILD}
    for b in view["blocks"]:
        text = (b.get("element") or {}).get("initial_value") or ""
        if b["type"] == "input" and b["block_id"].startswith("sec_") and placeholders(text):
            text = re.sub(r"(?m)^To sort \(observed, reported or a view\?\):?$", "Also said:", text)
            filled[b["block_id"]] = text.replace(": …", ": agreed together")
    return {**filled, **answers}


def sign(box, user: str, view: dict, answers: dict):
    """Submit the summary form as a recorder who has filled in what sign-off needs."""
    return box.driver.submit(user, view, signable(view, answers))


def summary_form(box, user: str) -> dict:
    (view,) = [v for v in box.emu.open_views_for(user) if v.get("callback_id") == CallbackId.SUMMARY]
    return view


def block(view: dict, block_id: str) -> dict:
    (found,) = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return found


def discussed(box) -> dict:
    """A discussion with a decision, an action with owner and date, and a learning point, wrapped up."""
    card = open_case(box)
    start(box, card, focus="Is the plan keeping her safe at weekends?")
    say(box, card, LEAD, "Weekends look calmer since the family plan started.")
    say(box, card, DEVELOPING, "Decision: keep the weekend plan for four more weeks")
    say(box, card, LEAD, f"Action: <@{DEVELOPING}> to ask school about attendance by 4 December")
    click(box, LEAD, NEXT, current(box, card))
    say(box, card, DEVELOPING, "Learning: ask what the child says about weekends, not only what adults say")
    click(box, DEVELOPING, WRAP, current(box, card))
    return card


def test_wrap_up_opens_the_form_prefilled_from_the_discussion(sandbox):
    box = sandbox
    card = discussed(box)
    view = summary_form(box, DEVELOPING)
    assert view["private_metadata"] and "keep the weekend plan" not in view["private_metadata"]
    purpose = block(view, section_block("purpose"))["element"]["initial_value"]
    assert "Is the plan keeping her safe at weekends?" in purpose
    assert (
        "keep the weekend plan for four more weeks"
        in block(view, section_block("decisions"))["element"]["initial_value"]
    )
    happened = block(view, section_block("happened"))["element"]["initial_value"]
    assert "Weekends look calmer since the family plan started." in happened
    # Each question is listed under the purpose with the heading it was asked with in the thread.
    first = body(questions(box, card)[0]).splitlines()[0]
    heading = first.split(" · ", 1)[1].rstrip("*")
    asked = next(p for p in rows(box, DiscussionPrompt) if p.position == 1)
    assert f"• {heading}: {asked.text}" in purpose
    assert "Decision" not in happened and "Action" not in happened, "marked lines are in their sections"
    action = block(view, action_block(1, "text"))["element"]
    assert "ask school about attendance" in action["initial_value"]
    assert block(view, action_block(1, "owner"))["element"]["initial_user"] == DEVELOPING
    assert block(view, action_block(1, "due"))["element"]["initial_date"] == "2026-12-04"
    assert block(view, action_block(2, "text"))["label"]["text"].startswith("Another action")
    assert len(view["blocks"]) <= 100
    assert all(
        len(b["element"].get("initial_value", "")) <= 3000 for b in view["blocks"] if b["type"] == "input"
    )


def test_an_identifier_is_shown_next_to_its_field_and_nothing_is_saved_until_it_is_fixed(sandbox):
    box = sandbox
    card = discussed(box)
    view = summary_form(box, DEVELOPING)
    reply = sign(box, DEVELOPING, view, {section_block("happened"): PLANTED})
    errors = reply.json["errors"]
    assert list(errors) == [section_block("happened")]
    assert "date of birth" in errors[section_block("happened")].lower()
    assert "14/03/2015" not in errors[section_block("happened")]  # the warning masks the value
    assert recorded(box, Note) == []
    assert len(rows(box, SummaryCheck)) == 1

    fixed = "Met with mum. We checked school records."
    reply = sign(box, DEVELOPING, view, {section_block("happened"): fixed})
    assert reply.json is None or "errors" not in reply.json
    (note,) = recorded(box, Note)
    (version,) = recorded(box, NoteVersion)
    assert note.number == 2 and version.version == 1 and version.recorder_id == DEVELOPING
    assert version.confirmations == []
    happened = next(s for s in version.sections if s["key"] == "happened")
    assert happened["text"].startswith("Met with mum. We checked school records.")
    assert version.content_hash == content_hash(
        note_type=note.note_type.value,
        event_at=note.event_at,
        recorder_id=DEVELOPING,
        participants=version.participants,
        sections=sections_from(version.sections),
        actions=tuple(_actions(version)),
        amendment_reason=None,
    )
    (saved,) = [t for t in thread_texts(box, card) if "saved the summary" in t]
    assert "note 2" in saved and "keep the weekend plan" in saved and f"<@{DEVELOPING}>" in saved
    assert "Met with mum" not in saved  # the thread gets a confirmation, not the note
    sent = [r for r in rows(box, OutboxMessage) if r.status == OutboxStatus.SENT]
    assert sent and all("text" not in r.payload and "blocks" not in r.payload for r in sent)
    assert not any("keep the weekend plan" in str(r.payload) for r in rows(box, OutboxMessage))


def _actions(version):
    from bot.notes.rules import actions_from

    return actions_from(version.actions)


def test_saving_writes_actions_learning_evidence_and_marks_the_discussion_recorded(sandbox):
    box = sandbox
    discussed(box)
    view = summary_form(box, DEVELOPING)
    sign(box, DEVELOPING, view, {action_block(1, "done"): "Attendance figures shared with Alex"})
    (action,) = rows(box, NoteAction)
    assert (action.owner_id, action.due, action.done_looks_like) == (
        DEVELOPING,
        date(2026, 12, 4),
        "Attendance figures shared with Alex",
    )
    assert action.next_check_at is not None  # its owner will be asked on the due date
    (evidence,) = rows(box, LearningEvidence)
    assert evidence.case_reference == "CASE-2026-014" and evidence.person_id is not None
    (discussion,) = rows(box, Discussion)
    assert discussion.status == DiscussionStatus.RECORDED and discussion.recorded_at is not None
    assert discussion.record_next_check_at is None
    assert [a.outcome for a in note_audits(box)] == ["ok"]


def test_a_double_submission_saves_one_note(sandbox):
    box = sandbox
    discussed(box)
    view = summary_form(box, DEVELOPING)
    sign(box, DEVELOPING, view, {})
    sign(box, DEVELOPING, view, {})
    assert (
        len(recorded(box, Note)) == 1
        and len(recorded(box, NoteVersion)) == 1
        and len(rows(box, NoteAction)) == 1
    )


def test_a_warning_can_be_kept_by_ticking_keep_and_the_confirmation_is_kept_with_the_note(sandbox):
    box = sandbox
    discussed(box)
    view = summary_form(box, DEVELOPING)
    assert "errors" in sign(box, DEVELOPING, view, {section_block("happened"): PLANTED}).json
    sign(box, DEVELOPING, view, {section_block("happened"): PLANTED, Block.KEEP_CHECKED: [KEEP]})
    (version,) = recorded(box, NoteVersion)
    (kept,) = version.confirmations
    assert kept["field"] == section_block("happened") and kept["kind"] == "date_of_birth"
    assert "14/03/2015" not in str(version.confirmations)


def test_ticking_keep_does_not_confirm_a_warning_that_was_never_shown(sandbox):
    box = sandbox
    discussed(box)
    view = summary_form(box, DEVELOPING)
    reply = box.driver.submit(
        DEVELOPING, view, {section_block("happened"): PLANTED, Block.KEEP_CHECKED: [KEEP]}
    )
    assert section_block("happened") in reply.json["errors"]
    assert recorded(box, Note) == []


def test_an_action_without_owner_or_date_and_with_a_vague_verb_is_flagged_next_to_each_field(sandbox):
    box = sandbox
    discussed(box)
    view = summary_form(box, DEVELOPING)
    reply = sign(box, DEVELOPING, view, {action_block(2, "text"): "Monitor the situation at home"})
    errors = reply.json["errors"]
    assert set(errors) == {action_block(2, "owner"), action_block(2, "due"), action_block(2, "text")}
    assert "Monitor" in errors[action_block(2, "text")]
    assert recorded(box, Note) == []


def test_a_due_date_in_the_past_is_refused_next_to_the_field(sandbox):
    box = sandbox
    discussed(box)
    view = summary_form(box, DEVELOPING)
    reply = sign(box, DEVELOPING, view, {action_block(1, "due"): "2026-01-05"})
    assert "today" in reply.json["errors"][action_block(1, "due")]


def test_someone_outside_the_case_gets_no_form_and_the_denial_is_audited(sandbox):
    box = sandbox
    card = discussed(box)
    (discussion,) = rows(box, Discussion)
    box.driver.click(
        OUTSIDER,
        ActionId.SUMMARY_OPEN,
        str(discussion.id),
        message={"ts": card["ts"]},
        channel_id=CASE_CHANNEL,
    )
    assert [v for v in box.emu.open_views_for(OUTSIDER) if v.get("callback_id") == CallbackId.SUMMARY] == []
    assert [a.outcome for a in audits(box, "summary.open")] == ["denied"]
    told = ephemerals(box, OUTSIDER) + [m.get("text", "") for m in box.emu.dms(OUTSIDER)]
    assert any("Only the case's co-workers" in t for t in told)  # not in the channel: told by DM

    # A form submitted by someone outside the case (a forged or forwarded view) saves nothing either.
    reply = sign(box, OUTSIDER, summary_form(box, DEVELOPING), {})
    assert "Only the case's co-workers" in reply.json["errors"][section_block("happened")]
    assert recorded(box, Note) == [] and [a.outcome for a in note_audits(box)] == ["denied"]


def test_write_the_summary_after_closing_the_form_and_again_after_it_is_recorded(sandbox):
    box = sandbox
    card = discussed(box)
    (discussion,) = rows(box, Discussion)
    box.driver.click(
        LEAD, ActionId.SUMMARY_OPEN, str(discussion.id), message={"ts": card["ts"]}, channel_id=CASE_CHANNEL
    )
    sign(box, LEAD, summary_form(box, LEAD), {})
    box.driver.click(
        LEAD, ActionId.SUMMARY_OPEN, str(discussion.id), message={"ts": card["ts"]}, channel_id=CASE_CHANNEL
    )
    assert any("already been recorded as note 2" in t for t in ephemerals(box, LEAD))


def test_case_record_opens_the_waiting_summary_or_refuses_while_the_discussion_runs(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card)
    box.driver.slash(LEAD, "record", CASE_CHANNEL)
    assert any("still under way" in t for t in ephemerals(box, LEAD))
    click(box, LEAD, WRAP, current(box, card))
    box.driver.slash(MANAGER, "record CASE-2026-014", CASE_CHANNEL)
    view = summary_form(box, MANAGER)
    sign(box, MANAGER, view, {section_block("happened"): "We talked through the weekend plan."})
    (note,) = recorded(box, Note)
    assert note.discussion_id == rows(box, Discussion)[0].id


def test_case_record_without_a_discussion_records_a_meeting_held_offline(sandbox):
    box = sandbox
    open_case(box)
    box.driver.slash(LEAD, "record", CASE_CHANNEL)
    view = summary_form(box, LEAD)
    assert date.fromisoformat(block(view, Block.EVENT_DAY)["element"]["initial_date"])
    reply = sign(box, LEAD, view, {Block.EVENT_DAY: "2027-03-01"})
    assert "today or earlier" in reply.json["errors"][Block.EVENT_DAY]
    sign(box, LEAD, view, {section_block("happened"): "Met at the school to plan the review."})
    (discussion,) = rows(box, Discussion)
    assert discussion.mode == "offline" and discussion.status == DiscussionStatus.RECORDED
    (note,) = recorded(box, Note)
    assert note.discussion_id == discussion.id


def test_we_met_offline_holds_the_occurrence_and_opens_the_form(sandbox):
    box = sandbox
    card = open_case(box)
    pass_at(box, FIRST_DUE)
    (reminder,) = reminder_posts(box, card)
    click(box, LEAD, ActionId.REMINDER_MET, reminder)
    assert item(box).status == ItemStatus.HELD
    (met,) = rows(box, Discussion)
    assert met.mode == "offline" and met.status == DiscussionStatus.WRAPPED and met.record_due_at is not None
    view = summary_form(box, LEAD)
    sign(box, LEAD, view, {section_block("happened"): "We met in the office after the visit."})
    assert rows(box, Discussion)[0].status == DiscussionStatus.RECORDED
    assert len(recorded(box, Note)) == 1


# ---------------------------------------------------------------- reading and amending notes


EPHEMERAL = {"ts": "1700000000.000100", "blocks": []}  # a click on an ephemeral list of notes


def saved(box) -> dict:
    card = discussed(box)
    sign(box, DEVELOPING, summary_form(box, DEVELOPING), {})
    return card


def note_views_for(box, user: str) -> list[dict]:
    return [
        v for v in box.emu.open_views_for(user) if str(v.get("title", {}).get("text", "")).startswith("Note")
    ]


def test_case_notes_lists_to_members_and_shows_a_note_with_every_view_audited(sandbox):
    box = sandbox
    saved(box)
    box.driver.slash(MANAGER, "notes", CASE_CHANNEL)
    (listing,) = [
        m for m in box.emu.ephemerals if m["user"] == MANAGER and "Notes for case" in m.get("text", "")
    ]
    show = listing["blocks"][1]["accessory"]
    assert show["action_id"] == ActionId.NOTE_SHOW
    box.driver.click(MANAGER, ActionId.NOTE_SHOW, show["value"], message=listing, channel_id=CASE_CHANNEL)
    (view,) = note_views_for(box, MANAGER)
    shown = str(view["blocks"])
    assert "keep the weekend plan for four more weeks" in shown and "Version 1, current version" in shown
    assert [a.action for a in audits(box, "notes.list")] == ["notes.list"]
    assert [a.detail for a in audits(box, "note.view")] == [{"version": 1}]


def test_someone_outside_the_case_cannot_list_or_read_notes_and_is_audited(sandbox):
    box = sandbox
    saved(box)
    (note,) = recorded(box, Note)
    box.driver.slash(OUTSIDER, "notes CASE-2026-014", CASE_CHANNEL)
    box.driver.click(
        OUTSIDER, ActionId.NOTE_SHOW, f"{note.case_id}:2", message=EPHEMERAL, channel_id=CASE_CHANNEL
    )
    assert note_views_for(box, OUTSIDER) == []
    assert [a.outcome for a in audits(box, "notes.list")] == ["denied"]
    assert [a.outcome for a in audits(box, "note.view")] == ["denied"]
    told = ephemerals(box, OUTSIDER) + [m.get("text", "") for m in box.emu.dms(OUTSIDER)]
    assert not any("weekend plan" in t for t in told)


def test_amending_adds_a_version_with_its_reason_and_the_original_stays_readable(sandbox):
    box = sandbox
    card = saved(box)
    (note,) = recorded(box, Note)
    box.driver.slash(LEAD, "notes 2", CASE_CHANNEL)
    (view,) = note_views_for(box, LEAD)
    amend = next(e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert amend["action_id"] == ActionId.NOTE_AMEND
    box.driver.click(LEAD, ActionId.NOTE_AMEND, amend["value"], view=view)
    (form,) = [v for v in box.emu.open_views_for(LEAD) if v.get("callback_id") == CallbackId.AMEND]
    reply = box.driver.submit(LEAD, form, {})
    assert "why" in reply.json["errors"][Block.AMEND_REASON].lower()
    changed = {
        Block.AMEND_REASON: "Added what the school told us",
        section_block("happened"): "Weekends calmer. The school says attendance is up.",
    }
    box.driver.submit(LEAD, form, changed)
    box.driver.submit(LEAD, form, changed)  # a double submission adds one version
    versions = sorted(recorded(box, NoteVersion), key=lambda v: v.version)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].amendment_reason == "Added what the school told us"
    assert (
        versions[0].sections != versions[1].sections and versions[0].content_hash != versions[1].content_hash
    )
    assert recorded(box, Note)[0].latest_version == 2
    assert [a.detail for a in audits(box, "note.amend")] == [{"version": 2}]
    assert any("amended note 2" in t for t in thread_texts(box, card))
    box.driver.slash(LEAD, "notes 2", CASE_CHANNEL)
    current = note_views_for(box, LEAD)[-1]
    buttons = [e for b in current["blocks"] if b["type"] == "actions" for e in b["elements"]]
    earlier = next(e for e in buttons if e["value"] == f"{note.case_id}:2:1")
    box.driver.click(LEAD, earlier["action_id"], earlier["value"], view=current)  # its own action_id
    original = note_views_for(box, LEAD)[-1]
    assert "Version 1, an earlier version" in str(original["blocks"])
    assert "Weekends look calmer" in str(original["blocks"])


# ---------------------------------------------------------------- found in review


def test_an_action_owner_must_be_on_the_case(sandbox):
    box = sandbox
    discussed(box)
    view = summary_form(box, DEVELOPING)
    reply = sign(box, DEVELOPING, view, {action_block(1, "owner"): OUTSIDER})
    assert "co-workers or its manager" in reply.json["errors"][action_block(1, "owner")]
    assert recorded(box, Note) == []
    sign(box, DEVELOPING, view, {action_block(1, "owner"): MANAGER})
    assert rows(box, NoteAction)[0].owner_id == MANAGER


def test_a_long_summary_with_many_actions_still_saves_and_confirms_within_one_block(sandbox):
    box = sandbox
    card = discussed(box)
    view = summary_form(box, DEVELOPING)
    long = "Ring the school & the GP <about> attendance, and agree who tells mum what " * 2
    answers = {action_block(1, "text"): long}
    for row in range(2, 14):  # the form has rows 1 and 2; the driver fills only what is there
        answers.pop(action_block(row, "text"), None)
    answers[section_block("decisions")] = "\n".join(f"• {long} {n}" for n in range(8))
    sign(box, DEVELOPING, view, answers)
    assert len(recorded(box, Note)) == 1
    (saved,) = [t for t in thread_texts(box, card) if "saved the summary" in t]
    assert len(saved) <= 3000 and "more in the note" in saved


def test_a_confirmation_that_cannot_be_posted_keeps_no_case_text_in_the_outbox(sandbox):
    box = sandbox
    discussed(box)
    box.emu.inject_error("chat.postMessage", "is_archived", channel=CASE_CHANNEL)
    sign(box, DEVELOPING, summary_form(box, DEVELOPING), {})
    dead = [r for r in rows(box, OutboxMessage) if r.status == OutboxStatus.DEAD]
    assert dead and all("text" not in r.payload and "blocks" not in r.payload for r in dead)
    assert not any("keep the weekend plan" in str(r.payload) for r in rows(box, OutboxMessage))


def test_an_amendment_refused_as_stale_is_refused_again_rather_than_closed_as_saved(sandbox):
    box = sandbox
    saved(box)
    (note,) = recorded(box, Note)
    forms = []
    for who in (LEAD, MANAGER):
        box.driver.click(
            who, ActionId.NOTE_AMEND, f"{note.case_id}:2", message=EPHEMERAL, channel_id=CASE_CHANNEL
        )
        forms.append(next(v for v in box.emu.open_views_for(who) if v.get("callback_id") == CallbackId.AMEND))
    lead_form, manager_form = forms
    box.driver.submit(
        LEAD, lead_form, {Block.AMEND_REASON: "Typo", section_block("happened"): "Calmer weekends."}
    )
    change = {
        Block.AMEND_REASON: "Add the GP's view",
        section_block("happened"): "GP agrees weekends calmer.",
    }
    reply = box.driver.submit(MANAGER, manager_form, change)
    assert "at the same moment" in reply.json["errors"][Block.AMEND_REASON]
    again = box.driver.submit(MANAGER, manager_form, change)  # told again, never closed as if saved
    assert "at the same moment" in again.json["errors"][Block.AMEND_REASON]
    assert [v.version for v in recorded(box, NoteVersion)] == [1, 2]


def test_the_note_lists_everyone_who_took_part_as_the_draft_did(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card)
    say(box, card, MANAGER, "From supervision: the plan was agreed with the family.")
    click(box, LEAD, WRAP, current(box, card))
    sign(box, LEAD, summary_form(box, LEAD), {})
    (version,) = recorded(box, NoteVersion)
    assert MANAGER in version.participants and LEAD in version.participants


# ------------------------------------------------------- what sign-off needs (issue 22 item 4)
def test_sign_off_is_refused_without_the_childs_voice_or_with_a_placeholder_left(sandbox):
    box = sandbox
    card = discussed(box)
    view = summary_form(box, DEVELOPING)
    decisions = block(view, section_block("decisions"))["element"]["initial_value"]
    assert "decided by: …)" in decisions
    assert not block(view, section_block("childs_voice"))["optional"]

    errors = box.driver.submit(DEVELOPING, view, {}).json["errors"]
    assert "Not seen since" in errors[section_block("childs_voice")]
    assert errors[section_block("decisions")].startswith('Fill in or take out "decided by: …"')
    assert recorded(box, Note) == []

    sign(box, DEVELOPING, view, {section_block("decisions"): decisions.replace("…", "Alex and Sam")})
    (version,) = recorded(box, NoteVersion)
    texts = {s["key"]: s["text"] for s in version.sections}
    assert texts["childs_voice"] == CHILD
    assert "decided by: Alex and Sam)" in texts["decisions"] and ": …" not in str(version.sections)
    (said,) = [t for t in thread_texts(box, card) if "saved the summary" in t]
    # the action's owner and date are said once, in their own words, not again inside its text
    assert f"• ask school about attendance (<@{DEVELOPING}>, by Fri 4 Dec 2026)" in said


def test_told_shared_and_names_are_kept_as_the_record_needs_them(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card, focus="What does the family need from us?")
    say(box, card, DEVELOPING, "I saw mum at home on Monday; the house was calm.")
    say(box, card, LEAD, "Told: we told mum the plan is reviewed in four weeks")
    say(
        box,
        card,
        DEVELOPING,
        "Shared: attendance worries with the school, so they can plan support, consent given, "
        f"decided by <@{MANAGER}>",
    )
    say(box, card, LEAD, "Shared: the plan with the health visitor")
    click(box, LEAD, WRAP, current(box, card))
    view = summary_form(box, LEAD)
    told = block(view, section_block("told"))["element"]["initial_value"]
    assert told.startswith("• we told mum the plan is reviewed in four weeks (told by @")
    assert block(view, sharing_block(1, "with_whom"))["element"]["initial_value"] == "the school"
    assert block(view, sharing_block(1, "consent"))["element"]["initial_option"]["value"] == "given"
    assert block(view, sharing_block(2, "what"))["element"]["initial_value"] == "the plan"

    errors = sign(box, LEAD, view, {}).json["errors"]
    assert set(errors) == {sharing_block(2, p) for p in ("why", "basis", "consent", "decided_by")}
    assert "consent was given, not sought or overridden" in errors[sharing_block(2, "consent")]

    filled = {
        sharing_block(2, "why"): "to arrange the joint visit",
        sharing_block(2, "basis"): "consent",
        sharing_block(2, "consent"): "given",
        sharing_block(2, "decided_by"): "Alex and Sam",
    }
    sign(box, LEAD, view, filled)
    (version,) = recorded(box, NoteVersion)
    people, *rest = version.sections
    assert people["key"] == "people"
    assert [(e["id"], e["role"]) for e in people["entries"]] == [
        (LEAD, "lead worker"),
        (DEVELOPING, "co-worker"),
    ]
    assert all(e["name"] and e["name"] != e["id"] for e in people["entries"])
    (sharing,) = [r for r in rest if r["key"] == "sharing"]
    assert [e["with_whom"] for e in sharing["entries"]] == ["the school", "the health visitor"]
    assert sharing["entries"][1]["consent"] == "given" and sharing["entries"][0]["decided_by"].startswith("@")
    assert any(r["key"] == "told" for r in rest)

    # an amendment keeps who took part and the sharing decisions as signed
    box.driver.slash(LEAD, "notes 2", CASE_CHANNEL)
    (note_view,) = note_views_for(box, LEAD)
    amend = next(e for b in note_view["blocks"] if b["type"] == "actions" for e in b["elements"])
    box.driver.click(LEAD, ActionId.NOTE_AMEND, amend["value"], view=note_view)
    (form,) = [v for v in box.emu.open_views_for(LEAD) if v.get("callback_id") == CallbackId.AMEND]
    changed = {
        Block.AMEND_REASON: "Added the visit",
        section_block("happened"): "Home visit on Monday; calm.",
    }
    box.driver.submit(LEAD, form, changed)
    first, second = sorted(recorded(box, NoteVersion), key=lambda v: v.version)
    assert second.sections[0] == first.sections[0]
    assert [r for r in second.sections if r["key"] == "sharing"] == [sharing]


def test_a_management_note_names_its_people_and_shows_no_made_up_sharing_line(sandbox):
    box = sandbox
    open_case(box)  # the agreement's decision is note 1
    box.driver.slash(MANAGER, "notes 1", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    (view,) = note_views_for(box, MANAGER)
    shown = str(view["blocks"])
    assert f"<@{MANAGER}>, manager" in shown, "a mention, which Slack shows as the name"
    assert f"'{MANAGER}, manager" not in shown and f"n{MANAGER}, manager" not in shown
    assert "(not said)" not in shown and "Co-working agreement: version 1" in shown


def test_naming_the_people_on_the_form_waits_for_no_write_lock(sandbox, monkeypatch):
    """The form's names come from users.info, a Slack call per person: asked while the transaction that
    read the discussion held SQLite's one write lock, it kept every ack that stores something waiting."""
    from bot.kernel import people
    from tests.write_lock import calls_holding_the_write_lock

    asked = calls_holding_the_write_lock(monkeypatch, sandbox, people, "display_names")
    discussed(sandbox)
    assert asked and not any(asked)
    assert summary_form(sandbox, DEVELOPING)
