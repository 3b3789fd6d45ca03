"""Which bank question, once the picker knows what kind of question it wants.

Pure and deterministic: ties are broken by ``random.Random(key)`` over candidates sorted by id.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from bot.discussions.rules_banks import Question, Stage
from bot.discussions.rules_picker_state import Pick

# Used only when a bank has no question at all for a lens (or none left in this discussion).
FALLBACK_QUESTIONS = {
    "clarifying": "What do we know for certain here, and how do we know it?",
    "assumptions": "What other explanation could fit the same facts?",
    "childs_voice": "If the child were listening to this discussion, what would they want us to understand?",
    "risk": "What worries us most right now, and what is already keeping the child safe?",
    "culture": "Whose cultural knowledge or advice would help us understand this family better?",
    "roles": "Are we both clear about who is doing what, and is there anything neither of us owns?",
    "learning": "What is one thing from this case you would like to learn more about, and who could help?",
    "next_steps": "What will each of us do next, by when, and how will we know it is done?",
    "information_sharing": "Does anyone else need to know about this now, and on what basis?",
}


def eligible(question: Question, has_developing: bool) -> bool:
    """Co-worker discussions: never manager-only; developing-only only with a developing worker."""
    return "coworkers" in question.audience or (has_developing and "developing" in question.audience)


def allowed(question: Question, holding: frozenset[str]) -> bool:
    """Every precondition the question declares (``requires``) holds."""
    return all(condition in holding for condition in question.requires)


def best(
    pool: Iterable[Question],
    *,
    order: Sequence[str] | None,
    asked_ids: frozenset[str],
    recent: frozenset[str],
    holding: frozenset[str],
    prefer: str,
    has_developing: bool,
    allow_recent: bool,
    key: str,
) -> Question | None:
    """The best candidate: not recent, then earlier in ``order`` (lenses), then of the preferred
    audience; ties broken by a seeded choice among candidates sorted by id. Never one asked in this
    discussion, one whose preconditions do not hold, or one not meant for co-workers."""
    position = {lens: i for i, lens in enumerate(order)} if order is not None else None
    candidates = [
        q
        for q in pool
        if q.id not in asked_ids
        and eligible(q, has_developing)
        and allowed(q, holding)
        and (allow_recent or q.id not in recent)
        and (position is None or q.lens in position)
    ]
    if not candidates:
        return None

    def rank(q: Question) -> tuple[bool, int, bool]:
        return (q.id in recent, position[q.lens] if position else 0, prefer not in q.audience)

    lowest = min(map(rank, candidates))
    tied = sorted((q for q in candidates if rank(q) == lowest), key=lambda q: q.id)
    return random.Random(key).choice(tied)


def prompt_pick(stage: Stage, *, finishes: bool) -> Pick:
    """The stage's own question: it belongs to the framework, so it is asked in every discussion."""
    return Pick(
        text=stage.prompt,
        question_id=None,
        stage_id=stage.id,
        lens=stage.lenses[0] if stage.lenses else None,
        audience=("coworkers",),
        reason="stage",
        stage_title=stage.title,
        scaling=stage.scaling,
        finished_stages=finishes,
    )


def lens_pick(question: Question | None, fallback_lens: str, reason: str, *, finished: bool) -> Pick:
    audience: tuple[str, ...]
    if question is None:
        text, question_id, lens, audience = (
            FALLBACK_QUESTIONS[fallback_lens],
            None,
            fallback_lens,
            ("coworkers",),
        )
    else:
        text, question_id, lens, audience = question.text, question.id, question.lens, question.audience
    return Pick(
        text=text,
        question_id=question_id,
        stage_id=None,
        lens=lens,
        audience=audience,
        reason=reason,
        stage_title=None,
        scaling=False,
        finished_stages=finished,
    )
