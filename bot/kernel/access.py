"""Finding the case a command means, and checking that the person may take part in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.ids import ActionId
from bot.kernel import closed_cases, people
from bot.kernel import rules_permissions as permissions
from bot.kernel.rules_text import slack_escape
from bot.kernel.zones import today_for
from storage import discussions as store
from storage import note_admin
from storage import repository as repo
from storage.models import Case, CoverApproval, Leave, OutboxKind, Person

GONE = "I can't find that discussion any more."
NOT_ALLOWED = "Only the case's co-workers, its manager and anyone covering for them can do that."


@dataclass(frozen=True)
class Found:
    case: Case | None
    rest: tuple[str, ...]  # the words that were not the case reference
    problem: str | None = None


closed_line = closed_cases.closed_line  # what anything touching a closed case answers


def case_for_command(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    words: Sequence[str],
    usage: str,
    closed: bool = False,
) -> Found:
    """The case named by a reference among `words`, or the channel's only open case. A reference whose
    only cases are closed answers the closed line, or (`closed=True`: reading its notes) the newest of
    them; then each word `earlier` steps back to the closed case the reference was used for before."""
    for index, word in enumerate(words):
        for candidate in dict.fromkeys((word, word.upper())):
            case = repo.open_case_with_reference(session, team_id=team_id, reference=candidate)
            rest = tuple(words[:index]) + tuple(words[index + 1 :])
            if case is None:
                case = next(
                    iter(note_admin.cases_with_reference(session, reference=candidate, team_id=team_id)), None
                )
                if case is not None and not closed:
                    return Found(None, rest, closed_line(case.reference))
            if case is not None:
                return _earlier(session, case, rest) if closed else Found(case, rest)
    here = store.open_cases_in_channel(session, team_id=team_id, channel_id=channel_id)
    if not here:
        ended = closed_cases.in_channel(session, team_id=team_id, channel_id=channel_id)
        if ended and not closed:
            return Found(None, tuple(words), closed_line(ended[-1].reference))
        here = ended[-1:] if closed else []
    if len(here) == 1:
        return _earlier(session, here[0], tuple(words)) if closed else Found(here[0], tuple(words))
    if not here:
        return Found(None, tuple(words), f"There is no open case in this channel. {usage}")
    several = f"This channel has {len(here)} open cases: add the case reference. {usage}"
    return Found(None, tuple(words), several)


def _earlier(session: Session, case: Case, words: tuple[str, ...]) -> Found:
    return Found(*closed_cases.earlier(session, case, words))


def may_take_part(deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime) -> bool:
    """Members, the manager, admins, and anyone covering a member's leave."""
    who = people.actor(
        session, deps.settings, team_id=case.team_id, user_id=user_id, person=_on_case(case, user_id)
    )
    member_ids = [m.person.slack_user_id for m in case.members]
    manager_id = case.manager.slack_user_id

    def allowed(covering_for: Sequence[str]) -> bool:
        return permissions.can_act_on_reminder(
            who, member_ids=member_ids, manager_id=manager_id, covering_for=covering_for
        )

    # Leave is looked up only for someone not on the case: every thread reply passes through here.
    return allowed(()) or allowed(
        repo.covered_by(
            session, cover_slack_user_id=user_id, team_id=case.team_id, day=today_for(deps, None, now)
        )
    )


def _on_case(case: Case, user_id: str) -> Person | None:
    """The member or manager with this Slack id, already loaded with the case (no query), if any."""
    for person in [m.person for m in case.members] + [case.manager]:
        if person.slack_user_id == user_id:
            return person
    return None


def known_person(session: Session, case: Case, user_id: str) -> Person | None:
    """A person by Slack id: from the case when on it (every thread reply asks), else from the store."""
    return _on_case(case, user_id) or repo.get_person(session, team_id=case.team_id, slack_user_id=user_id)


COVER_ASKED = (
    "You're covering on case {reference} for reminders and follow-ups. Reading its notes, exporting or "
    "amending them while you cover needs {manager}'s approval: I've asked them, and you can once they "
    "approve (until the leave ends)."
)
COVER_WAITING = "{manager} hasn't approved this yet: you can read case {reference}'s notes once they do."


def may_read_record(deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime) -> bool:
    """Reading, exporting or amending the case's notes: members, the manager and admins; a cover only with
    the manager's approval for that leave and this case (so it ends with the leave)."""
    who = people.actor(session, deps.settings, team_id=case.team_id, user_id=user_id)
    member_ids = [m.person.slack_user_id for m in case.members]
    if permissions.can_view_case(who, member_ids=member_ids, manager_id=case.manager.slack_user_id):
        return True
    covering = _covering(deps, session, case, user_id=user_id, now=now)
    return any((found := _approval(session, leave, case)) and found.approved_at for leave in covering)


