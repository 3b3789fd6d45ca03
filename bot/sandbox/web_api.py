"""Slack's Web API semantics over the workspace, one area per module (messages, conversations and
users, views, files), composed into WebApi with the table of methods."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.sandbox.api_base import WORKSPACE_URL
from bot.sandbox.api_conversations import ConversationsApi
from bot.sandbox.api_errors import ApiError
from bot.sandbox.api_files import FilesApi
from bot.sandbox.api_messages import MessagesApi
from bot.sandbox.api_views import TRIGGER_TTL, ViewsApi
from bot.sandbox.scopes import manifest_scopes
from bot.sandbox.workspace import Json

SOCKET_MODE_URL = "wss://emulator.invalid/link"  # Socket Mode is driven in-process, not over a websocket


class WebApi(MessagesApi, ConversationsApi, ViewsApi, FilesApi):
    """Slack's Web API semantics over the workspace: one handler per method, no HTTP.

    Handlers take decoded params, run under the workspace lock, and return the response without
    "ok" or raise ApiError. SlackEmulator adds the transport, auth, recording and faults on top;
    this layer knows nothing of them.
    """

    def __init__(self, **identity: str) -> None:
        super().__init__(**identity)
        self._uploads: dict[str, Json] = {}  # file_id -> {filename, length, content} until completed
        # What the installed app's bot token may do: exactly the manifest's scopes (tests may narrow it).
        self.scopes: set[str] = set(manifest_scopes())
        self.trigger_ttl = TRIGGER_TTL
        # Slack's posting rate per channel; a test about something else may switch it off. `clock` is
        # Slack's sense of time for it (seconds); the sandbox shares its ManualClock so the two agree.
        self.rate_limits = True
        self.clock: Callable[[], float] = time.monotonic
        self._post_buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, at monotonic)
        self.methods: dict[str, Callable[[Json], Json]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.delete": self._chat_delete,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "reactions.add": self._reactions_add,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.delete": self._files_delete,
        }

    def _api_test(self, p: Json) -> Json:
        if p.get("error"):
            raise ApiError(str(p["error"]))
        return {"args": p}

    def _auth_test(self, p: Json) -> Json:
        return {
            "url": f"{WORKSPACE_URL}/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, p: Json) -> Json:
        return {"url": SOCKET_MODE_URL}
