"""A button press: who pressed it, the message it was on, and telling them of a problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.kernel import thread


@dataclass(frozen=True)
class Clicked:
    """The message whose button was pressed, so its buttons can be replaced by what happened."""

    channel_id: str
    ts: str
    blocks: list[dict[str, Any]] | None = None  # None (after a modal): the flow re-renders them


def who(body: dict[str, Any]) -> dict[str, Any]:
    """The team and the person, as the flows take them (team_id=, user_id=)."""
    return {"team_id": body["team"]["id"], "user_id": body["user"]["id"]}


def who_clicked(body: dict[str, Any]) -> dict[str, Any]:
    """`who`, and the message the button was on (clicked=; None for a button inside a modal)."""
    message, channel = body.get("message"), (body.get("channel") or {}).get("id")
    clicked = Clicked(channel, message["ts"], message.get("blocks", [])) if message and channel else None
    return who(body) | {"clicked": clicked}


def tell_problem(client: WebClient, body: dict[str, Any], problem: str | None) -> None:
    """Tell whoever pressed what stopped it, if anything: in the channel, else by DM (a button inside a
    modal has no channel; and raising after ack() can lose the ack in bolt)."""
    if problem:
        channel = (body.get("channel") or {}).get("id") or body["user"]["id"]
        thread.tell(client, channel, body["user"]["id"], problem)
