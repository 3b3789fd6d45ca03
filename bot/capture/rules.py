"""Things marked for the record in a reflective discussion. Pure: `now` and the author's zone are passed in.

A thread reply, or a line of one, that starts with a prefix is captured:

    Decision: contact stays at twice a week
    Action: <@U123> to ring the school by Friday
    Concern: missed appointments
    Learning: ask the child first      Disagree: …      Shared: …

Lines straight after a prefixed line belong to it, until a blank line or the next prefixed line. Reactions
(``DEFAULT_REACTIONS``) mark a whole message the same way.

An action's owners are the people mentioned at its start (or, when none are, anyone mentioned in it), and
its due date is the day named in its final "by / before / due / on …" phrase, read in the author's time
zone and never in the past:

- a weekday ("by Friday", "by fri", "this Friday") is the next one, today counting;
- "next Friday" (also "Friday next week") is the Friday of next week, weeks running Monday to Sunday:
  on Wednesday it is nine days away, on Saturday or Sunday six or five, never today;
- "end of (the/this) week" and "the weekend" are the coming Friday, today counting, so on a Saturday or
  Sunday they mean the Friday after; "end of next week" is the Friday of next week;
- "end of (the/this) month" is the month's last day; "end of next month" and "end of March" likewise;
- "the 12th" is the next 12th of a month, today counting;
- a time alone ("by 5pm", "by end of day") is today; a time beside a day is dropped.

A final phrase that does not name a day ("by phone") is not a due date. One that looks like a date but
cannot be read ("by the 45th") leaves the date missing, with a message saying how to write one that
never repeats what was written.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.kernel.rules_dates import WEEKDAYS, DayProblem, parse_day
from bot.kernel.rules_text import mention, user_ids_in
from storage.vocabulary import CaptureKind

# One enum for what a message is, stored and decided alike (storage/vocabulary.py is stdlib only).
Kind = CaptureKind

# How the record titles each kind.
TITLES: dict[Kind, str] = {
    Kind.DECISION: "Decision",
    Kind.ACTION: "Action",
    Kind.CONCERN: "Concern",
    Kind.LEARNING: "Learning",
    Kind.DISAGREE: "Difference of view",
    Kind.SHARED: "Information sharing",
    Kind.TOLD: "Told the child or family",
    Kind.URGENT: "Urgent concern",
}

# What people write before the colon, lower case. Each kind's title is accepted too.
PREFIXES: dict[str, Kind] = {
    "decision": Kind.DECISION,
    "decided": Kind.DECISION,
    "action": Kind.ACTION,
    "action point": Kind.ACTION,
    "concern": Kind.CONCERN,
    "worry": Kind.CONCERN,
    "learning": Kind.LEARNING,
    "learnt": Kind.LEARNING,
    "learned": Kind.LEARNING,
    "disagree": Kind.DISAGREE,
    "disagreement": Kind.DISAGREE,
    "difference of view": Kind.DISAGREE,
    "shared": Kind.SHARED,
    "sharing": Kind.SHARED,
    "information sharing": Kind.SHARED,
    "told": Kind.TOLD,
    "we told": Kind.TOLD,
    "urgent": Kind.URGENT,
    "urgent concern": Kind.URGENT,
}

DEFAULT_REACTIONS: dict[str, str] = {
    "white_check_mark": Kind.DECISION.value,
    "pushpin": Kind.ACTION.value,
    "warning": Kind.CONCERN.value,
    "seedling": Kind.LEARNING.value,
    "thinking_face": Kind.DISAGREE.value,
    "handshake": Kind.SHARED.value,
}

OWNER = "owner"
DUE_DATE = "due date"


@dataclass(frozen=True)
class Captured:
    kind: Kind
    text: str  # as written after the prefix, mentions included
    owner_ids: tuple[str, ...] = ()
    due: date | None = None
    missing: tuple[str, ...] = ()  # actions only: OWNER and/or DUE_DATE
    date_problem: str | None = None  # a "by …" phrase that looked like a date but could not be read


# ------------------------------------------------------------------ prefixes
_WORDS = "|".join(
    r"\s+".join(map(re.escape, word.split())) for word in sorted(PREFIXES, key=len, reverse=True)
)
_PREFIXED = re.compile(
    r"^\s*(?:[-•◦▪‣*]\s+|\d{1,2}[.)]\s+)?"  # a bullet or a number
    r"(?P<open>[*_~]*)\s*(?P<word>" + _WORDS + r")\s*(?P<close>[*_~]*)\s*:(?P<after>[*_~]*)\s*(?P<body>.*)$",
    re.IGNORECASE,
)


def _prefixed(line: str) -> tuple[Kind, str] | None:
    m = _PREFIXED.match(line)
    if not m:
        return None
    kind = PREFIXES[" ".join(m["word"].lower().split())]
    body = m["body"].strip()
    if m["open"] and not (m["close"] or m["after"]):  # "*Decision: all of it in bold*"
        body = body.removesuffix(m["open"][::-1]).rstrip()
    return kind, body


def author_today(now: datetime, tz: ZoneInfo) -> date:
    """The author's local date: late Thursday evening in Auckland is already Friday there."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(tz).date()


