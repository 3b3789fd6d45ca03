"""Escaping for user-supplied text shown in Slack.

Slack treats ``<...>`` as control sequences (``<!channel>``, ``<@U123>``, links) and ``&`` as the
start of an entity; escaping these three characters keeps whatever a person typed literal.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def slack_escape(value: object) -> str:
    return str(value).translate(_ESCAPES)


def mention(user_id: str) -> str:
    """A mention of a Slack user id we trust (never build one from free text)."""
    if not re.fullmatch(r"[UW][A-Z0-9]+", user_id):
        raise ValueError("not a Slack user id")
    return f"<@{user_id}>"


def user_ids_in(text: str) -> list[str]:
    """User ids from Slack's escaped mentions, e.g. ``<@U123|sam>`` in a slash command's text."""
    return _MENTION.findall(text)


def slack_date(at: datetime, *, with_time: bool = True) -> str:
    """A Slack date token, so every reader sees the moment in their own time zone."""
    if at.tzinfo is None:
        raise ValueError("slack_date needs an aware datetime")
    fmt = "{date_short_pretty} at {time}" if with_time else "{date_short_pretty}"
    fallback = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return f"<!date^{int(at.timestamp())}^{fmt}|{fallback}>"


def channel_link(channel_id: str) -> str:
    if not re.fullmatch(r"[CGD][A-Z0-9]+", channel_id):
        raise ValueError("not a Slack channel id")
    return f"<#{channel_id}>"


def counted(n: int, word: str, plural: str | None = None) -> str:
    """'1 note', '2 notes', '0 notes'; `plural` for a word that does not take -s ('1 entry', '3 entries')."""
    return f"{n} {word if n == 1 else plural or word + 's'}"
