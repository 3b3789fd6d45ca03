"""What the question picker knows: the discussion so far, and what can be read from it.

Pure. ``Situation`` is what the caller passes in; ``Pick`` what comes back; ``Asked`` what the caller
records once a pick is posted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.discussions.rules_banks import Framework, Stage


@dataclass(frozen=True)
class Asked:
    """One question posted in this discussion; ``question_id`` is None when the stage prompt was used."""

    question_id: str | None
    stage_id: str | None
    lens: str | None
    skipped: bool = False


@dataclass(frozen=True)
class Situation:
    framework_id: str
    asked: tuple[Asked, ...] = ()  # this discussion so far, in order
    recent_question_ids: frozenset[str] = frozenset()  # used in the case's last three discussions
    lenses_in_case: frozenset[str] = frozenset()  # lenses ever asked in this case before this discussion
    has_developing_worker: bool = False
    seed: int = 0
    has_focus: bool = False  # the discussion was started with a focus question
    scores_given: bool = False  # a reply in this discussion gave a 0-10 number


@dataclass(frozen=True)
class Pick:
    text: str
    question_id: str | None  # None: the stage's own prompt, or a generic fallback
    stage_id: str | None  # the stage this pick is under; None for gap fills, another lens, extras
    lens: str | None
    audience: tuple[str, ...]
    reason: str  # one of REASONS
    stage_title: str | None
    scaling: bool
    finished_stages: bool  # every stage is covered once this is asked: the UI can suggest wrapping up

    def asked(self, *, skipped: bool = False) -> Asked:
        """What the caller records once this pick is posted (or skipped)."""
        return Asked(self.question_id, self.stage_id, self.lens, skipped)


def holding(framework: Framework, situation: Situation) -> frozenset[str]:
    """The preconditions (``rules_banks.CONDITIONS``) that hold at this point of the discussion."""
    found = set() if situation.has_focus else {"no_focus"}
    scaling = {stage.id for stage in framework.stages if stage.scaling}
    if situation.scores_given or any(a.stage_id in scaling and not a.skipped for a in situation.asked):
        found.add("scores_given")
    return frozenset(found)


def pending_stages(framework: Framework, situation: Situation) -> list[Stage]:
    covered = {a.stage_id for a in situation.asked if a.stage_id is not None}
    conditions = holding(framework, situation)
    return [
        stage
        for stage in framework.stages
        if stage.id not in covered and all(c in conditions for c in stage.requires)
    ]


def sure_lenses(stages: Iterable[Stage]) -> set[str]:
    """The lenses these stages are sure to ask: a stage's lens when it has only one."""
    return {stage.lenses[0] for stage in stages if len(stage.lenses) == 1}


def lens_counts(situation: Situation) -> Counter[str]:
    return Counter(a.lens for a in situation.asked if a.lens is not None)


def asked_ids(situation: Situation) -> frozenset[str]:
    return frozenset(a.question_id for a in situation.asked if a.question_id is not None)


def seed_key(situation: Situation, what: str) -> str:
    return f"{situation.seed}:{len(situation.asked)}:{what}"


_SCORE = re.compile(
    r"\b(10|[0-9])(\.5)?\s*(/|out of)\s*10\b|\b(number|score|scale|rating)\b[^.?!\n]{0,20}?\b(10|[0-9])\b",
    re.IGNORECASE,
)


def gives_a_score(text: str) -> bool:
    """A reply gives a 0-10 number: "6/10", "7 out of 10", "my number is 4", "I'd scale it a 5"."""
    return _SCORE.search(text) is not None
