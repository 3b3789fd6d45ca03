"""Answers sent after the ack: a subcommand whose answer reads the database acks at once, empty, and its
answer follows on the slash command's response_url, shown to the person who typed it only.

Slack allows a response_url 5 uses within 30 minutes; casebot uses it once, straight after the ack. If
Slack refuses it (or it is not Slack's), the answer goes as an ephemeral message, or a DM, instead.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.commands.rules import response_url_allowed
from bot.deps import Deps
from bot.kernel import thread

log = logging.getLogger("casebot.commands")


def respond(deps: Deps, client: WebClient, body: dict[str, Any], text: str) -> None:
    """Post `text` to the command's response_url (ephemeral); else tell the person another way."""
    url = body.get("response_url")
    if isinstance(url, str) and response_url_allowed(url, deps.settings.slack_api_url):
        timeout = max(1, round(deps.settings.slack_timeout_seconds))
        try:
            answer = WebhookClient(url, timeout=timeout).send(text=text, response_type="ephemeral")
        except OSError as exc:
            log.warning("response_url failed: %s (team %s)", type(exc).__name__, body.get("team_id"))
        else:
            if answer.status_code == 200:
                return
            log.warning("response_url refused: status %d (team %s)", answer.status_code, body.get("team_id"))
    elif url:
        log.warning("response_url not Slack's: not used (team %s)", body.get("team_id"))
    thread.tell(client, body["channel_id"], body["user_id"], text)