def refuse_record(
    deps: Deps, session: Session, case: Case, *, user_id: str, action: str, now: datetime
) -> str:
    """Audit the refusal; a cover is told the manager's approval is needed, and the manager is asked
    (once per leave and case) by a DM with an Approve button."""
    covering = _covering(deps, session, case, user_id=user_id, now=now)
    if not covering:
        return deny(session, case, user_id=user_id, action=action, now=now)
    record(session, case, user_id=user_id, action=action, now=now, outcome="needs_approval")
    manager = case.manager.slack_user_id
    leave = covering[0]
    words = {"reference": slack_escape(case.reference), "manager": f"<@{manager}>"}
    if _approval(session, leave, case) is not None:
        return COVER_WAITING.format(**words)
    session.add(CoverApproval(team_id=case.team_id, leave_id=leave.id, case_id=case.id, requested_at=now))
    on_leave = leave.person.slack_user_id
    text = (
        f"<@{user_id}> is covering <@{on_leave}>'s leave until {leave.last_day:%d %b %Y} and asks to read "
        f"case {words['reference']}'s notes (read, export, amend). Covers get reminders and follow-ups "
        "without approval; the notes only if you approve, until the leave ends."
    )
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Approve until the leave ends"},
        "action_id": ActionId.COVER_APPROVE,
        "value": f"{leave.id}:{case.id}",
        "style": "primary",
    }
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": [button]},
    ]
    repo.enqueue(
        session,
        team_id=case.team_id,
        kind=OutboxKind.DM,
        payload={"user_id": manager, "text": text, "blocks": blocks},
        now=now,
        case_id=case.id,
    )
    return COVER_ASKED.format(**words)


def _covering(deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime) -> list[Leave]:
    """This person's cover spans, today, of the case's co-workers."""
    day = today_for(deps, None, now)
    member_ids = {m.person_id for m in case.members}
    cover = repo.get_person(session, team_id=case.team_id, slack_user_id=user_id)
    if cover is None:
        return []
    spans = session.scalars(
        select(Leave).where(Leave.cover_id == cover.id, Leave.first_day <= day, Leave.last_day >= day)
    )
    return [span for span in spans if span.person_id in member_ids]


def _approval(session: Session, leave: Leave, case: Case) -> CoverApproval | None:
    return session.scalar(
        select(CoverApproval).where(CoverApproval.leave_id == leave.id, CoverApproval.case_id == case.id)
    )


def approve_cover(session: Session, *, team_id: str, manager_id: str, value: str, now: datetime) -> str:
    """The manager's Approve button: the approval, if the clicker is still that case's manager."""
    leave_id, _, case_id = value.partition(":")
    found = (
        session.scalar(
            select(CoverApproval).where(
                CoverApproval.leave_id == int(leave_id),
                CoverApproval.case_id == int(case_id),
                CoverApproval.team_id == team_id,
            )
        )
        if leave_id.isdigit() and case_id.isdigit()
        else None
    )
    case = repo.load_case(session, case_id=found.case_id) if found else None
    if found is None or case is None or case.manager.slack_user_id != manager_id:
        repo.add_audit(
            session, team_id=team_id, now=now, actor=manager_id, action="cover.approve", outcome="denied"
        )
        return "Only the case's manager can approve this, and only while the leave lasts."
    manager = session.scalar(select(Person).where(Person.id == case.manager_id))
    found.approved_by_id, found.approved_at = (manager.id if manager else None), now
    record(
        session,
        case,
        user_id=manager_id,
        action="cover.approve",
        now=now,
        detail={"leave_id": found.leave_id},
    )
    return f"Approved: the cover can read case {slack_escape(case.reference)}'s notes until the leave ends."


def deny(
    session: Session,
    case: Case,
    *,
    user_id: str,
    action: str,
    now: datetime,
    object_type: str = "case",
    object_id: int | None = None,
) -> str:
    """Audit a refusal and return what to tell the person."""
    record(
        session,
        case,
        user_id=user_id,
        action=action,
        now=now,
        object_type=object_type,
        object_id=object_id,
        outcome="denied",
    )
    return NOT_ALLOWED


def audit(
    session: Session,
    case: Case,
    user_id: str,
    action: str,
    discussion_id: int | None,
    now: datetime,
    detail: dict,
) -> None:
    record(
        session,
        case,
        user_id=user_id,
        action=action,
        now=now,
        object_type="discussion" if discussion_id else "case",
        object_id=discussion_id or None,
        detail=detail,
    )


def record(
    session: Session,
    case: Case,
    *,
    user_id: str | None,
    action: str,
    now: datetime,
    object_type: str = "case",
    object_id: int | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit what someone (None: casebot itself) did, or was refused, on a case or a thing in it (the
    case itself when no object_id is given): ids only, in the workspace's hash-chained trail. Every
    case-scoped audit goes through here; workspace-level ones (roles, leave, installation, the outbox's
    own rows) call storage's add_audit directly, having no case."""
    repo.add_audit(
        session,
        team_id=case.team_id,
        now=now,
        actor=user_id,
        action=action,
        object_type=object_type,
        object_id=object_id if object_id is not None else case.id,
        outcome=outcome,
        detail=detail,
    )
