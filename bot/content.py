"""Loads prompts/ once: jinja2 templates for the bot's wording.

Every ``{{ expression }}`` is Slack-escaped by ``finalize`` unless it is ``Trusted`` (mentions and
dates we build ourselves), so user text can never become ``<!channel>`` or a mention.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from bot.services.text import channel_link, mention, slack_date, slack_escape

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


class Trusted(str):
    """Text built by casebot itself (mentions, Slack date tokens) that must not be escaped."""


def _finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Trusted):
        return value
    return slack_escape(value)


class Content:
    def __init__(self, root: Path = PROMPTS) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(root / "templates"),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # Slack mrkdwn, not HTML: finalize does the escaping that matters.
            autoescape=False,  # noqa: S701
        )
        self.env.filters["mention"] = lambda user_id: Trusted(mention(user_id))
        self.env.filters["when"] = lambda at: Trusted(slack_date(at))
        self.env.filters["day"] = lambda at: Trusted(slack_date(at, with_time=False))
        self.env.filters["channel"] = lambda channel_id: Trusted(channel_link(channel_id))

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()
