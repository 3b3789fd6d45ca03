"""The organisation's own words for child, teacher and family (issue 22): RTLB practice says mokopuna,
kaiako and whānau. Set in a bank file's ``[vocabulary]`` table; applied to every question casebot posts
and to its heading.

Pure. Only the words casebot wrote are changed (bank questions, stage prompts and titles, the generic
questions): never what people typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.discussions.rules_banks_shapes import BankError, listing

WORDS = ("child", "children", "teacher", "teachers", "family", "families")
# A plural not given takes the singular's word: te reo Māori nouns take no -s (mokopuna, kaiako,
# whānau); set the plural too for an English word ("young person" / "young people").
PLURAL_OF = {"children": "child", "teachers": "teacher", "families": "family"}
WORD_MAX = 40
_WORD = re.compile(r"\b(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def parse_vocabulary(source: str, data: Mapping[str, Any]) -> dict[str, str]:
    """A bank file's ``[vocabulary]`` table, e.g. ``child = "mokopuna"``; a BankError names the file."""
    table = data.get("vocabulary", {})
    if not isinstance(table, Mapping):
        raise BankError(f'{source}: "vocabulary" should be a table: [vocabulary] then child = "mokopuna"')
    found: dict[str, str] = {}
    for word, value in table.items():
        if word not in WORDS:
            raise BankError(f'{source}: [vocabulary] has unknown word "{word}" (known: {listing(WORDS)})')
        if not isinstance(value, str) or not value.strip():
            raise BankError(f'{source}: [vocabulary] {word} should be a non-empty word, e.g. "mokopuna"')
        text = " ".join(value.split())
        if len(text) > WORD_MAX:
            raise BankError(f"{source}: [vocabulary] {word} is {len(text)} characters; at most {WORD_MAX}")
        found[word] = text
    return found


def complete(vocabulary: Mapping[str, str]) -> dict[str, str]:
    """Every word to replace: a plural not set follows its singular."""
    words = dict(vocabulary)
    for plural, singular in PLURAL_OF.items():
        if plural not in words and singular in words:
            words[plural] = words[singular]
    return words


def in_words(text: str, vocabulary: Mapping[str, str]) -> str:
    """``text`` in the organisation's words: "the child's teacher" → "the mokopuna's kaiako"."""
    if not vocabulary:
        return text
    words = complete(vocabulary)

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        chosen = words.get(found.lower())
        if chosen is None:
            return found
        return chosen[0].upper() + chosen[1:] if found[0].isupper() else chosen

    return _WORD.sub(swap, text)
