"""Things marked for the record in a reflective discussion. Pure: `now` and the author's zone are passed in.

A thread reply, or a line of one, that starts with a prefix is captured:

    Decision: contact stays at twice a week
    Action: <@U123> to ring the school by Friday
    Concern: missed appointments
    Learning: ask the child first      Disagree: …      Shared: …

Lines straight after a prefixed line belong to it, until a blank line or the next prefixed line. Reactions
(``DEFAULT_REACTIONS``) mark a whole message the same way.

An action's owners are the people mentioned at its start (or, when none are, anyone mentioned in it), and
its due date is read from its final "by / before / due / on / in …" phrase, in the author's time zone
(`rules_due.py` says how).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.capture.rules_due import due_date
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


def has_marks(text: str) -> bool:
    """Whether any line starts with a capture prefix: most replies have none, and need no more work."""
    return any(_prefixed(line) for line in text.splitlines())


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


def parse_action(body: str, *, today: date) -> Captured:
    """Owners and due date of an action's text; `missing` names what is absent."""
    body = body.strip()
    leading = _LEADING_MENTIONS.match(body)
    owners = user_ids_in(leading.group(0) if leading else body)
    owner_ids = tuple(dict.fromkeys(owners))
    due, problem = due_date(body, today=today)
    missing = tuple(name for name, absent in ((OWNER, not owner_ids), (DUE_DATE, due is None)) if absent)
    return Captured(Kind.ACTION, body, owner_ids, due, missing, problem)


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
