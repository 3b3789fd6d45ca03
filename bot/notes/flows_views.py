"""Reading and amending notes: `/case notes [REF] [N]`, *Show*, earlier versions, and *Amend*.

Signed-off notes are never changed in place: an amendment is a new version with its reason and its own
content hash, and every earlier version stays readable. Members, the manager, admins and cover may read
and amend; every list, view and amendment is audited (ids only), and so is every refusal.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.ids import Block
from bot.kernel import access, thread
from bot.notes import blocks_views as blocks
from bot.notes import flows_draft as summary_draft
from bot.notes import rules_drafting as drafting
from bot.notes import rules_signoff as signoff
from bot.notes.blocks import Submitted, read_summary, section_block
from bot.notes.flows_checks import findings, kept, unconfirmed_errors
from bot.notes.flows_export import frameworks as _frameworks
from bot.notes.flows_management import may_manage
from bot.notes.flows_save import signed_version
from bot.notes.rules import DECISION, MANAGEMENT, PEOPLE, NoteRecord, SectionText, VersionRecord
from storage import differences as open_ones
from storage import notes as note_store
from storage import repository as repo
from storage.models import Case, Note, NoteType

USAGE_NOTES = "Use `/case notes [REF]` to list a case's notes, or `/case notes [REF] 3` to read note 3."
NOT_FOUND = "I can't find that note."
CHANGED = "Someone amended this note at the same moment. Close this form and open the note again."


def from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    now = deps.clock()
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    reply: tuple[str, list] | None = None
    view = None
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=args, usage=USAGE_NOTES, closed=True
        )
        problem, case = found.problem, found.case
        numbers = [w for w in found.rest if w.isdigit()]
        if case is not None and problem is None:
            if len(found.rest) > len(numbers) or len(numbers) > 1:
                problem = USAGE_NOTES
            elif not access.may_read_record(deps, session, case, user_id=user_id, now=now):
                action = "note.view" if numbers else "notes.list"
                problem = access.refuse_record(deps, session, case, user_id=user_id, action=action, now=now)
            elif numbers:
                view, problem = _view(deps, session, case, int(numbers[0]), None, user_id=user_id, now=now)
            else:
                records = _records(deps, session, case)
                _audit(session, case, user_id, "notes.list", case.id, now, {"notes": len(records)})
                reply = blocks.note_list(case.reference, case.id, records, **_listed_as(case))
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    elif reply is not None:
        text, message = reply
        thread.tell(client, channel_id, user_id, text, blocks=message)
    else:
        thread.tell(client, channel_id, user_id, problem or USAGE_NOTES)


def list_from_button(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> str | None:
    """*Notes* on a closed case's card: the case's notes listed privately, as `/case notes` lists them."""
    if not value.isdigit():
        return NOT_FOUND
    now, user_id = deps.clock(), body["user"]["id"]
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=int(value))
        if case is None or case.team_id != body["team"]["id"]:
            return NOT_FOUND
        if not access.may_read_record(deps, session, case, user_id=user_id, now=now):
            return access.refuse_record(deps, session, case, user_id=user_id, action="notes.list", now=now)
        records = _records(deps, session, case)
        _audit(session, case, user_id, "notes.list", case.id, now, {"notes": len(records)})
        text, message = blocks.note_list(case.reference, case.id, records, **_listed_as(case))
        channel_id = case.channel_id
    thread.tell(client, channel_id, user_id, text, blocks=message)
    return None


def show(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> str | None:
    """*Show* in the list (opens a modal) or *Version k* inside one (replaces it)."""
    case_id, number, version = (value.split(":") + ["", "", ""])[:3]
    if not case_id.isdigit() or not number.isdigit():
        return NOT_FOUND
    now = deps.clock()
    user_id = body["user"]["id"]
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=int(case_id))
        if case is None or case.team_id != body["team"]["id"]:
            return NOT_FOUND
        if not access.may_read_record(deps, session, case, user_id=user_id, now=now):
            return access.refuse_record(deps, session, case, user_id=user_id, action="note.view", now=now)
        chosen = int(version) if version.isdigit() else None
        view, problem = _view(deps, session, case, int(number), chosen, user_id=user_id, now=now)
    if view is None:
        return problem
    if body.get("view"):
        client.views_update(view_id=body["view"]["id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


def _view(
    deps: Deps, session: Session, case: Case, number: int, version: int | None, *, user_id: str, now: datetime
) -> tuple[dict | None, str | None]:
    note = note_store.note_by_number(session, case_id=case.id, number=number)
    if note is None:
        return None, f"Case {case.reference} has no note {number}. {USAGE_NOTES}"
    record = note_store.note_record(session, note, frameworks=_frameworks(deps))
    chosen = next((v for v in record.versions if v.version == (version or note.latest_version)), None)
    if chosen is None:
        return None, NOT_FOUND
    _audit(session, case, user_id, "note.view", note.id, now, {"version": chosen.version})
    found = open_ones.open_differences(session, case_id=case.id, discussion_id=note.discussion_id or 0)
    return blocks.note_modal(case.reference, case.id, record, chosen, may_amend=True, differences=found), None


def open_amend(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> str | None:
    case_id, _, number = value.partition(":")
    if not case_id.isdigit() or not number.isdigit():
        return NOT_FOUND
    now = deps.clock()
    user_id = body["user"]["id"]
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=int(case_id))
        note = note_store.note_by_number(session, case_id=int(case_id), number=int(number)) if case else None
        if case is None or note is None or case.team_id != body["team"]["id"]:
            return NOT_FOUND
        if not _may_amend(deps, session, case, note, user_id=user_id, now=now):
            return _refuse_amend(deps, session, case, note, user_id=user_id, now=now)
        record = note_store.note_record(session, note)
        sections = _editable(record)
        view = blocks.amend_modal(case.reference, case.id, record, sections)
    client.views_push(trigger_id=body["trigger_id"], view=view)
    return None


def submit_amend(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    try:
        meta = json.loads(view.get("private_metadata") or "")
        case_id, number, base = int(meta["case_id"]), int(meta["number"]), int(meta["base"])
    except (ValueError, KeyError, TypeError):
        return {Block.AMEND_REASON: "This form has expired. Close it and open the note again."}
    values = view["state"]["values"]
    reason = ((values.get(Block.AMEND_REASON) or {}).get(Block.AMEND_REASON) or {}).get("value") or ""
    reason = reason.strip()
    form = read_summary(values)
    typed = {key: summary_draft.without_prompts(text) for key, text in form.sections.items()}
    if not reason:
        return {Block.AMEND_REASON: "Say why you are amending the note: it is kept with the new version."}
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=case_id)
        note = note_store.note_by_number(session, case_id=case_id, number=number) if case else None
        if case is None or note is None or case.team_id != team_id:
            return {Block.AMEND_REASON: NOT_FOUND}
        if not _may_amend(deps, session, case, note, user_id=user_id, now=now):
            return {Block.AMEND_REASON: _refuse_amend(deps, session, case, note, user_id=user_id, now=now)}
        record = note_store.note_record(session, note)
        management = record.note_type == MANAGEMENT
        if not management and not summary_draft.without_prompts(typed.get("happened", "")):
            return {section_block("happened"): "Say what happened: what was discussed, observed or reported."}
        if not management and (problems := signoff.problems(typed)):
            return {section_block(key): problem for key, problem in problems.items()}
        if management:
            sections = _amended_management(record.current, typed)
        else:
            sections = _amended_sections(record.current, typed)
        if sections == record.current.sections:
            return {Block.AMEND_REASON: "Nothing in the note has changed. Edit a section, or press Back."}
        today = now.astimezone(summary_draft.tz_for(deps, session, case, user_id)).date()
        checked = Submitted({s.key: s.text for s in sections if s.key != PEOPLE}, (), None, form.keep)
        found = findings(checked, today, deps.settings.reference_pattern, deps.settings.holiday_country)
        if errors := unconfirmed_errors(session, team_id, view["id"], found, keep=form.keep, now=now):
            return errors
        claim = f"amend:{view['id']}"
        if repo.was_claimed(session, team_id=team_id, key=claim):
            return None  # a double submission: the first one saved it
        if note.latest_version != base:  # checked before claiming, so nothing typed is lost
            return {Block.AMEND_REASON: CHANGED}
        if not repo.claim_once(session, team_id=team_id, key=claim, kind="view", now=now):
            return None
        _add_version(session, case, note, record, sections, reason, kept(found), user_id=user_id, now=now)
    return None


def _may_amend(deps: Deps, session: Session, case: Case, note: Note, *, user_id: str, now: datetime) -> bool:
    """A discussion note: anyone taking part in the case; a management decision: its manager and admins."""
    if note.note_type == NoteType.MANAGEMENT:
        return may_manage(deps, session, case, user_id=user_id)
    return access.may_read_record(deps, session, case, user_id=user_id, now=now)  # a cover: with approval


def _refuse_amend(
    deps: Deps, session: Session, case: Case, note: Note, *, user_id: str, now: datetime
) -> str:
    """Audited; a cover amending a discussion note is told the manager's approval is needed, and the
    manager is asked, as when a cover first asks to read the notes. A management decision: its manager."""
    if note.note_type == NoteType.MANAGEMENT:
        return access.deny(session, case, user_id=user_id, action="note.amend", now=now)
    return access.refuse_record(deps, session, case, user_id=user_id, action="note.amend", now=now)


def _editable(record: NoteRecord) -> list[tuple[str, str, str]]:
    """The sections the amendment form shows: a discussion note's twelve; a management decision's own
    (not who took part nor which decision it was: those stay as signed)."""
    if record.note_type == MANAGEMENT:
        return [(s.key, s.title, s.text) for s in record.current.record_sections if s.key != DECISION]
    texts = {s.key: s.text for s in record.current.sections}
    return [(key, title, texts.get(key, "")) for key, title in drafting.SECTIONS if key != "actions"]


def _amended_management(current: VersionRecord, typed: dict[str, str]) -> tuple[SectionText, ...]:
    """A management decision's sections with the typed text; who took part and the decision unchanged."""
    return tuple(
        s if s.key in (PEOPLE, DECISION) else SectionText(s.key, s.title, typed.get(s.key, ""), s.entries)
        for s in current.sections
    )


