"""Case references: the organisation's own key for a case, never a child's name."""

from __future__ import annotations

import re

# A person's name has no digits; a reference always has some. Title-case words ("Jane", "Smith")
# are how names are usually typed, so they are refused even when a digit is present.
_TITLE_WORD = re.compile(r"\b[A-Z][a-z]{1,}\b")
_HAS_DIGIT = re.compile(r"\d")

NAME_MESSAGE = (
    "That looks like a person's name. Use your organisation's case reference (for example "
    "CASE-2026-014), never a child's or family's name."
)


def looks_like_name(reference: str) -> bool:
    return not _HAS_DIGIT.search(reference) or bool(_TITLE_WORD.search(reference))


def reference_problem(reference: str, pattern: str) -> str | None:
    """Why this reference cannot be used, or None when it is fine."""
    reference = reference.strip()
    if not reference:
        return "Enter the case reference."
    if looks_like_name(reference):
        return NAME_MESSAGE
    if not re.fullmatch(pattern, reference):
        return (
            "That is not in your organisation's case reference format "
            "(capital letters, digits, '-' or '/', for example CASE-2026-014)."
        )
    return None
