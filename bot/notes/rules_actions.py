"""How an agreed action falls short of SMART: no owner, no due date, vague verbs. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.notes.rules_checks import Finding, finding_key

_VAGUE: list[tuple[str, re.Pattern[str], str]] = [
    (
        "monitor",
        re.compile(r"\bmonitor(?:s|ed|ing)?\b", re.IGNORECASE),
        "say what will be checked, how often, and what would lead to a next step.",
    ),
    (
        "support",
        re.compile(r"\bsupport(?:s|ed|ing)?\b", re.IGNORECASE),
        "say what the support is (for example 'take J to the GP on Friday').",
    ),
    (
        "consider",
        re.compile(r"\bconsider(?:s|ed|ing)?\b", re.IGNORECASE),
        "say what will be decided, by whom, and by when.",
    ),
    (
        "look into",
        re.compile(r"\blook(?:s|ed|ing)?\s+into\b", re.IGNORECASE),
        "say what will be found out, and who will hear the answer.",
    ),
    (
        "keep an eye on",
        re.compile(r"\b(?:keep(?:s|ing)?|kept)\s+an\s+eye\s+on\b", re.IGNORECASE),
        "say what will be checked, how often, and what would lead to a next step.",
    ),
    (
        "liaise",
        re.compile(r"\blia(?:ise|ises|ised|ising|ize|izes|ized|izing)\b", re.IGNORECASE),
        "say who will be contacted, about what, and by when.",
    ),
    (
        "explore",
        re.compile(r"\bexplor(?:e|es|ed|ing)\b", re.IGNORECASE),
        "say what will be asked or tried, and how the answer will be recorded.",
    ),
    (
        "review as needed",
        re.compile(
            r"\breview(?:s|ed|ing)?\s+(?:as|when|if)\s+(?:needed|required|necessary|appropriate)\b",
            re.IGNORECASE,
        ),
        "give a review date instead.",
    ),
]
OWNER_MESSAGE = "Who will do this? Add an owner so everyone knows who is following it up."
DUE_MESSAGE = "When should this be done by? Add a due date so it can be followed up kindly."


def check_action(text: str, *, owners: Sequence[str], due: date | None) -> list[Finding]:
    """How an action falls short of SMART: no owner, no due date, and each vague verb.

    Vague verbs are whole words in any case and form: monitor, support, consider, look into,
    keep an eye on, liaise, explore, and "review as needed" (or as required). The message asks
    for something specific and checkable. A missing owner or due date spans the whole text.
    """
    normalised = " ".join(text.lower().split())
    findings: list[Finding] = []
    whole = (0, len(text))
    if not any(o.strip() for o in owners):
        findings.append(
            Finding("action_owner", OWNER_MESSAGE, *whole, finding_key("action_owner", normalised))
        )
    if due is None:
        findings.append(Finding("action_due", DUE_MESSAGE, *whole, finding_key("action_due", normalised)))
    vague: list[Finding] = []
    for verb, pattern, hint in _VAGUE:
        for m in pattern.finditer(text):
            if any(f.start < m.end() and m.start() < f.end for f in vague):
                continue
            word = " ".join(m.group().split())
            word = word[:1].upper() + word[1:]
            message = f"'{word}' is hard to check: {hint} How will we know it's done?"
            key = finding_key("vague_verb", f"{verb}|{normalised}")
            vague.append(Finding("vague_verb", message, m.start(), m.end(), key))
    return findings + sorted(vague, key=lambda f: f.start)


_LEADING_OWNERS = re.compile(
    r"^\s*(?:(?:,|&amp;|&|\+|/|\band\b)?\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>\s*)+(?:to\s+)?"
)
_DUE_PHRASE = re.compile(
    r"(?:^|[\s,]+)(?:by|before|due|on)\s+(?:(?!(?:by|before|due|on)\b)[\w'’-]+\s*){1,6}[.!]?\s*$",
    re.IGNORECASE,
)


def bare_action(text: str, *, has_owner: bool, has_due: bool) -> str:
    """A marked action's words without what the form holds in fields of its own: the owners mentioned
    at its start (when an owner was read) and its final "by Friday" (when a date was read). Slack text
    in, Slack text out; never empty: the text as it was if nothing would be left."""
    bare = text.strip()
    if has_owner:
        bare = _LEADING_OWNERS.sub("", bare)
    if has_due:
        bare = _DUE_PHRASE.sub("", bare)
    bare = bare.strip(" ,;:-")
    return bare if bare else text.strip()
