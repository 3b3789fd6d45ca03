"""`/case overdue`: a manager's drift signals across their cases, or a member's own overdue items."""

from __future__ import annotations

from bot.deps import Deps
from bot.drift import flows as drift
from bot.drift.blocks import overdue_text
from bot.drift.rules import CaseDrift
from storage import repository as repo
from storage.models import Role


def overdue(deps: Deps, *, team_id: str, user_id: str) -> str:
    now = deps.clock()
    with deps.reads.begin() as session:
        person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
        if person is None:
            return overdue_text([], user_id=user_id, manager=False)
        manager = person.role in (Role.MANAGER, Role.ADMIN)
        cases = drift.cases_for(session, team_id=team_id, person=person, managed=manager)
        found: list[CaseDrift] = drift.drift_for(
            session,
            cases,
            now=now,
            thresholds=drift.thresholds(deps),
            default_tz=deps.settings.default_timezone,
        )
    return overdue_text(found, user_id=user_id, manager=manager)
