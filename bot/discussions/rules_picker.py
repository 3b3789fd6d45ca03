"""Which question to ask next: in a reflective case discussion, and for `/case ask` outside one.

Pure and deterministic: the caller passes the banks and what has happened so far (a ``Situation``);
the same inputs always give the same ``Pick``. Randomness comes only from
``random.Random(f"{seed}:{len(asked)}:{what}")`` over candidates sorted by id, so a different seed
may give a different question while a replay of the same discussion gives the same one.

The caller records every pick it posts as ``pick.asked()`` (or ``pick.asked(skipped=True)`` when the
co-workers press *Skip*) and passes the growing tuple back in ``Situation.asked``.

Ordering of ``next_question`` (one rule wins per call, top to bottom):

1. A follow-up (``follow_up``): right after a stage's own prompt (not skipped), one bank question under
   the same heading that fits the stage: of one of the stage's lenses *and* tagged with the stage. None
   fits (or all were used lately): on to the next rule.
2. A pending stage that is not the framework's last stage: its own prompt, always first. A stage is
   pending until something has been asked under it (a skipped prompt still covers it); a stage whose
   ``requires`` do not hold (the focus stage when a focus was given) is passed over.
3. Gap fills, only once every stage but the last is covered (so they come just before "next steps" /
   "action plan"), one per call, in this order, each only when nothing in this discussion has had
   that lens yet (skipped or not; a stage prompt counts as its stage's first lens) and no stage,
   covered or pending, has that lens as its only lens:
   child's voice (``gap:childs_voice``); risk (``gap:risk``); roles, and only when roles have never
   been discussed in the case (``gap:roles``); a learning question whose audience includes
   "developing", only when the case has a developing worker (``learning``).
4. The last stage's prompt (``finished_stages`` is True from here on), then its follow-up.
5. ``extra`` questions for ever after, from the lenses least used in this discussion.

Which question, once the rule is chosen (``rules_picker_choice.best``):

- Never a question asked earlier in this discussion; never one whose preconditions (``requires``: a
  0-10 number given, no focus given) do not hold; never a "manager"-only question (these are
  co-worker discussions); "developing"-only questions only when the case has a developing worker.
- Follow-ups: never one used in the case's last three discussions, "coworkers" audience preferred.
- Gap fills, extras, ``another_lens`` and ``one_question``: an unused question first; when every one is
  used, a recent one (still never one asked in this discussion); when the bank has nothing at all for
  the lens, a built-in generic question for that lens (``FALLBACK_QUESTIONS``; ``question_id`` None).
"""

from __future__ import annotations

import random

from bot.discussions.rules_banks import LENSES, Banks, Framework, fits
from bot.discussions.rules_picker_choice import FALLBACK_QUESTIONS, best, lens_pick, prompt_pick
from bot.discussions.rules_picker_state import (
    Asked,
    Pick,
    Situation,
    asked_ids,
    gives_a_score,
    holding,
    lens_counts,
    pending_stages,
    seed_key,
    sure_lenses,
)
from bot.discussions.rules_picker_text import LENS_NAMES, lens_from_text
from bot.kernel.rules_text import slack_escape

__all__ = [
    "ASK_LENSES",
    "FALLBACK_QUESTIONS",
    "GAP_LENSES",
    "REASONS",
    "Asked",
    "Pick",
    "Situation",
    "another_lens",
    "gives_a_score",
    "holding",
    "next_question",
    "one_question",
]

GAP_LENSES = ("childs_voice", "risk", "roles")
ASK_LENSES = ("clarifying", "assumptions", "childs_voice", "risk", "roles")  # `/case ask` with no lens
REASONS = (
    "stage",
    "follow_up",
    "gap:childs_voice",
    "gap:risk",
    "gap:roles",
    "learning",
    "another_lens",
    "extra",
)


# --------------------------------------------------------------------------- picking
def next_question(banks: Banks, situation: Situation) -> Pick:
    """The next question of a discussion; see the module docstring for the order."""
    framework = _framework(banks, situation.framework_id)
    pending = pending_stages(framework, situation)
    follow_up = _follow_up(banks, framework, situation, finished=len(pending) == 0)
    if follow_up is not None:
        return follow_up
    if pending and pending[0].id != framework.stages[-1].id:
        return prompt_pick(pending[0], finishes=False)
    gap = _first_gap(framework, situation)
    if gap is not None:
        lens, reason = gap
        return _gap_pick(banks, framework, situation, lens, reason, finished=not pending)
    if pending:
        return prompt_pick(pending[0], finishes=True)
    return _extra_pick(banks, framework, situation)


def another_lens(banks: Banks, situation: Situation) -> Pick:
    """A question from a lens not yet used in this discussion; the current stage stays pending.

    Lens order: unused gap lenses (child's voice, risk, roles) that no pending stage is sure to ask
    (a pending stage whose only lens it is); then the other such unused lenses, shuffled by the seed;
    then unused lenses a pending stage is sure to ask; then, if every lens is used, the least used
    ones. An unused question in any lens beats a recent one.
    """
    framework = _framework(banks, situation.framework_id)
    pending = pending_stages(framework, situation)
    used = lens_counts(situation)
    rng = random.Random(seed_key(situation, "another_lens:order"))
    weight = {lens: rng.random() for lens in LENSES}
    ahead = sure_lenses(pending)
    unused = [lens for lens in LENSES if lens not in used]
    order = [lens for lens in GAP_LENSES if lens in unused and lens not in ahead]
    order += sorted((x for x in unused if x not in ahead and x not in order), key=weight.__getitem__)
    order += sorted((x for x in unused if x in ahead), key=weight.__getitem__)
    order += sorted((x for x in LENSES if x in used), key=lambda x: (used[x], weight[x]))
    question = best(
        banks.questions.values(),
        order=order,
        asked_ids=asked_ids(situation),
        recent=situation.recent_question_ids,
        holding=holding(framework, situation),
        prefer="coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=True,
        key=seed_key(situation, "another_lens"),
    )
    return lens_pick(question, order[0], "another_lens", finished=not pending)


