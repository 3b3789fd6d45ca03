"""Question banks and frameworks: the shapes, and validation of the TOML that describes them.

Pure: the files are read by ``bot.content``; this module is given their parsed contents and a name to
blame, so every error names the file and the entry.

A question fits a framework stage when it is tagged with that stage ("framework.stage") or when its
lens is one of the stage's lenses. A stage's own ``prompt`` belongs to the framework: it may be asked
again in a later discussion because the framework requires that stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

LENSES = (
    "clarifying",
    "assumptions",
    "childs_voice",
    "risk",
    "culture",
    "roles",
    "learning",
    "next_steps",
    "information_sharing",
)
LENS_TITLES = {
    "clarifying": "Clarifying",
    "assumptions": "Another lens",
    "childs_voice": "The child's voice",
    "risk": "Risk and safety",
    "culture": "Culture and identity",
    "roles": "Roles",
    "learning": "Learning",
    "next_steps": "Next steps",
    "information_sharing": "Information sharing",
}
AUDIENCES = ("coworkers", "manager", "developing")
DEFAULT_FRAMEWORK = "critical_friend"


MIN_QUESTIONS_PER_LENS = 8
# Slack's limits where bank text is shown (docs.slack.dev Block Kit reference): each framework is a
# choice in the start form's menu (option text 75 characters, value 150, at most 100 options).
NAME_MAX = 75  # a framework's name; also a role's
ID_MAX = 150  # a framework's id
FRAMEWORKS_MAX = 100
TEXT_MAX = 1000  # a question or a stage's prompt, quoted in the case thread
TITLE_MAX = 150  # a stage's title, the heading of its questions
ROLES_MAX = 10
ALL_BANKS = "question banks"  # what an error names when no single file is to blame

QUESTION_KEYS = ("id", "lens", "text", "stages", "audience")
FRAMEWORK_KEYS = ("id", "name", "summary", "roles", "stage")
STAGE_KEYS = ("id", "title", "prompt", "lenses", "scaling")
TOP_LEVEL_KEYS = ("question", "framework")

_QUESTION_ID = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")  # clarifying.last_seen
_NAME_ID = re.compile(r"[a-z0-9_]+")  # framework and stage ids: no dots, they are joined by one
_STAGE_REF = re.compile(r"([a-z0-9_]+)\.([a-z0-9_]+)")  # critical_friend.clarifying


class BankError(ValueError):
    """A bank file is malformed; the message names the file and the entry."""


class UnknownEntry(BankError, KeyError):
    """A framework or stage asked for by id is not in the banks (a BankError and a KeyError)."""

    __str__ = BaseException.__str__  # KeyError would quote the message


@dataclass(frozen=True)
class Question:
    id: str
    lens: str
    text: str
    stages: tuple[str, ...] = ()  # "framework.stage" ids it fits
    audience: tuple[str, ...] = ("coworkers",)
    source: str = field(default="", compare=False, repr=False)  # the file it came from, for errors


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    prompt: str  # the framework's own question for this stage
    lenses: tuple[str, ...] = ()
    scaling: bool = False  # each worker gives a 0-10 scale with "why not lower?" / "what would move it up?"


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    summary: str
    stages: tuple[Stage, ...]
    roles: tuple[str, ...] = ()  # e.g. presenter, facilitator, recorder
    source: str = field(default="", compare=False, repr=False)  # the file it came from, for errors

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise UnknownEntry(
            f'framework "{self.id}" has no stage "{stage_id}" (stages: {_listing(s.id for s in self.stages)})'
        )


@dataclass(frozen=True)
class Banks:
    questions: Mapping[str, Question] = field(default_factory=dict)
    frameworks: Mapping[str, Framework] = field(default_factory=dict)

    def framework(self, framework_id: str) -> Framework:
        try:
            return self.frameworks[framework_id]
        except KeyError:
            raise UnknownEntry(
                f'no framework "{framework_id}" (frameworks: {_listing(sorted(self.frameworks))})'
            ) from None


# ------------------------------------------------------------------ parsing one file
def parse_bank(source: str, data: Mapping[str, Any]) -> Banks:
    """One parsed TOML file: its ``[[question]]`` and ``[[framework]]`` tables, nothing else."""
    unknown = [key for key in data if key not in TOP_LEVEL_KEYS]
    if unknown:
        raise BankError(
            f"{source}: unknown top-level {_plural('key', unknown)} {_quoted(unknown)} "
            f"(a bank file holds [[question]] and [[framework]] tables)"
        )
    return Banks(parse_questions(source, data), parse_frameworks(source, data))


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
            entry.fail(f'has unknown lens "{lens}" (known: {_listing(LENSES)})')
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
    )


# ------------------------------------------------------------ combining and checking
def combine(*banks: Banks) -> Banks:
    """The files of one folder: together, but an id defined in two of them is an error."""
    questions: dict[str, Question] = {}
    frameworks: dict[str, Framework] = {}
    for bank in banks:
        for question in bank.questions.values():
            if question.id in questions:
                raise BankError(
                    f'{question.source}: question "{question.id}" is also defined in '
                    f"{questions[question.id].source}; keep one, or move the replacement to a later folder"
                )
            questions[question.id] = question
        for framework in bank.frameworks.values():
            if framework.id in frameworks:
                raise BankError(
                    f'{framework.source}: framework "{framework.id}" is also defined in '
                    f"{frameworks[framework.id].source}; keep one, or move the replacement to a later folder"
                )
            frameworks[framework.id] = framework
    return Banks(questions, frameworks)


def merge(*banks: Banks) -> Banks:
    """Layers in order: a later bank adds questions and frameworks, and replaces earlier ones by id."""
    questions: dict[str, Question] = {}
    frameworks: dict[str, Framework] = {}
    for bank in banks:
        questions.update(bank.questions)
        frameworks.update(bank.frameworks)
    return Banks(questions, frameworks)


def validate(banks: Banks) -> None:
    """Cross-checks after merging; a BankError names the file and the entry to fix."""
    if len(banks.frameworks) > FRAMEWORKS_MAX:
        files = sorted({_where(f.source) for f in banks.frameworks.values()})
        raise BankError(
            f"{ALL_BANKS}: {len(banks.frameworks)} frameworks, but the start form's menu holds at most "
            f"{FRAMEWORKS_MAX} (Slack's limit); see {', '.join(files)}"
        )
    if DEFAULT_FRAMEWORK not in banks.frameworks:
        raise BankError(
            f'{ALL_BANKS}: the default framework "{DEFAULT_FRAMEWORK}" is missing '
            f"(frameworks: {_listing(sorted(banks.frameworks))})"
        )
    for framework in banks.frameworks.values():
        where = f'{_where(framework.source)}: framework "{framework.id}"'
        if not framework.stages:
            raise BankError(f"{where} has no stages")
        seen: set[str] = set()
        for stage in framework.stages:
            if stage.id in seen:
                raise BankError(f'{where} has stage "{stage.id}" twice')
            seen.add(stage.id)
            for lens in stage.lenses:
                if lens not in LENSES:
                    raise BankError(
                        f'{where} stage "{stage.id}" has unknown lens "{lens}" (known: {_listing(LENSES)})'
                    )
    for question in banks.questions.values():
        where = f'{_where(question.source)}: question "{question.id}"'
        if question.lens not in LENSES:
            raise BankError(f'{where} has unknown lens "{question.lens}" (known: {_listing(LENSES)})')
        for audience in question.audience:
            if audience not in AUDIENCES:
                raise BankError(f'{where} has unknown audience "{audience}" (known: {_listing(AUDIENCES)})')
        for ref in question.stages:
            framework_id, _, stage_id = ref.partition(".")
            named = banks.frameworks.get(framework_id)
            if named is None:
                raise BankError(
                    f'{where} names stage "{ref}" of unknown framework "{framework_id}" '
                    f"(frameworks: {_listing(sorted(banks.frameworks))})"
                )
            if stage_id not in {s.id for s in named.stages}:
                raise BankError(
                    f'{where} names stage "{ref}", but framework "{framework_id}" has no stage '
                    f'"{stage_id}" (stages: {_listing(s.id for s in named.stages)})'
                )
    for lens in LENSES:
        found = questions_in(banks, lens)
        if len(found) < MIN_QUESTIONS_PER_LENS:
            files = sorted({_where(q.source) for q in found})
            raise BankError(
                f'{ALL_BANKS}: lens "{lens}" has {len(found)} {_plural("question", found)} '
                f"(at least {MIN_QUESTIONS_PER_LENS} needed)" + (f"; see {', '.join(files)}" if files else "")
            )


# ------------------------------------------------------------------ for a picker
def questions_in(banks: Banks, lens: str) -> list[Question]:
    """The questions of one lens, sorted by id."""
    if lens not in LENSES:
        raise BankError(f'unknown lens "{lens}" (known: {_listing(LENSES)})')
    return sorted((q for q in banks.questions.values() if q.lens == lens), key=lambda q: q.id)


def fits(question: Question, framework_id: str, stage: Stage) -> bool:
    """Tagged with this stage ("framework.stage"), or its lens is one of the stage's lenses."""
    return f"{framework_id}.{stage.id}" in question.stages or question.lens in stage.lenses


