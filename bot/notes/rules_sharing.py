"""Information-sharing decisions as a record keeps them (PRACTICE.md section 4): what was shared, with
whom, why, on what basis, whether consent was given, not sought or overridden, and who decided. Pure.

A ``Shared:`` item is read into these fields where its words say them ("… with the school, so they can
plan support, under section 17, consent given, decided by @Mere"); the summary form shows each field to
confirm or fill in, and sign-off needs all of them. Each decision is kept as an entry (a dict of FIELDS)
of the note's "sharing" section, and exported as structured data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

FIELDS = ("what", "with_whom", "why", "basis", "consent", "decided_by")
LABELS = {
    "what": "What was shared",
    "with_whom": "With whom (a role or agency, not a name)",
    "why": "Why",
    "basis": "On what basis",
    "consent": "Consent",
    "decided_by": "Who decided",
}
CONSENT = {
    "given": "given",
    "not_sought": "not sought",
    "overridden": "overridden (refused or not asked, shared anyway)",
}

_STOPS = r"\bunder\b|\bon the basis\b|\bconsent\b|\bdecided\b"
_END = r"(?=\s*(?:[,;.]|\bso\b|\bbecause\b|\bas\b|\bwith(?:out)? consent\b|\bagreed by\b|" + _STOPS + "|$))"
_WITH = re.compile(
    r"\bwith\s+(?!consent\b|(?:their|her|his|mum's|dad's|parental) consent\b)(.+?)" + _END, re.I
)
_WHY = re.compile(
    r"\b((?:so that|so|because|in order to|to help|to keep|to plan)\s+.+?)"
    r"(?=\s*(?:[,;.]|" + _STOPS + "|$))",
    re.I,
)
_BASIS = re.compile(
    r"\b(?:under|on the basis of|basis:)\s+(.+?)"
    r"(?=\s*(?:[,;.]|\bwith(?:out)?\b|\bconsent\b|\bdecided\b|$))",
    re.I,
)
_BASIS_WORDS = re.compile(
    r"\b(section \d+\w*|s\.?\s?\d+\w*|child protection|safeguarding|court order|legal duty|"
    r"oranga tamariki act|children act)\b",
    re.I,
)
_DECIDED = re.compile(
    r"\b(?:decided|agreed|authorised|authorized|approved) by\s+(.+?)(?=\s*(?:[,;.]|$))", re.I
)
_NOT_SOUGHT = re.compile(
    r"\b(without (?:asking|consent)|consent not sought|not sought|did(?:n't| not) ask)\b", re.I
)
_OVERRIDDEN = re.compile(r"\b(overrid\w*|refused)\b", re.I)
_GIVEN = re.compile(
    r"\b(consent given|with (?:their |her |his |mum's |dad's |parental )?consent|(?:mum|dad|parents?|"
    r"family|whānau|carers?) (?:agreed|consented|gave consent))\b",
    re.I,
)


def _first(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    return found[1].strip(" ,;.") if found else ""


def consent_of(text: str) -> str:
    """'given', 'not_sought', 'overridden' or '' (not said)."""
    if _OVERRIDDEN.search(text):
        return "overridden"
    if _NOT_SOUGHT.search(text):
        return "not_sought"
    if _GIVEN.search(text):
        return "given"
    return ""


def parse_shared(text: str) -> dict[str, str]:
    """A Shared: item's text (Slack markup already made plain) read into FIELDS; "" where it does not say."""
    text = " ".join(text.split())
    with_whom = _first(_WITH, text)
    what = text
    if with_whom:
        what = text[: _WITH.search(text).start()].strip(" ,;.")  # type: ignore[union-attr]
    basis = _first(_BASIS, text)
    if not basis and (word := _BASIS_WORDS.search(text)):
        basis = word[1]
    consent = consent_of(text)
    if not basis and consent == "given":
        basis = "consent"
    return {
        "what": what or text,
        "with_whom": with_whom,
        "why": _first(_WHY, text),
        "basis": basis,
        "consent": consent,
        "decided_by": _first(_DECIDED, text),
    }


def missing(entry: Mapping[str, str]) -> list[str]:
    """The fields a decision to share still needs before sign-off."""
    return [field for field in FIELDS if not (entry.get(field) or "").strip()]


def as_line(entry: Mapping[str, str]) -> str:
    """One decision as people read it: 'school attendance: with the school; why …; basis …; consent …'."""
    consent = CONSENT.get(entry.get("consent") or "", entry.get("consent") or "not said")
    return (
        f"{entry.get('what') or '(not said)'}: with {entry.get('with_whom') or '(not said)'}; "
        f"why: {entry.get('why') or '(not said)'}; basis: {entry.get('basis') or '(not said)'}; "
        f"consent: {consent}; decided by: {entry.get('decided_by') or '(not said)'}"
    )