def one_question(
    banks: Banks, *, lens: str | None, recent_question_ids: frozenset[str] = frozenset(), seed: int = 0
) -> Pick:
    """A single question for `/case ask [lens]`, outside a discussion (reason "extra").

    ``lens`` is what the person typed (an id, a title or an alias); None picks among clarifying,
    assumptions, child's voice, risk and roles by the seed. Raises ValueError for an unknown lens.
    Outside a discussion nobody has given a number, and there is no focus.
    """
    if lens is None:
        rng = random.Random(f"{seed}:ask:order")
        weight = {name: rng.random() for name in ASK_LENSES}
        order = sorted(ASK_LENSES, key=weight.__getitem__)
    else:
        found = lens_from_text(lens)
        if found is None:
            names = ", ".join(LENS_NAMES[name] for name in LENSES)
            typed = slack_escape(lens.strip()[:40])  # echoed as mrkdwn: `<!channel>` must stay literal
            raise ValueError(f"I don't know the lens “{typed}”. Try one of: {names}.")
        order = [found]
    question = best(
        banks.questions.values(),
        order=order,
        asked_ids=frozenset(),
        recent=recent_question_ids,
        holding=frozenset({"no_focus"}),
        prefer="developing" if order == ["learning"] else "coworkers",
        has_developing=True,
        allow_recent=True,
        key=f"{seed}:ask:{'|'.join(order)}",
    )
    return lens_pick(question, order[0], "extra", finished=False)


# --------------------------------------------------------------------------- internals
def _framework(banks: Banks, framework_id: str) -> Framework:
    framework = banks.frameworks.get(framework_id)
    if framework is None:
        known = ", ".join(sorted(banks.frameworks)) or "none"
        raise ValueError(f"unknown framework {framework_id!r} (known: {known})")
    return framework


def _follow_up(banks: Banks, framework: Framework, situation: Situation, *, finished: bool) -> Pick | None:
    """After a stage's prompt: one bank question of the stage's lenses tagged with it, if one is left."""
    last = situation.asked[-1] if situation.asked else None
    if last is None or last.skipped or last.question_id is not None or last.stage_id is None:
        return None
    stage = next((s for s in framework.stages if s.id == last.stage_id), None)
    if stage is None:
        return None
    used = lens_counts(situation)
    question = best(
        (q for q in banks.questions.values() if fits(q, framework.id, stage)),
        order=sorted(stage.lenses, key=lambda lens: (used[lens], stage.lenses.index(lens))),
        asked_ids=asked_ids(situation),
        recent=situation.recent_question_ids,
        holding=holding(framework, situation),
        prefer="coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=False,
        key=seed_key(situation, f"follow_up:{stage.id}"),
    )
    if question is None:
        return None
    return Pick(
        text=question.text,
        question_id=question.id,
        stage_id=stage.id,
        lens=question.lens,
        audience=question.audience,
        reason="follow_up",
        stage_title=stage.title,
        scaling=False,
        finished_stages=finished,
    )


def _first_gap(framework: Framework, situation: Situation) -> tuple[str, str] | None:
    # A stage "covers" a lens by asking it: a stage listing several lenses asks only one of them.
    pending = pending_stages(framework, situation)
    ahead = sure_lenses(pending)
    asked = set(lens_counts(situation))
    asked |= sure_lenses(s for s in framework.stages if s not in pending)
    for lens in GAP_LENSES:
        if lens in ahead or lens in asked:
            continue
        if lens == "roles" and lens in situation.lenses_in_case:
            continue
        return lens, f"gap:{lens}"
    if situation.has_developing_worker and "learning" not in ahead and "learning" not in asked:
        return "learning", "learning"
    return None


def _gap_pick(
    banks: Banks, framework: Framework, situation: Situation, lens: str, reason: str, *, finished: bool
) -> Pick:
    learning = reason == "learning"
    question = best(
        (q for q in banks.questions.values() if not learning or "developing" in q.audience),
        order=[lens],
        asked_ids=asked_ids(situation),
        recent=situation.recent_question_ids,
        holding=holding(framework, situation),
        prefer="developing" if learning else "coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=True,
        key=seed_key(situation, reason),
    )
    return lens_pick(question, lens, reason, finished=finished)


def _extra_pick(banks: Banks, framework: Framework, situation: Situation) -> Pick:
    used = lens_counts(situation)
    rng = random.Random(seed_key(situation, "extra:order"))
    weight = {lens: rng.random() for lens in LENSES}
    order = sorted(LENSES, key=lambda lens: (used[lens], weight[lens]))
    question = best(
        banks.questions.values(),
        order=order,
        asked_ids=asked_ids(situation),
        recent=situation.recent_question_ids,
        holding=holding(framework, situation),
        prefer="coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=True,
        key=seed_key(situation, "extra"),
    )
    return lens_pick(question, order[0], "extra", finished=True)
