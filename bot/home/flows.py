"""App Home: the person's own cases (later: next discussions, actions, the manager's team view)."""

from __future__ import annotations

from typing import Any

from bot.cases.blocks import home_view
from bot.cases.presenters import case_line
from bot.deps import Deps
from storage import repository as repo


def view_for(deps: Deps, *, team_id: str, user_id: str) -> dict[str, Any]:
    now = deps.clock()
    with deps.reads.begin() as session:
        found = repo.cases_for_user(session, team_id=team_id, slack_user_id=user_id)
        items = repo.open_items(session, case_ids=[case.id for case in found])
        lines = [
            case_line(case, user_id, items=[i for i in items if i.case_id == case.id], now=now)
            for case in found
        ]
    return home_view(lines)
