"""Reading a day someone typed ("2026-12-24", "24 Dec", "friday", "tomorrow"). Pure: `today` is passed in."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from dateutil import parser

from bot.kernel.rules_text import slack_escape

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_YEAR = re.compile(r"\b\d{4}\b")


class DayProblem(ValueError):
    """The text is not a day we can read; the message says how to write one."""


def parse_day(text: str, *, today: date) -> date:
    """The day meant, never in the past: a day-and-month without a year that has passed means next year,
    and a weekday name means the next one (today counts)."""
    words = text.strip().lower().rstrip(".")
    if not words:
        raise DayProblem("Give a date, like 2026-12-24 or 24 Dec.")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", words):  # ISO: never let dayfirst swap month and day
        try:
            return date.fromisoformat(words)
        except ValueError:
            typed = slack_escape(text.strip())
            raise DayProblem(f"{typed} is not a real date. Write it like 2026-12-24.") from None
    if words in ("today", "tomorrow"):
        return today + timedelta(days=1 if words == "tomorrow" else 0)
    for prefix_len in (len(words), 3):
        matches = [i for i, name in enumerate(WEEKDAYS) if name.startswith(words[:prefix_len])]
        if len(words) >= 3 and words.isalpha() and len(matches) == 1:
            return today + timedelta(days=(matches[0] - today.weekday()) % 7)
    try:
        parsed = parser.parse(words, dayfirst=True, default=datetime(today.year, today.month, 1)).date()
    except (ValueError, OverflowError):
        raise DayProblem(_unreadable(text)) from None
    if not _YEAR.search(words) and parsed.year != today.year:
        # dateutil read a day or month that does not exist ("32 Dec") as a year.
        raise DayProblem(_unreadable(text))
    if parsed < today and not _YEAR.search(words):
        parsed = parsed.replace(year=parsed.year + 1)
    return parsed


def _unreadable(text: str) -> str:
    # The message goes back to Slack as mrkdwn: what was typed is escaped so `<!channel>` stays literal.
    return f"I can't read '{slack_escape(text.strip()[:40])}' as a date. Write it like 2026-12-24 or 24 Dec."
