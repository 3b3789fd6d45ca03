"""Saving a change of the agreement, inside the caller's transaction.

A new agreement row (append-only: the old versions stay as they were), the co-workers as the new
version names them (whoever leaves loses access at once: access follows membership), the open actions
of those who leave given to the person the manager chose, the plan re-made from the new cadence, the
decision as a management decision note, an audit entry, a line in the thread, and the new version
posted for every co-worker to confirm again (the card counts confirmations of the latest version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import rules_change as rules
from bot.cases.flows_versions import agreement_row
from bot.cases.rules_agreements import AgreementForm
from bot.deps import Deps
from bot.kernel import access, decisions, people, thread
from bot.reminders import flows_schedule as schedule
from storage import repository as repo
from storage.models import (
    ActionStatus,
    CapturedItem,
    Case,
    CaseMember,
    Experience,
    MemberRole,
    NoteAction,
    OutboxKind,
)
from storage.vocabulary import CaptureKind


@dataclass(frozen=True)
class Change:
    reason: str
    reassign_to: str | None
    moved: rules.Moves
    what: Sequence[str]
    version: int  # the new version's number


def save(
    deps: Deps,
    session: Session,
    case: Case,
    form: AgreementForm,
    change: Change,
    *,
    user_id: str,
    zones: dict[str, str | None],
    now: datetime,
) -> None:
    people.remember_time_zones(session, team_id=case.team_id, zones=zones, now=now)
    changer = repo.ensure_person(session, team_id=case.team_id, slack_user_id=user_id)
    agreement = agreement_row(
        form,
        team_id=case.team_id,
        case_id=case.id,
        version=change.version,
        created_by_id=changer.id,
        reason=change.reason,
        now=now,
    )
    session.add(agreement)
    _members(session, case, form, change.moved)
    session.flush()
    session.expire(case)
    fresh = repo.load_case(session, case_id=case.id)
    assert fresh is not None
    case = fresh
    reassigned = _reassign(session, case, change.moved.leaving, change.reassign_to)
    schedule.replan(deps, session, case, agreement, now)
    access.record(
        session,
        case,
        user_id=user_id,
        action="agreement.change",
        now=now,
        object_type="agreement",
        object_id=agreement.id,
        detail={
            "version": change.version,
            "changed": list(change.what),
            "leaving": list(change.moved.leaving),
            "joining": list(change.moved.joining),
            "reassigned": reassigned,
            "reassigned_to": change.reassign_to if reassigned else None,
        },
    )
    for leaver in change.moved.leaving:
        access.record(
            session, case, user_id=user_id, action="case.member.remove", now=now, detail={"member": leaver}
        )
    for joiner in change.moved.joining:
        access.record(
            session, case, user_id=user_id, action="case.member.add", now=now, detail={"member": joiner}
        )
    to = change.reassign_to if reassigned else None
    decision = decisions.Decision(
        kind="agreement",
        outcome=f"version {change.version}",
        participants=rules.parties(user_id, form),
        sections=rules.note_sections(
            form,
            version=change.version,
            reason=change.reason,
            what_changed=change.what,
            moved=change.moved,
            reassigned_to=to,
        ),
    )
    decisions.record(deps, session, case, decision, user_id=user_id, now=now)
    summary = rules.summary(
        version=change.version, what_changed=change.what, moved=change.moved, reassigned_to=to
    )
    thread.note(session, case, summary, now)
    repo.enqueue_card_update(session, case=case, now=now)
    repo.enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.POST_AGREEMENT,
        payload={"case_id": case.id, "agreement_id": agreement.id},
        now=now,
    )


def _members(session: Session, case: Case, form: AgreementForm, moved: rules.Moves) -> None:
    """The case's co-workers as the new version names them: leavers' rows go, joiners' are added."""
    by_user = {m.person.slack_user_id: m for m in case.members}
    for leaver in moved.leaving:
        session.delete(by_user[leaver])
    for user_id in form.coworkers:
        member = by_user.get(user_id)
        if member is None:
            person = repo.ensure_person(session, team_id=case.team_id, slack_user_id=user_id)
            member = CaseMember(team_id=case.team_id, case_id=case.id, person_id=person.id)
            session.add(member)
        member.role = MemberRole.LEAD if user_id == form.lead else MemberRole.CO_WORKER
        member.experience = Experience.DEVELOPING if user_id in form.developing else Experience.EXPERIENCED


def _reassign(session: Session, case: Case, leaving: Sequence[str], to: str | None) -> int:
    """Give the leavers' open actions (agreed in notes, or marked in a discussion) to `to`: how many."""
    if not leaving or to is None:
        return 0
    moved = 0
    for action in session.scalars(
        select(NoteAction).where(
            NoteAction.case_id == case.id,
            NoteAction.owner_id.in_(leaving),
            NoteAction.status.in_((ActionStatus.OPEN, ActionStatus.CANNOT)),
        )
    ):
        action.owner_id = to
        moved += 1
    for item in session.scalars(
        select(CapturedItem).where(
            CapturedItem.case_id == case.id,
            CapturedItem.kind == CaptureKind.ACTION,
            CapturedItem.withdrawn_at.is_(None),
        )
    ):
        owners = list(item.owner_ids or [])
        if any(u in leaving for u in owners):
            item.owner_ids = list(dict.fromkeys(to if u in leaving else u for u in owners))
    return moved
