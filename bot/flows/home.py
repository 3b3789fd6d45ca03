"""App Home: the person's own cases (later: next discussions, actions, the manager's team view)."""

from __future__ import annotations

from typing import Any

from bot.blocks.elements import header, section
from bot.deps import Deps
from bot.flows.commands import list_cases


def view_for(deps: Deps, *, team_id: str, user_id: str) -> dict[str, Any]:
    return {
        "type": "home",
        "blocks": [header("casebot"), section(list_cases(deps, team_id=team_id, user_id=user_id))],
    }
