"""Which OAuth scope each Web API method needs, and the scopes casebot's manifest grants.

The emulator's bot token has exactly the manifest's bot scopes, so a call the real app could not make
fails in tests with Slack's `missing_scope`. Scopes are from each method's reference page; methods on
conversations need the scope of the conversation's kind (public, private, DM, group DM).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"

# Methods whose scope does not depend on the conversation. None: no scope needed.
SCOPES_NEEDED: dict[str, str | None] = {
    "api.test": None,
    "auth.test": None,
    "apps.connections.open": None,  # app-level token (connections:write), checked as the app token
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.delete": "chat:write",
    "chat.getPermalink": None,
    "conversations.open": "im:write",
    "users.info": "users:read",
    "users.list": "users:read",
    "views.open": None,
    "views.update": None,
    "views.push": None,
    "views.publish": None,
    "reactions.add": "reactions:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.delete": "files:write",
}

# Conversation methods: the scope family, completed by the conversation's kind.
CONVERSATION_SCOPES = {
    "conversations.info": "read",
    "conversations.members": "read",
    "conversations.history": "history",
    "conversations.replies": "history",
}
_KIND_PREFIX = {"public": "channels", "private": "groups", "im": "im", "mpim": "mpim"}


def scope_for(method: str, conversation_kind: str | None) -> str | None:
    """The scope `method` needs on a conversation of this kind (public/private/im/mpim)."""
    family = CONVERSATION_SCOPES.get(method)
    if family is None:
        return SCOPES_NEEDED.get(method)
    if conversation_kind is None:
        return None  # an unknown conversation: Slack answers channel_not_found, not missing_scope
    return f"{_KIND_PREFIX[conversation_kind]}:{family}"


@cache
def manifest_scopes(path: Path = MANIFEST) -> frozenset[str]:
    """The bot scopes manifest.yml asks for: what an installed casebot's token carries."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])
