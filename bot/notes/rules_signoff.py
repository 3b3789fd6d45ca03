"""What must be true of a note's text before it is signed off. Pure: no I/O, no clock.

- No placeholder of the draft is left: a field still reading "…" ("decided by: …", "Resolved or
  escalated: …", "source: …"), or a line of the draft's "To sort" heading. Signing off a note that says
  "decided by: …" would record that nobody knows who decided.
- The child's voice and lived experience is never missing: if the child was not seen, the recorder says
  so and when they will be ("Not seen since 2 Dec; to be seen alone by 16 Dec").

The caller passes each section's text with the draft's prompt lines already taken out, and shows each
message next to its section's field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

CHILDS_VOICE = "childs_voice"
CHILDS_VOICE_MISSING = (
    "Say what we know of the child's voice and daily life. If the child was not seen, write when they "
    'were last seen and when they will be seen alone, e.g. "Not seen since 2 Dec; to be seen alone by '
    '16 Dec".'
)

# "Label: …" where the value is only the draft's ellipsis, up to the end of the line or a separator.
_PLACEHOLDER = re.compile(r"(?P<label>[A-Za-z][\w'’ ]{0,40}?):[ \t]*(?:…|\.\.\.)[ \t]*(?=$|[)·;,\n])", re.M)
_TO_SORT = re.compile(r"^[ \t]*To sort \(observed, reported or a view\?\):?[ \t]*$", re.M)


def placeholders(text: str) -> list[str]:
    """Each placeholder left in the text, as written ("Decided by: …"), in order."""
    found = [f"{m['label'].strip()}: …" for m in _PLACEHOLDER.finditer(text)]
    found += [m[0].strip() for m in _TO_SORT.finditer(text)]
    return list(dict.fromkeys(found))


def placeholder_message(found: list[str]) -> str:
    shown = ", ".join(f'"{p}"' for p in found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    return f"Fill in or take out {shown} before signing off: the note keeps what you write here."


def problems(sections: Mapping[str, str]) -> dict[str, str]:
    """Section key -> what to fix before the note can be signed off; {} when it can be."""
    found: dict[str, str] = {}
    for key, text in sections.items():
        if left := placeholders(text):
            found[key] = placeholder_message(left)
    if not sections.get(CHILDS_VOICE, "").strip():
        found[CHILDS_VOICE] = CHILDS_VOICE_MISSING
    return found
