"""Parsing what follows the slash command."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invocation:
    sub: str
    args: tuple[str, ...]


def parse(text: str | None) -> Invocation:
    words = (text or "").split()
    if not words:
        return Invocation("help", ())
    return Invocation(words[0].lower(), tuple(words[1:]))