def parse_message(text: str, *, now: datetime, tz: ZoneInfo) -> list[Captured]:
    """One item per prefixed line, with the lines straight after it; nothing for unprefixed text."""
    today = author_today(now, tz)
    items: list[tuple[Kind, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        found = _prefixed(line)
        if found:
            current = [found[1]] if found[1] else []
            items.append((found[0], current))
        elif not line.strip():
            current = None
        elif current is not None:
            current.append(line.strip())
    return [_capture(kind, "\n".join(lines), today) for kind, lines in items if lines]


def capture_as(kind: Kind, text: str, *, now: datetime, tz: ZoneInfo) -> Captured:
    """A whole message marked with a reaction; a prefix for the same kind at its start is dropped."""
    body = text.strip()
    first, _, rest = body.partition("\n")
    found = _prefixed(first)
    if found and found[0] is kind:
        body = "\n".join(part for part in (found[1], rest.strip()) if part)
    return _capture(kind, body, author_today(now, tz))


def _capture(kind: Kind, body: str, today: date) -> Captured:
    return parse_action(body, today=today) if kind is Kind.ACTION else Captured(kind, body)


# -------------------------------------------------------------------- actions
_LEADING_MENTIONS = re.compile(
    r"^(?:\s*(?:,|/|\+|&amp;|&|\band\b)?\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>)+", re.IGNORECASE
)
_CONNECTOR = re.compile(r"(?<![^\s(\[])(by|before|due|on)\s+(?=\S)", re.IGNORECASE)
_MENTION_TOKEN = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_TRAILING = " \t\n.,;:!?)]*_~-–—"
_MAX_PHRASE_WORDS = 6


def parse_action(body: str, *, today: date) -> Captured:
    """Owners and due date of an action's text; `missing` names what is absent."""
    body = body.strip()
    leading = _LEADING_MENTIONS.match(body)
    owners = user_ids_in(leading.group(0) if leading else body)
    owner_ids = tuple(dict.fromkeys(owners))
    due, problem = _due_date(body, today)
    missing = tuple(name for name, absent in ((OWNER, not owner_ids), (DUE_DATE, due is None)) if absent)
    return Captured(Kind.ACTION, body, owner_ids, due, missing, problem)


def _due_date(body: str, today: date) -> tuple[date | None, str | None]:
    """The day named by the final connector phrase, or why it could not be read (None if there is none)."""
    connectors = list(_CONNECTOR.finditer(body))
    if not connectors:
        return None, None
    last = connectors[-1]
    phrase = _MENTION_TOKEN.sub(" ", body[last.end() :]).strip(_TRAILING)
    words = " ".join(phrase.replace(",", " ").split()).lower()
    if not words or len(words.split()) > _MAX_PHRASE_WORDS or not _looks_like_a_date(words):
        return None, None
    try:
        return read_due(words, today=today), None
    except DayProblem:
        word = last.group(1).lower()
        return None, (
            f"I couldn't read the date after “{word}”. Write it like “{word} Friday”, "
            f"“{word} 12 March” or “{word} 2026-12-24”."
        )


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
_MONTHS["sept"] = 9
_DAY_WORDS = {name: i for i, name in enumerate(WEEKDAYS)} | {name[:3]: i for i, name in enumerate(WEEKDAYS)}
_DAY_WORDS |= {"tues": 1, "tue": 1, "weds": 2, "thur": 3, "thurs": 3}
_DATE_WORDS = {
    *_MONTHS,
    *_DAY_WORDS,
    *("today", "tonight", "tomorrow", "tmrw", "week", "weekend", "month", "fortnight", "end"),
    *("eod", "cob", "noon", "midday"),
}
_TIME = re.compile(
    r"\b(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}|noon|midday|eod|cob|close of business"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+)?day)\b"
)
_DAY_NAME = "(" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + ")"
_MONTH_NAME = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_NEXT_DAY = re.compile(rf"next\s+{_DAY_NAME}|{_DAY_NAME}\s+next\s+week")
_THIS_DAY = re.compile(rf"this\s+{_DAY_NAME}|{_DAY_NAME}\s+this\s+week")
_END_OF = re.compile(
    r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<what>next\s+week|week|next\s+month|month)"
)
_END_OF_MONTH_NAMED = re.compile(rf"(?:the\s+)?end\s+of\s+{_MONTH_NAME}")
_DAY_OF_MONTH = re.compile(rf"(?:{_DAY_NAME}\s+)?(?:the\s+)?(?P<n>\d{{1,2}})(?:st|nd|rd|th)")
_NUMERIC_DATE = re.compile(r"\d{1,4}[/-]\d{1,2}")
_MONTH_ONLY = re.compile(rf"{_MONTH_NAME}(?:\s+\d{{4}})?")


def _looks_like_a_date(words: str) -> bool:
    return any(ch.isdigit() for ch in words) or any(w in _DATE_WORDS for w in re.findall(r"[a-z]+", words))


