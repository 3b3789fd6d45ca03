"""Question banks and frameworks: their shapes, the names they use, and the questions fitting a stage.

Pure. ``rules_banks_parse`` reads one parsed TOML file into these shapes; ``rules_banks`` combines the
files and checks them together.

A stage's own ``prompt`` belongs to the framework: it is asked first whenever the stage comes up, in
every discussion. Bank questions follow it under the stage's heading only when their lens is one of the
stage's lenses and they are tagged with the stage ("framework.stage"); a stage's lenses also say which
lenses the stage covers for the picker's gap fills.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
# Preconditions a question or a stage may declare with ``requires``; the picker asks it only when all hold.
CONDITIONS = {
    "scores_given": "someone has given a 0-10 number in this discussion (a scaling stage, or a reply)",
    "no_focus": "the discussion was started without a focus question",
}
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
    requires: tuple[str, ...] = ()  # CONDITIONS that must hold before it is asked
    source: str = field(default="", compare=False, repr=False)  # the file it came from, for errors


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    prompt: str  # the framework's own question for this stage, always asked first
    lenses: tuple[str, ...] = ()
    scaling: bool = False  # each worker gives a 0-10 scale with "why not lower?" / "what would move it up?"
    requires: tuple[str, ...] = ()  # CONDITIONS; when one fails the stage is passed over


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
            f'framework "{self.id}" has no stage "{stage_id}" (stages: {listing(s.id for s in self.stages)})'
        )


@dataclass(frozen=True)
class Banks:
    questions: Mapping[str, Question] = field(default_factory=dict)
    frameworks: Mapping[str, Framework] = field(default_factory=dict)
    vocabulary: Mapping[str, str] = field(
        default_factory=dict
    )  # "child" -> "mokopuna" (rules_banks_vocabulary)
    vocabulary_source: str = field(default="", compare=False, repr=False)  # one file's, for errors

    def framework(self, framework_id: str) -> Framework:
        try:
            return self.frameworks[framework_id]
        except KeyError:
            raise UnknownEntry(
                f'no framework "{framework_id}" (frameworks: {listing(sorted(self.frameworks))})'
            ) from None


# ------------------------------------------------------------------ for a picker
def questions_in(banks: Banks, lens: str) -> list[Question]:
    """The questions of one lens, sorted by id."""
    if lens not in LENSES:
        raise BankError(f'unknown lens "{lens}" (known: {listing(LENSES)})')
    return sorted((q for q in banks.questions.values() if q.lens == lens), key=lambda q: q.id)


def fits(question: Question, framework_id: str, stage: Stage) -> bool:
    """May follow the stage's prompt under its heading: of one of the stage's lenses, and tagged with it."""
    return f"{framework_id}.{stage.id}" in question.stages and question.lens in stage.lenses


def questions_for(
    banks: Banks, framework_id: str, stage_id: str, audience: str | None = None
) -> list[Question]:
    """The questions that may follow a stage's prompt (for one audience if given), by id."""
    stage = banks.framework(framework_id).stage(stage_id)
    found = [
        q
        for q in banks.questions.values()
        if fits(q, framework_id, stage) and (audience is None or audience in q.audience)
    ]
    return sorted(found, key=lambda q: q.id)


# --------------------------------------------------------------------------- wording of errors
def plural(word: str, items: list[Any]) -> str:
    return word if len(items) == 1 else word + "s"


def quoted(items: Iterable[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)


def listing(items: Iterable[str]) -> str:
    return ", ".join(items)


def where(source: str) -> str:
    return source or ALL_BANKS
