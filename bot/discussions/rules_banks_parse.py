"""Reading one bank file: its parsed TOML into questions and frameworks, every error naming the entry.

Pure: ``bot.content`` reads the files and passes each one's parsed contents and a name to blame.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

from bot.discussions.rules_banks_shapes import (
    AUDIENCES,
    CONDITIONS,
    ID_MAX,
    LENSES,
    NAME_MAX,
    ROLES_MAX,
    TEXT_MAX,
    TITLE_MAX,
    BankError,
    Banks,
    Framework,
    Question,
    Stage,
    listing,
    plural,
    quoted,
)
from bot.discussions.rules_banks_vocabulary import parse_vocabulary

QUESTION_KEYS = ("id", "lens", "text", "stages", "audience", "requires")
FRAMEWORK_KEYS = ("id", "name", "summary", "roles", "stage")
STAGE_KEYS = ("id", "title", "prompt", "lenses", "scaling", "requires")
TOP_LEVEL_KEYS = ("question", "framework", "vocabulary")

_QUESTION_ID = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")  # clarifying.last_seen
_NAME_ID = re.compile(r"[a-z0-9_]+")  # framework and stage ids: no dots, they are joined by one
_STAGE_REF = re.compile(r"([a-z0-9_]+)\.([a-z0-9_]+)")  # critical_friend.clarifying


def parse_bank(source: str, data: Mapping[str, Any]) -> Banks:
    """One parsed TOML file: its ``[[question]]`` and ``[[framework]]`` tables and its ``[vocabulary]``."""
    unknown = [key for key in data if key not in TOP_LEVEL_KEYS]
    if unknown:
        raise BankError(
            f"{source}: unknown top-level {plural('key', unknown)} {quoted(unknown)} "
            f"(a bank file holds [[question]] and [[framework]] tables, and a [vocabulary] table)"
        )
    vocabulary = parse_vocabulary(source, data)
    return Banks(
        parse_questions(source, data),
        parse_frameworks(source, data),
        vocabulary,
        vocabulary_source=source if vocabulary else "",
    )


def parse_questions(source: str, data: Mapping[str, Any]) -> dict[str, Question]:
    """The ``[[question]]`` tables of one file, by id; a BankError names the file and the question."""
    questions: dict[str, Question] = {}
    positions: dict[str, int] = {}
    for position, raw in enumerate(_array(source, data, "question"), start=1):
        entry = _Entry(source, "question", position, raw, QUESTION_KEYS)
        question_id = entry.ident("id", _QUESTION_ID, "lower-case words joined by dots, e.g. risk.scale")
        if question_id in questions:
            entry.fail(f"is defined twice (entries #{positions[question_id]} and #{position})")
        lens = entry.text("lens")
        if lens not in LENSES:
            entry.fail(f'has unknown lens "{lens}" (known: {listing(LENSES)})')
        stages = entry.strings("stages")
        for ref in stages:
            if not _STAGE_REF.fullmatch(ref):
                entry.fail(f'has stage "{ref}": write "framework.stage", e.g. "critical_friend.clarifying"')
        questions[question_id] = Question(
            id=question_id,
            lens=lens,
            text=entry.text("text", most=TEXT_MAX, shown="in the case thread"),
            stages=stages,
            audience=entry.strings("audience", default=("coworkers",), known=AUDIENCES, allow_empty=False),
            requires=entry.strings("requires", known=tuple(CONDITIONS)),
            source=source,
        )
        positions[question_id] = position
    return questions


def parse_frameworks(source: str, data: Mapping[str, Any]) -> dict[str, Framework]:
    """The ``[[framework]]`` tables of one file (each with ordered ``[[framework.stage]]``), by id."""
    frameworks: dict[str, Framework] = {}
    positions: dict[str, int] = {}
    for position, raw in enumerate(_array(source, data, "framework"), start=1):
        entry = _Entry(source, "framework", position, raw, FRAMEWORK_KEYS)
        framework_id = entry.ident("id", _NAME_ID, "lower-case letters, digits and underscores", most=ID_MAX)
        if framework_id in frameworks:
            entry.fail(f"is defined twice (entries #{positions[framework_id]} and #{position})")
        stage_tables = entry.tables("stage")
        if not stage_tables:
            entry.fail("has no stages: add [[framework.stage]] tables after it")
        stages: list[Stage] = []
        for stage_position, stage_raw in enumerate(stage_tables, start=1):
            stage = _stage(entry, stage_position, stage_raw)
            if any(s.id == stage.id for s in stages):
                entry.fail(f'has stage "{stage.id}" twice')
            stages.append(stage)
        frameworks[framework_id] = Framework(
            id=framework_id,
            name=entry.text("name", most=NAME_MAX, shown="as a choice in the start form"),
            summary=entry.text("summary"),
            stages=tuple(stages),
            roles=entry.strings("roles", most=ROLES_MAX, longest=NAME_MAX),
            source=source,
        )
        positions[framework_id] = position
    return frameworks


def _stage(framework: _Entry, position: int, raw: object) -> Stage:
    entry = _Entry(framework.source, f"{framework.label} stage", position, raw, STAGE_KEYS)
    return Stage(
        id=entry.ident("id", _NAME_ID, "lower-case letters, digits and underscores"),
        title=entry.text("title", most=TITLE_MAX, shown="as the heading of its questions"),
        prompt=entry.text("prompt", most=TEXT_MAX, shown="as a question in the case thread"),
        lenses=entry.strings("lenses", known=LENSES),
        scaling=entry.flag("scaling"),
        requires=entry.strings("requires", known=tuple(CONDITIONS)),
    )


# --------------------------------------------------------------------------- helpers
class _Entry:
    """One TOML table being read, and how to name it in an error."""

    def __init__(self, source: str, kind: str, position: int, raw: object, keys: tuple[str, ...]) -> None:
        self.source = source
        if not isinstance(raw, Mapping):
            raise BankError(f"{source}: {kind} #{position} should be a table, not {_kind_of(raw)}")
        self.raw: Mapping[str, Any] = raw
        self.kind = kind
        ident = raw.get("id")
        named = isinstance(ident, str) and ident.strip()
        self.label = f'{kind} "{ident}"' if named else f"{kind} #{position}"
        unknown = [key for key in raw if key not in keys]
        if unknown:
            self.fail(f"has unknown {plural('key', unknown)} {quoted(unknown)} (allowed: {listing(keys)})")

    def fail(self, problem: str) -> NoReturn:
        raise BankError(f"{self.source}: {self.label} {problem}")

    def text(self, key: str, *, most: int | None = None, shown: str = "in Slack") -> str:
        if key not in self.raw:
            self.fail(f'is missing "{key}"')
        value = self.raw[key]
        if not isinstance(value, str):
            self.fail(f'has "{key}" as {_kind_of(value)}; it should be text')
        if not value.strip():
            self.fail(f'has an empty "{key}"')
        text = " ".join(value.split())  # multi-line TOML strings read as one line
        if most is not None and len(text) > most:
            self.fail(
                f'has a "{key}" of {len(text)} characters; it is shown {shown}, where at most {most} fit'
            )
        return text

    def ident(self, key: str, pattern: re.Pattern[str], shape: str, *, most: int | None = None) -> str:
        value = self.text(key)
        if not pattern.fullmatch(value):
            self.fail(f'has {key} "{value}"; use {shape}')
        if most is not None and len(value) > most:
            self.fail(f"has an {key} of {len(value)} characters; Slack takes at most {most}")
        return value

    def strings(
        self,
        key: str,
        *,
        default: tuple[str, ...] = (),
        known: tuple[str, ...] | None = None,
        allow_empty: bool = True,
        most: int | None = None,
        longest: int | None = None,
    ) -> tuple[str, ...]:
        if key not in self.raw:
            return default
        value = self.raw[key]
        if not isinstance(value, list):
            self.fail(f'has "{key}" as {_kind_of(value)}; it should be a list of text, e.g. ["a", "b"]')
        if not value and not allow_empty:
            self.fail(f'has an empty "{key}" (known: {listing(known or ())})')
        if most is not None and len(value) > most:
            self.fail(f'has {len(value)} "{key}"; at most {most} fit in Slack')
        if longest is not None and (long := [v for v in value if isinstance(v, str) and len(v) > longest]):
            self.fail(f'has an entry of {len(long[0])} characters in "{key}"; at most {longest} fit in Slack')
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(f'has {_kind_of(item)} {item!r} in "{key}"; it should hold only non-empty text')
            if known is not None and item not in known:
                self.fail(f'has unknown {_singular(key)} "{item}" (known: {listing(known)})')
            if item in items:
                self.fail(f'has "{item}" twice in "{key}"')
            items.append(item)
        return tuple(items)

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            self.fail(f'has "{key}" as {_kind_of(value)}; it should be true or false')
        return value

    def tables(self, key: str) -> list[object]:
        value = self.raw.get(key, [])
        if not isinstance(value, list):
            self.fail(f'has "{key}" as {_kind_of(value)}; write each one as a [[{self.kind}.{key}]] table')
        return value


def _array(source: str, data: Mapping[str, Any], key: str) -> list[object]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BankError(f'{source}: "{key}" is {_kind_of(value)}; write each one as a [[{key}]] table')
    return value


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return "a date" if hasattr(value, "isoformat") else type(value).__name__


def _singular(key: str) -> str:
    return {"lenses": "lens", "stages": "stage", "requires": "condition"}.get(key, key)