def _amended_sections(current: VersionRecord, typed: dict[str, str]) -> tuple[SectionText, ...]:
    """The typed sections, with what the amendment form does not show carried over as signed: who took
    part, and the decisions to share information."""
    people, shared = current.section(PEOPLE), current.section("sharing")
    entries = shared.entries if shared else ()
    typed_ = tuple(
        SectionText(key, title, typed.get(key, ""), entries if key == "sharing" else ())
        for key, title in drafting.SECTIONS
        if key != "actions" and (typed.get(key) or (key == "sharing" and entries))
    )
    return ((people,) if people else ()) + typed_


def _add_version(
    session: Session,
    case: Case,
    note: Note,
    record: NoteRecord,
    sections: tuple[SectionText, ...],
    reason: str,
    kept: list[dict[str, str]],
    *,
    user_id: str,
    now: datetime,
) -> None:
    current = record.current
    version = note.latest_version + 1
    session.add(
        signed_version(
            case,
            note,
            version=version,
            user_id=user_id,
            reason=reason,
            participants=current.participants,
            sections=sections,
            actions=current.actions,
            kept=kept,
            now=now,
        )
    )
    note.latest_version = version
    _audit(session, case, user_id, "note.amend", note.id, now, {"version": version})
    thread.note(session, case, blocks.amended_text(user_id, note.number, version), now)


def _listed_as(case: Case) -> dict[str, bool]:
    return {"closed": case.status.value == "closed", "earlier": case.previous_case_id is not None}


def _records(deps: Deps, session: Session, case: Case) -> list[NoteRecord]:
    return list(note_store.case_notes(session, case, frameworks=_frameworks(deps)).notes)


def _audit(
    session: Session, case: Case, user_id: str, action: str, object_id: int, now: datetime, detail
) -> None:
    access.record(
        session,
        case,
        user_id=user_id,
        action=action,
        now=now,
        object_type="case" if action == "notes.list" else "note",
        object_id=object_id,
        detail=detail,
    )
