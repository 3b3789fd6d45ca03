"""Sorting a discussion's replies for the draft (see rules_drafting). Pure.

Two things, both for the recorder to confirm, never decided for them:

- `unmarked`: what is left of a reply once the lines marked for the record (``Decision:``, ``Action:``,
  ``Learning:`` … and the lines straight after each, as bot.capture.rules reads them) are taken out. Those
  lines are drafted under their own sections, so they are not repeated under the question they answered.
- `sort_reply`: a first guess at what a reply under "What happened" is (PRACTICE.md section 4 keeps
  these apart): something *observed* first-hand, something *reported* by someone else (and who, when
  the reply names them), or a *view* (a judgement, attributed to whoever wrote it). A reply with no
  sign of any of these is left *unsorted* rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.capture.rules import PREFIXES

Sort = Literal["observed", "reported", "view", "unsorted"]
SORTS: tuple[Sort, ...] = ("observed", "reported", "view", "unsorted")

_WORDS = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(PREFIXES, key=len, reverse=True))
_MARKED = re.compile(
    r"^\s*(?:[-•◦▪‣*]\s+|\d{1,2}[.)]\s+)?[*_~]*\s*(?:" + _WORDS + r")\s*[*_~]*\s*:", re.IGNORECASE
)


def unmarked(text: str) -> str:
    """The reply without its marked lines (a marked line's block runs to a blank line or the next one)."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines():
        if _MARKED.match(line):
            inside = True
        elif not line.strip():
            inside = False
            kept.append(line)
        elif not inside:
            kept.append(line)
    return "\n".join(kept).strip()


@dataclass(frozen=True)
class Sorted:
    sort: Sort
    source: str | None = None  # reported: who it came from, when the reply names them


# Who information usually comes from, as people write them (lower case; the longest match wins).
SOURCES = (
    "health visitor",
    "school nurse",
    "head teacher",
    "headteacher",
    "class teacher",
    "teacher",
    "kaiako",
    "school",
    "nursery",
    "early learning centre",
    "gp",
    "doctor",
    "paediatrician",
    "midwife",
    "nurse",
    "police",
    "housing",
    "probation",
    "camhs",
    "youth worker",
    "neighbour",
    "foster carer",
    "carer",
    "grandmother",
    "grandfather",
    "grandparent",
    "nan",
    "aunt",
    "uncle",
    "mum",
    "mother",
    "dad",
    "father",
    "stepdad",
    "stepmum",
    "parent",
    "whānau",
    "family",
    "the child",
    "child",
)
_SOURCE = re.compile(
    r"\b(" + "|".join(re.escape(s) for s in sorted(SOURCES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_REPORTED = re.compile(
    r"\b(reported|reports|report(?:ed)? that|said|says|told (?:us|me|them|the)|according to|mentioned|"
    r"informed|rang|phoned|by phone|heard from|letter from|email from|call from|referral)\b",
    re.IGNORECASE,
)
_OBSERVED = re.compile(
    r"\b(?:I|we)\s+(?:(?:have|had|just)\s+)?(?:saw|seen|observed|visited|met|noticed|heard|watched|spoke)\b"
    r"|\b(?:at|on|during) (?:my|our|the) (?:home )?visit\b|\bwhen I (?:visited|arrived|called)\b",
    re.IGNORECASE,
)
_VIEW = re.compile(
    r"\b(may|might|could be|I think|we think|I feel|I wonder|worried|worries|seems?|appears?|probably|"
    r"perhaps|maybe|I believe|my view|in my view|I suspect|my sense|I'm not sure|likely|unlikely)\b",
    re.IGNORECASE,
)


def sort_reply(text: str) -> Sorted:
    """A first guess: reported (someone else said it), else observed (I/we saw), else a view, else
    unsorted."""
    if _REPORTED.search(text):
        return Sorted("reported", _source(text))
    if _OBSERVED.search(text):
        return Sorted("observed")
    if _VIEW.search(text):
        return Sorted("view")
    return Sorted("unsorted")


def _source(text: str) -> str | None:
    found = _SOURCE.search(text)
    return found[1].lower() if found else None
