"""Saving a signed-off note, in ONE transaction: the note, its first version (content hash), its
actions (each planned for follow-up), any learning-evidence entry, the discussion marked recorded, a
note in the case thread and the card's update. A note recorded with no discussion (a meeting held
outside Slack) gets one, holding the occurrence due around then."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.discussions.flows import LINK_WINDOW
from bot.follow_ups import flows_sweep as follow_ups
from bot.kernel import access, thread
from bot.notes import blocks
from bot.notes import flows_draft as summary_draft
from bot.notes import flows_timeliness as timeliness
from bot.notes import rules_drafting as drafting
from bot.notes.rules import ActionText, SectionText, actions_json, content_hash, people_section, section_json
from bot.reminders import flows_schedule as schedule
from bot.reminders.flows_offline import offline_discussion
from storage import discussions as store
from storage import notes as note_store
from storage import repository as repo
from storage.models import (
    Case,
    Discussion,
    DiscussionStatus,
    Experience,
    ItemKind,
    ItemStatus,
    LearningEvidence,
    Note,
    NoteAction,
    NoteType,
    NoteVersion,
)

log = logging.getLogger("bot.notes.flows")  # as before this module was split off

# The draft's "(noted by …; decided by: …)" after a decision: the note keeps it, the thread needn't.
_NOTED_BY = re.compile(r"\s*\(noted by .*\)\s*$")


def save(
    deps: Deps,
    session: Session,
    case: Case,
    discussion: Discussion | None,
    form: blocks.Submitted,
    *,
    user_id: str,
    tz,
    kept: list[dict[str, str]],
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> Note:
    if discussion is None:
        discussion = _offline_discussion(
            deps, session, case, user_id=user_id, day=form.event_day, tz=tz, now=now
        )
    elif discussion.mode == "offline" and form.event_day is not None:
        discussion.started_at = _event_at(form.event_day, tz, now)
    actions = tuple(
        ActionText(index, row.text, row.owner_id, row.due, row.done_looks_like or None)
        for index, (_number, row) in enumerate(form.actions, start=1)
    )
    members = tuple(m.person.slack_user_id for m in case.members)
    # As the draft showed them: the members, then anyone else who replied in the discussion.
    authors = store.reply_authors(session, discussion_id=discussion.id) if discussion.mode == "slack" else []
    participants = members + tuple(a for a in authors if a not in members)
    sections = (
        people_section(participants, names or {}, summary_draft.roles_of(case)),
        *typed_sections(form),
    )
    note = Note(
        team_id=case.team_id,
        case_id=case.id,
        number=note_store.next_note_number(session, case_id=case.id),
        note_type=NoteType.DISCUSSION,
        discussion_id=discussion.id,
        event_at=discussion.started_at,
        created_at=now,
        latest_version=1,
    )
    session.add(note)
    session.flush()
    session.add(
        signed_version(
            case,
            note,
            version=1,
            user_id=user_id,
            reason=None,
            participants=participants,
            sections=sections,
            actions=actions,
            kept=kept,
            now=now,
        )
    )
    add_actions(deps, session, case, note, actions, now)
    if any(s.key == "learning" for s in sections):
        _learning_evidence(session, case, note, now)
    discussion.status, discussion.recorded_at = DiscussionStatus.RECORDED, now
    timeliness.stop(discussion, now)
    following = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.DISCUSSION)
    decisions = tuple(
        _NOTED_BY.sub("", line.removeprefix("• ")).strip()
        for s in sections
        if s.key == "decisions"
        for line in s.text.splitlines()
        if line.strip().startswith("•")
    ) or tuple(s.text for s in sections if s.key == "decisions")
    saved = blocks.SavedView(
        note.number, user_id, decisions, actions, following.due_at if following else None
    )
    thread.note(session, case, blocks.saved_text(saved), now)
    repo.enqueue_card_update(session, case=case, now=now)
    access.record(
        session,
        case,
        user_id=user_id,
        action="note.create",
        now=now,
        object_type="note",
        object_id=note.id,
        detail={"case_id": case.id, "number": note.number, "version": 1, "actions": len(actions)},
    )
    log.info("note saved", extra={"case_id": case.id, "note_id": note.id, "user_id": user_id})
    return note


def typed_sections(form: blocks.Submitted) -> tuple[SectionText, ...]:
    """The form's sections as signed: prompts taken out, empty ones left out, and the decisions to share
    information as the sharing section's entries."""
    sharing = tuple(entry for _number, entry in form.sharing)
    found = []
    for key, title in drafting.SECTIONS:
        text = summary_draft.without_prompts(form.sections.get(key, ""))
        entries = sharing if key == "sharing" else ()
        if key != "actions" and (text or entries):
            found.append(SectionText(key, title, text, entries))
    return tuple(found)