def questions_for(
    banks: Banks, framework_id: str, stage_id: str, audience: str | None = None
) -> list[Question]:
    """The questions that fit a stage (for one audience if given): tagged ones first, then by id."""
    stage = banks.framework(framework_id).stage(stage_id)
    ref = f"{framework_id}.{stage_id}"
    found = [
        q
        for q in banks.questions.values()
        if fits(q, framework_id, stage) and (audience is None or audience in q.audience)
    ]
    return sorted(found, key=lambda q: (ref not in q.stages, q.id))


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
            self.fail(f"has unknown {_plural('key', unknown)} {_quoted(unknown)} (allowed: {_listing(keys)})")

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
            self.fail(f'has an empty "{key}" (known: {_listing(known or ())})')
        if most is not None and len(value) > most:
            self.fail(f'has {len(value)} "{key}"; at most {most} fit in Slack')
        if longest is not None and (long := [v for v in value if isinstance(v, str) and len(v) > longest]):
            self.fail(f'has an entry of {len(long[0])} characters in "{key}"; at most {longest} fit in Slack')
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(f'has {_kind_of(item)} {item!r} in "{key}"; it should hold only non-empty text')
            if known is not None and item not in known:
                self.fail(f'has unknown {_singular(key)} "{item}" (known: {_listing(known)})')
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
    return {"lenses": "lens", "stages": "stage"}.get(key, key)


def _plural(word: str, items: list[Any]) -> str:
    return word if len(items) == 1 else word + "s"


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)


def _listing(items: Iterable[str]) -> str:
    return ", ".join(items)


def _where(source: str) -> str:
    return source or ALL_BANKS
