"""Which conversations casebot may ask Slack about.

Reading a direct message or a group DM (conversations.info, .members, .history, .replies) needs
`im:read` / `mpim:read` (or the history scopes), which casebot does not ask for: cases live in a team's
private channel, so a request from a DM is refused before any Slack call (least privilege).
"""

from __future__ import annotations

DIRECT_MESSAGE_NAME = "directmessage"  # a slash command's channel_name in a DM
GROUP_DM_PREFIX = "mpdm-"  # ... and in a group DM, whose id starts with G like an old private channel


def is_direct_message(channel_id: str, channel_name: str | None = None) -> bool:
    """A DM (`D…`) or a group DM (`mpdm-…`); old private channels also have `G…` ids, so the name decides."""
    name = channel_name or ""
    return channel_id.startswith("D") or name == DIRECT_MESSAGE_NAME or name.startswith(GROUP_DM_PREFIX)


def not_in_a_direct_message(command: str) -> str:
    return (
        f"`{command} open` works in your team's private case channel, not in a direct message. Run it there."
    )
