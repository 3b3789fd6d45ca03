"""Finding the case a command means, and checking that the person may take part in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel import people
from bot.kernel import rules_permissions as permissions
from bot.kernel.zones import today_for
from storage import discussions as store
from storage import repository as repo
from storage.models import Case

GONE = "I can't find that discussion any more."
NOT_ALLOWED = "Only the case's co-workers, its manager and anyone covering for them can do that."


@dataclass(frozen=True)
class Found:
    case: Case | None
    rest: tuple[str, ...]  # the words that were not the case reference
    problem: str | None = None


def case_for_command(
    session: Session, *, team_id: str, channel_id: str, words: Sequence[str], usage: str
) -> Found:
    """The case named by a reference among `words`, or the channel's only open case."""
    for index, word in enumerate(words):
        for candidate in dict.fromkeys((word, word.upper())):
            case = repo.open_case_with_reference(session, team_id=team_id, reference=candidate)
            if case is not None:
                return Found(case, tuple(words[:index]) + tuple(words[index + 1 :]))
    here = store.open_cases_in_channel(session, team_id=team_id, channel_id=channel_id)
    if len(here) == 1:
        return Found(here[0], tuple(words))
    if not here:
        return Found(None, tuple(words), f"There is no open case in this channel. {usage}")
    several = f"This channel has {len(here)} open cases: add the case reference. {usage}"
    return Found(None, tuple(words), several)


def may_take_part(deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime) -> bool:
    """Members, the manager, admins, and anyone covering a member's leave."""
    who = people.actor(session, deps.settings, team_id=case.team_id, user_id=user_id)
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