def read_due(phrase: str, *, today: date) -> date:
    """The day a due-date phrase names, never before `today` (see the module docstring for the rules).

    Raises DayProblem when it cannot be read, or would be a guess (a month without a day, a bare number)."""
    words = " ".join(phrase.lower().replace(",", " ").split())
    if not words:
        raise DayProblem("Give a date, like 2026-12-24 or 24 Dec.")
    words = re.sub(r"^(?:the\s+)?weekend$", "end of week", words)
    words = " ".join(_TIME.sub(" ", words).split())  # a due date is a day; "Friday 5pm" is Friday
    if words in ("", "today", "tonight"):
        return today
    if words in ("tomorrow", "tmrw"):
        return today + timedelta(days=1)
    if m := _NEXT_DAY.fullmatch(words):
        return next_week_day(_DAY_WORDS[m[1] or m[2]], today=today)
    if m := _THIS_DAY.fullmatch(words):
        return coming_day(_DAY_WORDS[m[1] or m[2]], today=today)
    if words in _DAY_WORDS:
        return coming_day(_DAY_WORDS[words], today=today)
    if m := _END_OF.fullmatch(words):
        what = m["what"].replace(" ", "")
        if what == "week":
            return coming_day(4, today=today)
        if what == "nextweek":
            return next_week_day(4, today=today)
        month_start = today.replace(day=1)
        if what == "nextmonth":
            month_start = (month_start + timedelta(days=32)).replace(day=1)
        return _last_day(month_start.year, month_start.month)
    if m := _END_OF_MONTH_NAMED.fullmatch(words):
        month = _MONTHS[m["month"]]
        return _last_day(today.year + (month < today.month), month)
    if m := _DAY_OF_MONTH.fullmatch(words):
        return _same_weekday(words, _next_day_of_month(int(m["n"]), today=today))
    if _MONTH_ONLY.fullmatch(words) or re.fullmatch(r"\d+", words):
        raise DayProblem("Which day? Write it like 12 March or 2026-12-24.")
    words = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\s+of\b", r"\1", re.sub(r"\bthe\s+", "", words))
    if not (_NUMERIC_DATE.search(words) or any(w in _MONTHS for w in re.findall(r"[a-z]+", words))):
        # parse_day would fill in the month and year itself: "friday 12" as next year's 12 November
        raise DayProblem("Which day? Write it like 12 March or 2026-12-24.")
    return _same_weekday(words, parse_day(words, today=today))


def _same_weekday(words: str, day: date) -> date:
    """ "Friday 12 March" when the 12th is a Saturday: ask rather than pick one."""
    named = {_DAY_WORDS[w] for w in re.findall(r"[a-z]+", words) if w in _DAY_WORDS}
    if named and named != {day.weekday()}:
        raise DayProblem("The weekday and the date don't match. Write it like 12 March or 2026-12-24.")
    return day


def coming_day(weekday: int, *, today: date) -> date:
    """The next such weekday, today counting (Monday is 0)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def next_week_day(weekday: int, *, today: date) -> date:
    """That weekday in next week, weeks running Monday to Sunday: 1 to 13 days away, never today."""
    next_monday = today + timedelta(days=7 - today.weekday())
    return next_monday + timedelta(days=weekday)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_day_of_month(day: int, *, today: date) -> date:
    if not 1 <= day <= 31:
        raise DayProblem("That is not a day of the month. Write it like 12 March or 2026-12-24.")
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while day > calendar.monthrange(year, month)[1]:  # "the 31st" skips the shorter months
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, day)


# ------------------------------------------------------------------ reactions
def _reaction_name(name: str) -> str:
    """`:white_check_mark::skin-tone-2:` and `white_check_mark` are the same reaction."""
    return name.strip().strip(":").split("::", 1)[0].lower()


def kind_for_reaction(name: str, mapping: Mapping[str, str]) -> Kind | None:
    """The kind a reaction marks under `mapping` (reaction name to kind), or None."""
    wanted = _reaction_name(name)
    for reaction, kind in mapping.items():
        if _reaction_name(reaction) == wanted:
            try:
                return Kind(kind.strip().lower())
            except ValueError:
                return None
    return None


# ------------------------------------------------------------------- follow-up
_EXAMPLE = "Reply in the thread with `Action: @name … by Friday` and I'll add it to the record."


def describe_missing(captured: Captured) -> str | None:
    """A friendly question for the thread when an action lacks an owner or a readable date.

    It never repeats the action's text; it may mention the owners."""
    if captured.kind is not Kind.ACTION:
        return None
    no_owner = OWNER in captured.missing
    no_date = DUE_DATE in captured.missing
    if no_owner and no_date:
        ask = "Thanks for noting an action. Who will take it on, and by when?"
        if captured.date_problem:
            ask = f"Thanks for noting an action. Who will take it on? {captured.date_problem}"
        return f"{ask} {_EXAMPLE}"
    if no_owner:
        return f"Thanks for noting an action. Who will take it on? {_EXAMPLE}"
    if no_date:
        names = " and ".join(mention(user_id) for user_id in captured.owner_ids)
        ask = captured.date_problem or "By when would be realistic?"
        return f"Thanks, {names}. {ask} {_EXAMPLE}"
    return None
