"""Writing a management decision note, inside the caller's transaction.

Supervision check-ins, reviews (and, later, the agreement's changes and closing) record what the
manager decided as a note of type "Management decision" in the case-note store, with the same
guarantees as a discussion note: a numbered note, an append-only signed version with its content hash,
the actions planned for follow-up like any other, and an audit entry. Amendment, `/case notes` and the
exports read it like every other note. The caller owns the transaction and says what goes in: the
decision's kind and outcome become the note's first section after who took part.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel import access, people
from bot.kernel.decisions import Decision
from bot.notes.flows_draft import roles_of
from bot.notes.flows_save import add_actions, signed_version
from bot.notes.rules import DECISION, ActionText, SectionText, people_section
from storage import notes as note_store
from storage.models import Case, Note, NoteType

log = logging.getLogger("bot.notes.flows")

DECISION_TITLE = "Decision"
KIND_WORDS = {
    "supervision": "Joint supervision check-in",
    "review": "Review of the co-working arrangement",
    "agreement": "Co-working agreement",
}


def may_manage(deps: Deps, session: Session, case: Case, *, user_id: str) -> bool:
    """Only the case's manager and admins record, or amend, a management decision."""
    who = people.actor(session, deps.settings, team_id=case.team_id, user_id=user_id)
    return who.is_admin or user_id == case.manager.slack_user_id


MANAGERS_ONLY = "Only the case's manager (or an admin) can do that."


def decision_section(kind: str, outcome: str | None) -> SectionText:
    """Which decision this note records: its kind and (for a review) continue, change or end."""
    words = KIND_WORDS.get(kind, kind.capitalize())
    text = f"{words}: {outcome}" if outcome else words
    entry = {"kind": kind, "outcome": outcome or ""}
    return SectionText(DECISION, DECISION_TITLE, text, (entry,))


def record_decision(
    deps: Deps,
    session: Session,
    case: Case,
    *,
    user_id: str,
    kind: str,
    outcome: str | None,
    event_at: datetime,
    participants: Sequence[str],
    sections: Sequence[SectionText],
    actions: Sequence[ActionText],
    now: datetime,
) -> Note:
    """A new management decision note, signed by `user_id`; its actions are followed up like others.

    People are kept by Slack id only: written inside the caller's transaction, the note asks Slack for
    nothing, and the exports and the note view name them as Slack does when they are read."""
    note = Note(
        team_id=case.team_id,
        case_id=case.id,
        number=note_store.next_note_number(session, case_id=case.id),
        note_type=NoteType.MANAGEMENT,
        discussion_id=None,
        event_at=event_at,
        created_at=now,
        latest_version=1,
    )
    session.add(note)
    session.flush()
    signed = (
        people_section(tuple(participants), {}, {**roles_of(case), case.manager.slack_user_id: "manager"}),
        decision_section(kind, outcome),
        *(s for s in sections if s.text or s.entries),
    )
    session.add(
        signed_version(
            case,
            note,
            version=1,
            user_id=user_id,
            reason=None,
            participants=tuple(participants),
            sections=signed,
            actions=tuple(actions),
            kept=[],
            now=now,
        )
    )
    add_actions(deps, session, case, note, actions, now)
    access.record(
        session,
        case,
        user_id=user_id,
        action="note.create",
        now=now,
        object_type="note",
        object_id=note.id,
        detail={
            "case_id": case.id,
            "number": note.number,
            "version": 1,
            "kind": kind,
            "actions": len(actions),
        },
    )
    log.info("management decision saved", extra={"case_id": case.id, "note_id": note.id, "user_id": user_id})
    return note


def from_kernel(
    deps: Deps, session: Session, case: Case, decision: Decision, user_id: str, now: datetime
) -> int:
    """The agreement's decisions (bot/kernel/decisions.py, wired by the shell): the note's number."""
    note = record_decision(
        deps,
        session,
        case,
        user_id=user_id,
        kind=decision.kind,
        outcome=decision.outcome,
        event_at=now,
        participants=decision.participants,
        sections=[SectionText(key, heading, text) for key, heading, text in decision.sections],
        actions=(),
        now=now,
    )
    return note.number
