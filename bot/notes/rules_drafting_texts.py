"""The texts of a draft: dates in the recorder's zone, Slack's markup made readable, clipping that
never cuts a Slack token, first sentences, and the 0-10 scales read from replies. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from bot.notes.rules_drafting_facts import REPLY_CHARS, DiscussionFacts, Scale

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """Wed 16 Dec 2026 (not strftime: the same in every locale)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def when_text(at: datetime) -> str:
    """Wed 16 Dec 2026, 10:00 (already in the recorder's zone)."""
    return f"{day_text(at.date())}, {at:%H:%M}"


def when_zoned(at: datetime) -> str:
    return f"{when_text(at)} {at:%Z}".rstrip()


_TRAILING_ASIDE = re.compile(r"\s*\([^()]*\)\s*$")


def short_name(name: str) -> str:
    """A name without a trailing aside: "Sam (newly qualified)" is "Sam" on every line but one."""
    return _TRAILING_ASIDE.sub("", name).strip() or name


_TOKEN = re.compile(r"<([^<>\n]*)>")
_ATOM = re.compile(r"<[^<>\n]*>|&(?:amp|lt|gt);")  # never cut inside one of these
_ENTITY_END = re.compile(r"&(?:amp|lt|gt);$")


def plain(raw: str, names: Mapping[str, str]) -> str:
    """Slack's message markup as a person reads it."""

    def shown(m: re.Match[str]) -> str:
        target, _, label = m[1].partition("|")
        if target.startswith("@"):
            return "@" + (names.get(target[1:]) or label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]  # here, channel, everyone
        address = target.removeprefix("mailto:")
        return f"{label} ({address})" if label and label != address else address

    text = _TOKEN.sub(shown, raw)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _atoms(raw: str, up_to: int) -> list[tuple[int, int]]:
    """Where the Slack tokens and entities start and end, for those starting before `up_to`."""
    spans = []
    for m in _ATOM.finditer(raw):
        if m.start() > up_to:
            break
        spans.append((m.start(), m.end()))
    return spans


def clip(raw: str, limit: int) -> str:
    """At most about `limit` characters of Slack text, ending at a word and never inside a token."""
    raw = " ".join(raw.split())
    if len(raw) <= limit:
        return raw
    atoms = _atoms(raw, limit)

    def outside(position: int) -> int:
        for start, end in atoms:
            if start < position < end:
                return start
        return position

    cut = outside(limit)
    space = raw.rfind(" ", 0, cut + 1)
    while space > limit // 2 and outside(space) != space:
        space = raw.rfind(" ", 0, outside(space))
    if space > limit // 2:
        cut = space
    elif cut <= limit // 2:  # a long link early on: keep it whole rather than keep next to nothing
        cut = next(end for start, end in atoms if start == cut)
    kept = raw[:cut].rstrip()
    while kept and kept[-1] in ",;:-" and not _ENTITY_END.search(kept):  # "&amp;" keeps its ";"
        kept = kept[:-1].rstrip()
    return kept + "…"


_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
_ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "etc", "dr", "mr", "mrs", "ms", "mx", "st", "approx", "vs", "no"}


def first_sentence(raw: str) -> str:
    """A reply's first sentence, at most REPLY_CHARS; "…" says something was left out."""
    raw = raw.strip()
    first = raw
    atoms = _atoms(raw, len(raw))
    for m in _SENTENCE_END.finditer(raw):
        if any(start < m.start() < end for start, end in atoms):
            continue  # a full stop in a link's text
        before = raw[: m.start()].rsplit(None, 1)
        if m[0] == "\n" or not before or before[-1].lower().lstrip("(") not in _ABBREVIATIONS:
            first = raw[: m.end()].strip()
            break
    if len(first) > REPLY_CHARS:
        return clip(first, REPLY_CHARS)
    return first if first == raw else f"{first} …"


_SCALE = re.compile(
    r"(?<![\d./])(10|\d)\s*/\s*10(?![/\d])"
    r"|\bscal(?:e|ing)\b[^\d\n]{0,12}?(?<![\d.])(10|\d)\b(?!\s*(?:to|-|–|/)\s*\d)",
    re.IGNORECASE,
)


def scales_of(facts: DiscussionFacts) -> list[Scale]:
    """Each person's latest scale in the replies, then those given; participants first."""
    found: dict[str, int] = {}
    for q in facts.questions:
        for r in q.replies:
            for m in _SCALE.finditer(r.text):
                found[r.author_id] = int(m[1] or m[2])
    found |= {s.author_id: s.value for s in facts.scales}
    first = {person: i for i, person in enumerate(facts.participant_ids)}
    order = sorted(found, key=lambda person: first.get(person, len(first)))  # stable: others as found
    return [Scale(person, found[person]) for person in order]
