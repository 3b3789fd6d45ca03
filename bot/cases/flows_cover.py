"""A case manager approves a cover reading the case's notes (the DM's button; see kernel.access)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.kernel import access


def approve(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> None:
    manager = body["user"]["id"]
    with deps.sessions.begin() as session:
        said = access.approve_cover(
            session, team_id=body["team"]["id"], manager_id=manager, value=value, now=deps.clock()
        )
    client.chat_postMessage(channel=manager, text=said, unfurl_links=False, unfurl_media=False)
