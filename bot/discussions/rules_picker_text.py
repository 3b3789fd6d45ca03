"""Reading what people type: a lens for `/case ask`, a framework for `/case discuss`.

Pure. Accents, case, apostrophes and punctuation do not matter: "Child's voice", "childs-voice" and
"the child’s voice" are one lens; "Te Whare Tapa Whā" and "te-whare" one framework.
"""

from __future__ import annotations

import re
import unicodedata

from bot.discussions.rules_banks import LENS_TITLES, LENSES, Banks

# The names a person can type for each lens (shown when a lens is not recognised), then more aliases.
LENS_NAMES = {
    "clarifying": "clarifying",
    "assumptions": "assumptions",
    "childs_voice": "child",
    "risk": "risk",
    "culture": "culture",
    "roles": "roles",
    "learning": "learning",
    "next_steps": "next",
    "information_sharing": "sharing",
}
_LENS_ALIASES = {
    "clarify": "clarifying",
    "clarification": "clarifying",
    "facts": "clarifying",
    "assumption": "assumptions",
    "another": "assumptions",
    "another_lens": "assumptions",
    "probing": "assumptions",
    "bias": "assumptions",
    "child": "childs_voice",
    "childs": "childs_voice",
    "voice": "childs_voice",
    "child_voice": "childs_voice",
    "childs_voice": "childs_voice",
    "safety": "risk",
    "risks": "risk",
    "danger": "risk",
    "worries": "risk",
    "cultural": "culture",
    "identity": "culture",
    "role": "roles",
    "learn": "learning",
    "development": "learning",
    "next": "next_steps",
    "next_step": "next_steps",
    "steps": "next_steps",
    "actions": "next_steps",
    "plan": "next_steps",
    "sharing": "information_sharing",
    "share": "information_sharing",
    "info": "information_sharing",
    "information": "information_sharing",
    "info_sharing": "information_sharing",
}

# Alias -> phrases looked for in a framework's id, then its name (normalised), first match wins.
_FRAMEWORK_ALIASES = {
    "cf": ("critical_friend",),
    "critical": ("critical_friend",),
    "friend": ("critical_friend",),
    "gibbs": ("gibbs",),
    "3q": ("three_questions", "safety_mapping"),
    "three": ("three_questions", "safety_mapping"),
    "three_questions": ("three_questions", "safety_mapping"),
    "safety_mapping": ("safety_mapping", "three_questions"),
    "safety": ("safety_mapping", "three_questions"),
    "whare": ("whare",),
    "te_whare": ("whare",),
    "te_whare_tapa_wha": ("whare",),
    "tapa_wha": ("whare",),
    "fonofale": ("fonofale",),
    "review": ("review_of_progress", "progress"),  # "structured" names the other review
    "progress": ("review_of_progress", "progress"),
    "he_pikorua": ("pikorua", "progress"),
    "pikorua": ("pikorua", "progress"),
    "structured": ("structured_review", "structured"),
    "structured_review": ("structured_review", "structured"),
    "dea": ("structured", "ecological"),
    "ecological": ("ecological", "structured"),
    "reflective": ("reflective_cycle", "reflective"),
    "reflective_cycle": ("reflective_cycle", "reflective"),
    "cycle": ("reflective_cycle", "reflective"),
    "kolb": ("reflective_cycle", "kolb", "reflective"),
    "morrison": ("reflective_cycle", "morrison", "reflective"),
    "4x4x4": ("reflective_cycle", "4x4x4", "reflective"),
    "aspire": ("aspire",),
}


def lens_from_text(text: str) -> str | None:
    """A lens id from what a person typed: "child's voice", "childs-voice", "safety", "next"…"""
    word = _normalise(text)
    if word in LENSES:
        return word
    titles = {_normalise(title): lens for lens, title in LENS_TITLES.items()}
    names = {name: lens for lens, name in LENS_NAMES.items()}
    for table in (titles, names, _LENS_ALIASES):
        if word in table:
            return table[word]
    if word.startswith("the_"):
        return lens_from_text(word[4:])
    return None


def framework_from_text(text: str, banks: Banks) -> str | None:
    """A framework id from what a person typed: its id, its name, or an alias ("cf", "gibbs", "3q"…).

    Tried in order: the id; the name; an alias (``_FRAMEWORK_ALIASES``: "review" means the review of
    progress, "structured" the structured review); otherwise a fragment of exactly one framework's id
    or name (three characters or more). None when nothing matches.
    """
    word = _normalise(text)
    if not word:
        return None
    frameworks = sorted(banks.frameworks.values(), key=lambda f: f.id)
    ids = {f.id: _normalise(f.id) for f in frameworks}
    names = {f.id: _normalise(f.name) for f in frameworks}
    for table in (ids, names):
        for framework_id, value in table.items():
            if value == word:
                return framework_id
    for phrase in _FRAMEWORK_ALIASES.get(word, ()):
        for table in (ids, names):
            for framework_id, value in table.items():
                if phrase in value:
                    return framework_id
    if len(word) >= 3:
        found = {f.id for f in frameworks if word in ids[f.id] or word in names[f.id]}
        if len(found) == 1:
            return found.pop()
    return None


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"['`]", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
