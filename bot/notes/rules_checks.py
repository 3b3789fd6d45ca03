"""Checks on a draft case note before it is saved: what a finding is, and which ones are still open.

The checks themselves are `rules_identifiers.find_identifiers` (likely identifiers, masked in every
message) and `rules_actions.check_action` (actions that are not SMART).

Pure: no I/O and no clock; `today` is passed in. Each check returns `Finding`s that the summary modal
shows next to the field. The recorder can fix the text or confirm a finding. Confirmed keys are kept
with the note, so the same finding is not raised again (`unconfirmed`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "date_of_birth",
    "phone",
    "email",
    "nhs_number",
    "ni_number",
    "nhi",
    "postcode",
    "action_owner",
    "action_due",
    "vague_verb",
]
IDENTIFIER_KINDS: tuple[Kind, ...] = (
    "date_of_birth",
    "phone",
    "email",
    "nhs_number",
    "ni_number",
    "nhi",
    "postcode",
)
ACTION_KINDS: tuple[Kind, ...] = ("action_owner", "action_due", "vague_verb")

MASK = "•"


@dataclass(frozen=True)
class Finding:
    """One thing the recorder should look at.

    `start`/`end` are offsets in the checked text. `key` is a stable fingerprint: the kind plus a
    sha256 of the normalised match. The same identifier written again, or in another format
    ("07700 900123", "07700900123"), gives the same key, so a confirmation still applies to it.
    """

    kind: Kind
    message: str
    start: int
    end: int
    key: str


def unconfirmed(findings: Iterable[Finding], confirmed_keys: Iterable[str]) -> list[Finding]:
    """The findings the recorder has not yet confirmed."""
    confirmed = set(confirmed_keys)
    return [f for f in findings if f.key not in confirmed]


def finding_key(kind: str, normalised: str) -> str:
    return f"{kind}:{hashlib.sha256(normalised.encode()).hexdigest()[:16]}"
