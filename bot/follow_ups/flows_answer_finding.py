"""Finding the action a follow-up button or modal names, and checking it may be answered: by this person
(`follow_ups.rules.can_answer`, refusals audited), in this round, while it is open and its case too."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.follow_ups import flows_sweep as follow_ups
from bot.follow_ups import rules
from bot.kernel import access, zones
from storage import repository as repo
from storage.models import ActionStatus, Case, CaseStatus, NoteAction

STALE = (
    "That action has already been dealt with (done, given a new date or handed back). "
    "The latest is in the case thread."
)
GONE = "I can't find that action any more."
CLOSED = "That case is closed, so its actions are no longer followed up."


def parse(value: str) -> tuple[int, int] | None:
    action_id, _, round_text = value.partition(":")
    return (int(action_id), int(round_text)) if action_id.isdigit() and round_text.isdigit() else None


def find(
    deps: Deps, session: Session, team_id: str, user_id: str, action_id: int, how: str, now: datetime
) -> tuple[Case, NoteAction] | str:
    """The action and its case, or what to tell someone who may not answer it (audited)."""
    action = session.get(NoteAction, action_id)
    case = repo.load_case(session, case_id=action.case_id) if action else None
    if action is None or case is None or case.team_id != team_id or not action.owner_id or not action.due:
        return GONE  # (only actions with an owner and a due date are followed up)
    covering = repo.covered_by(
        session, cover_slack_user_id=user_id, team_id=team_id, day=zones.today_for(deps, None, now)
    )
    takes_part = access.may_take_part(deps, session, case, user_id=user_id, now=now)
    if not rules.can_answer(user_id, owner_id=action.owner_id, takes_part=takes_part, covering_for=covering):
        return access.deny(
            session,
            case,
            user_id=user_id,
            action=f"action.{how}",
            now=now,
            object_type="note_action",
            object_id=action.id,
        )
    return case, action


def closed(case: Case, action: NoteAction, round_number: int) -> str | None:
    if action.round != round_number or action.status != ActionStatus.OPEN:
        return STALE
    return CLOSED if case.status != CaseStatus.OPEN else None


def still_open(
    deps: Deps, session: Session, team_id: str, user_id: str, value: str, how: str, now: datetime
) -> tuple[Case, NoteAction] | str:
    """The action a button's "action_id:round" names, if this person may answer it and it is still open
    in that round; otherwise what to tell them."""
    parsed = parse(value)
    if parsed is None:
        return STALE
    found = find(deps, session, team_id, user_id, parsed[0], how, now)
    if isinstance(found, str):
        return found
    return closed(*found, parsed[1]) or found


def owner_today(deps: Deps, session: Session, action: NoteAction, now: datetime) -> date:
    return now.astimezone(follow_ups.owner_calendar(deps, session, action).tz).date()
