"""response_url, as Slack serves it: each slash command and message interaction carries a URL that
posts an answer to the person who acted, without a token.

Slack's documented limits: a response_url can be used up to 5 times, within 30 minutes of the
interaction. `response_type` "ephemeral" (the default) shows the message to that person only, in the
channel they acted in; "in_channel" posts it for everyone there. Slack answers 200 `ok`; a URL it does
not know, or one used too often or too late, is a 404 with `invalid_token`, `used_url` or `expired_url`;
a body that is not a JSON object, or a message Slack would refuse, is a 400 with its error string.

The URLs point at the emulator (`{root_url}hooks/...`), so casebot's real HTTP client reaches them; each
POST is recorded as a call to the method "response_url", so scans of `emu.calls` see it.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.api_base import ApiBase
from bot.sandbox.api_errors import ApiError
from bot.sandbox.api_params import message_content
from bot.sandbox.workspace import Json

RESPONSE_URL_TTL = 30 * 60.0  # seconds after the interaction
RESPONSE_URL_USES = 5
HOOKS_PATH = "/hooks/"


@dataclass
class Hook:
    """One response_url: whose interaction it answers, where, and how often it has been used."""

    workspace: ResponseUrls  # whose person and channel it answers in
    kind: str  # "commands" (a slash command) or "actions" (a message interaction)
    user_id: str
    channel_id: str
    issued: float  # the workspace's clock, seconds
    uses: int = 0


class ResponseUrls(ApiBase):
    """The area SlackEmulator takes response_url from (SlackEmulator records the POSTs as calls)."""

    clock: Callable[[], float]

    def __init__(self, **identity: str) -> None:
        super().__init__(**identity)
        self._hooks: dict[str, Hook] = {}  # path -> hook
        self._responses: list[Json] = []

    def response_url_for(self, *, kind: str, user_id: str, channel_id: str) -> str:
        """A fresh response_url for an interaction by `user_id` in `channel_id`, as Slack sends one."""
        host = self._host()  # a workspace added to another emulator is served from that one's server
        path = f"hooks/{kind}/{self.team_id}/{secrets.randbelow(10**12)}/{secrets.token_hex(12)}"
        with host.lock:
            host._hooks[f"/{path}"] = Hook(self, kind, user_id, channel_id, self.clock())
        return f"{host.root_url}{path}"

    def _host(self) -> ResponseUrls:
        host = getattr(self, "slack", self)
        return host if isinstance(host, ResponseUrls) else self

    @property
    def responses(self) -> list[Json]:
        """Every message posted to a response_url and accepted, oldest first (with its url and type)."""
        with self.lock:
            return copy.deepcopy(self._responses)

    def responses_to(self, url: str) -> list[Json]:
        return [r for r in self.responses if r["response_url"] == url]

    def receive_response(self, path: str, body: bytes) -> tuple[int, str]:
        """A POST to a response_url: Slack's status and plain-text answer."""
        with self.lock:
            hook = self._hooks.get(path)
        if hook is None:
            return 404, "invalid_token"
        workspace = hook.workspace
        with workspace.lock:
            if workspace.clock() - hook.issued > RESPONSE_URL_TTL:
                return 404, "expired_url"
            if hook.uses >= RESPONSE_URL_USES:
                return 404, "used_url"
            try:
                message = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return 400, "invalid_payload"
            if not isinstance(message, dict):
                return 400, "invalid_payload"
            try:
                text, blocks = message_content(message)
            except ApiError as exc:
                return 400, exc.error
            hook.uses += 1
            kind = message.get("response_type") or "ephemeral"
            workspace._answer(hook, kind, text, blocks, message)
            workspace._responses.append(
                {
                    "response_url": f"{self.root_url}{path.lstrip('/')}",
                    "response_type": kind,
                    "user": hook.user_id,
                    "channel": hook.channel_id,
                    "text": text,
                    "blocks": blocks or [],
                    "at": time.time(),
                }
            )
        return 200, "ok"

    def _answer(self, hook: Hook, kind: str, text: str, blocks: list[Json] | None, message: Json) -> None:
        if kind == "in_channel":
            channel = self.channels[hook.channel_id]
            posted = self.bot_message(text, blocks)
            self.append_message(channel, posted, thread_ts=message.get("thread_ts") or None)
            return
        self.add_ephemeral(
            {
                "channel": hook.channel_id,
                "user": hook.user_id,
                "text": text,
                "blocks": blocks or [],
                "thread_ts": None,
                "ts": self.next_ts(),
                "via": "response_url",
            }
        )