def signed_version(
    case: Case,
    note: Note,
    *,
    version: int,
    user_id: str,
    reason: str | None,
    participants: tuple[str, ...],
    sections: tuple[SectionText, ...],
    actions: tuple[ActionText, ...],
    kept: list[dict[str, str]],
    now: datetime,
) -> NoteVersion:
    """One signed-off version, with the content hash of exactly what was signed."""
    digest = content_hash(
        note_type=note.note_type.value,
        event_at=note.event_at,
        recorder_id=user_id,
        participants=participants,
        sections=sections,
        actions=actions,
        amendment_reason=reason,
    )
    return NoteVersion(
        team_id=case.team_id,
        note_id=note.id,
        version=version,
        recorded_at=now,
        recorder_id=user_id,
        amendment_reason=reason,
        participants=list(participants),
        sections=[section_json(s) for s in sections],
        actions=actions_json(actions),
        confirmations=kept,
        content_hash=digest,
    )


def _event_at(day: date | None, tz, now: datetime) -> datetime:
    """A meeting's time from its day: now if it was today, else midday that day in the recorder's zone."""
    if day is None or day >= now.astimezone(tz).date():
        return now
    return datetime.combine(day, time(12), tzinfo=tz).astimezone(now.tzinfo)


def _offline_discussion(
    deps: Deps, session: Session, case: Case, *, user_id: str, day: date | None, tz, now: datetime
) -> Discussion:
    """A meeting held outside Slack, recorded with /case record: it holds the occurrence due around then."""
    person = repo.ensure_person(session, team_id=case.team_id, slack_user_id=user_id)
    item = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.DISCUSSION)
    if item is not None and item.due_at <= now + LINK_WINDOW:
        item.status, item.held_at, item.next_check_at = ItemStatus.HELD, now, None
        schedule.plan_next(deps, session, item, now)
    else:
        item = None
    discussion = offline_discussion(case, person_id=person.id, item_id=item.id if item else None, now=now)
    discussion.started_at = _event_at(day, tz, now)
    session.add(discussion)
    session.flush()
    return discussion


def _learning_evidence(session: Session, case: Case, note: Note, now: datetime) -> None:
    """An entry on each developing worker's supervision record: the case reference, nothing else."""
    for member in case.members:
        if member.experience == Experience.DEVELOPING:
            session.add(
                LearningEvidence(
                    team_id=case.team_id,
                    person_id=member.person_id,
                    case_reference=case.reference,
                    note_id=note.id,
                    recorded_at=now,
                )
            )


def add_actions(
    deps: Deps, session: Session, case: Case, note: Note, actions: Sequence[ActionText], now: datetime
) -> None:
    """The note's agreed actions, each planned for follow-up like any other (discussion or management
    decision note alike)."""
    for action in actions:
        row = NoteAction(
            team_id=case.team_id,
            case_id=case.id,
            note_id=note.id,
            number=action.number,
            text=action.text,
            owner_id=action.owner_id,
            due=action.due,
            done_looks_like=action.done_looks_like,
            created_at=now,
        )
        session.add(row)
        session.flush()
        follow_ups.plan_action(deps, session, row, now)
