"""Which question to ask next: in a reflective case discussion, and for `/case ask` outside one.

Pure and deterministic: the caller passes the banks and what has happened so far (a ``Situation``);
the same inputs always give the same ``Pick``. Randomness comes only from
``random.Random(f"{seed}:{len(asked)}:{what}")`` over candidates sorted by id, so a different seed
may give a different question while a replay of the same discussion gives the same one.

The caller records every pick it posts as ``pick.asked()`` (or ``pick.asked(skipped=True)`` when the
co-workers press *Skip*) and passes the growing tuple back in ``Situation.asked``.

Ordering of ``next_question`` (one rule wins per call, top to bottom):

1. A pending stage that is not the framework's last stage: the first stage, in the framework's order,
   that nothing has been asked at yet (a skipped question still covers its stage).
2. Gap fills, only once every stage but the last is covered (so they come just before "next steps" /
   "action plan"), one per call, in this order, each only when nothing in this discussion has had
   that lens yet (skipped or not; a stage prompt counts as its stage's first lens) and no stage,
   covered or pending, has that lens as its only lens (a stage listing several lenses asks only one
   of them, so listing a lens there is not covering it):
   child's voice (``gap:childs_voice``); risk (``gap:risk``); roles, and only when roles have never
   been discussed in the case (``gap:roles``); a learning question whose audience includes
   "developing", only when the case has a developing worker (``learning``).
3. The last stage (``finished_stages`` is True on this pick: the stages are all covered once it is asked).
4. ``extra`` questions for ever after, from the lenses least used in this discussion.

Which question, once the rule is chosen:

- Never a question asked earlier in this discussion; never a "manager"-only question (these are
  co-worker discussions); "developing"-only questions only when the case has a developing worker.
- Stages: a bank question that fits the stage (tagged ``"framework.stage"`` or of one of the stage's
  lenses), never one used in the case's last three discussions, "coworkers" audience preferred. When
  none fits, the stage's own prompt: it belongs to the framework, so it repeats across discussions.
- Gap fills, extras, ``another_lens`` and ``one_question``: an unused question first; when every one is
  used, a recent one (still never one asked in this discussion); when the bank has nothing at all for
  the lens, a built-in generic question for that lens (``FALLBACK_QUESTIONS``; ``question_id`` None).
  Extras may therefore repeat a generic question only after the whole bank is exhausted.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.discussions.rules_banks import LENS_TITLES, LENSES, Banks, Framework, Question, Stage

GAP_LENSES = ("childs_voice", "risk", "roles")
ASK_LENSES = ("clarifying", "assumptions", "childs_voice", "risk", "roles")  # `/case ask` with no lens
REASONS = ("stage", "gap:childs_voice", "gap:risk", "gap:roles", "learning", "another_lens", "extra")

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


@dataclass(frozen=True)
class Pick:
    text: str
    question_id: str | None  # None: the stage's own prompt, or a generic fallback
    stage_id: str | None  # the stage this pick covers; None for gap fills, another lens, extras
    lens: str | None
    audience: tuple[str, ...]
    reason: str  # one of REASONS
    stage_title: str | None
    scaling: bool
    finished_stages: bool  # every stage is covered once this is asked: the UI can suggest wrapping up

    def asked(self, *, skipped: bool = False) -> Asked:
        """What the caller records once this pick is posted (or skipped)."""
        return Asked(self.question_id, self.stage_id, self.lens, skipped)


# --------------------------------------------------------------------------- picking
def next_question(banks: Banks, situation: Situation) -> Pick:
    """The next question of a discussion; see the module docstring for the order."""
    framework = _framework(banks, situation.framework_id)
    pending = _pending_stages(framework, situation)
    if pending and pending[0].id != framework.stages[-1].id:
        return _stage_pick(banks, framework, pending[0], situation, finishes=False)
    gap = _first_gap(framework, situation)
    if gap is not None:
        lens, reason = gap
        return _gap_pick(banks, situation, lens, reason, finished=not pending)
    if pending:
        return _stage_pick(banks, framework, pending[0], situation, finishes=True)
    return _extra_pick(banks, situation)


def another_lens(banks: Banks, situation: Situation) -> Pick:
    """A question from a lens not yet used in this discussion; the current stage stays pending.

    Lens order: unused gap lenses (child's voice, risk, roles) that no pending stage is sure to ask
    (a pending stage whose only lens it is); then the other such unused lenses, shuffled by the seed;
    then unused lenses a pending stage is sure to ask; then, if every lens is used, the least used
    ones. An unused question in any lens beats a recent one.
    """
    framework = _framework(banks, situation.framework_id)
    pending = _pending_stages(framework, situation)
    used = _lens_counts(situation)
    rng = _rng(situation, "another_lens:order")
    weight = {lens: rng.random() for lens in LENSES}
    ahead = _sure_lenses(pending)
    unused = [lens for lens in LENSES if lens not in used]
    order = [lens for lens in GAP_LENSES if lens in unused and lens not in ahead]
    order += sorted((x for x in unused if x not in ahead and x not in order), key=weight.__getitem__)
    order += sorted((x for x in unused if x in ahead), key=weight.__getitem__)
    order += sorted((x for x in LENSES if x in used), key=lambda x: (used[x], weight[x]))
    question = _best(
        banks.questions.values(),
        order=order,
        asked_ids=_asked_ids(situation),
        recent=situation.recent_question_ids,
        prefer="coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=True,
        key=_key(situation, "another_lens"),
    )
    return _lens_pick(question, order[0], "another_lens", finished=not pending)


def one_question(
    banks: Banks, *, lens: str | None, recent_question_ids: frozenset[str] = frozenset(), seed: int = 0
) -> Pick:
    """A single question for `/case ask [lens]`, outside a discussion (reason "extra").

    ``lens`` is what the person typed (an id, a title or an alias); None picks among clarifying,
    assumptions, child's voice, risk and roles by the seed. Raises ValueError for an unknown lens.
    """
    if lens is None:
        rng = random.Random(f"{seed}:ask:order")
        weight = {name: rng.random() for name in ASK_LENSES}
        order = sorted(ASK_LENSES, key=weight.__getitem__)
    else:
        found = lens_from_text(lens)
        if found is None:
            names = ", ".join(LENS_NAMES[name] for name in LENSES)
            raise ValueError(f"I don't know the lens “{lens.strip()}”. Try one of: {names}.")
        order = [found]
    question = _best(
        banks.questions.values(),
        order=order,
        asked_ids=frozenset(),
        recent=recent_question_ids,
        prefer="developing" if order == ["learning"] else "coworkers",
        has_developing=True,
        allow_recent=True,
        key=f"{seed}:ask:{'|'.join(order)}",
    )
    return _lens_pick(question, order[0], "extra", finished=False)


# --------------------------------------------------------------------------- reading what people type
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


# --------------------------------------------------------------------------- internals
def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"['`]", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _framework(banks: Banks, framework_id: str) -> Framework:
    framework = banks.frameworks.get(framework_id)
    if framework is None:
        known = ", ".join(sorted(banks.frameworks)) or "none"
        raise ValueError(f"unknown framework {framework_id!r} (known: {known})")
    return framework


def _pending_stages(framework: Framework, situation: Situation) -> list[Stage]:
    covered = {a.stage_id for a in situation.asked if a.stage_id is not None}
    return [stage for stage in framework.stages if stage.id not in covered]


def _sure_lenses(stages: Iterable[Stage]) -> set[str]:
    """The lenses these stages are sure to ask: a stage's lens when it has only one."""
    return {stage.lenses[0] for stage in stages if len(stage.lenses) == 1}


def _lens_counts(situation: Situation) -> Counter[str]:
    return Counter(a.lens for a in situation.asked if a.lens is not None)


def _asked_ids(situation: Situation) -> frozenset[str]:
    return frozenset(a.question_id for a in situation.asked if a.question_id is not None)


def _key(situation: Situation, what: str) -> str:
    return f"{situation.seed}:{len(situation.asked)}:{what}"


def _rng(situation: Situation, what: str) -> random.Random:
    return random.Random(_key(situation, what))


def _fits(question: Question, framework: Framework, stage: Stage) -> bool:
    return f"{framework.id}.{stage.id}" in question.stages or question.lens in stage.lenses


def _eligible(question: Question, has_developing: bool) -> bool:
    """Co-worker discussions: never manager-only; developing-only only with a developing worker."""
    return "coworkers" in question.audience or (has_developing and "developing" in question.audience)


def _best(
    pool: Iterable[Question],
    *,
    order: Sequence[str] | None,
    asked_ids: frozenset[str],
    recent: frozenset[str],
    prefer: str,
    has_developing: bool,
    allow_recent: bool,
    key: str,
) -> Question | None:
    """The best candidate: not recent, then earlier in ``order`` (lenses), then of the preferred
    audience; ties broken by a seeded choice among candidates sorted by id."""
    position = {lens: i for i, lens in enumerate(order)} if order is not None else None
    candidates = [
        q
        for q in pool
        if q.id not in asked_ids
        and _eligible(q, has_developing)
        and (allow_recent or q.id not in recent)
        and (position is None or q.lens in position)
    ]
    if not candidates:
        return None

    def rank(q: Question) -> tuple[bool, int, bool]:
        return (q.id in recent, position[q.lens] if position else 0, prefer not in q.audience)

    best = min(map(rank, candidates))
    tied = sorted((q for q in candidates if rank(q) == best), key=lambda q: q.id)
    return random.Random(key).choice(tied)


def _stage_pick(
    banks: Banks, framework: Framework, stage: Stage, situation: Situation, *, finishes: bool
) -> Pick:
    question = _best(
        (q for q in banks.questions.values() if _fits(q, framework, stage)),
        order=None,
        asked_ids=_asked_ids(situation),
        recent=situation.recent_question_ids,
        prefer="coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=False,
        key=_key(situation, f"stage:{stage.id}"),
    )
    audience: tuple[str, ...]
    if question is None:  # the framework's own question
        text, question_id, audience = stage.prompt, None, ("coworkers",)
        lens = stage.lenses[0] if stage.lenses else None
    else:
        text, question_id, audience, lens = question.text, question.id, question.audience, question.lens
    return Pick(
        text=text,
        question_id=question_id,
        stage_id=stage.id,
        lens=lens,
        audience=audience,
        reason="stage",
        stage_title=stage.title,
        scaling=stage.scaling,
        finished_stages=finishes,
    )


def _first_gap(framework: Framework, situation: Situation) -> tuple[str, str] | None:
    # A stage "covers" a lens by asking it: a stage listing several lenses asks only one of them.
    pending = _pending_stages(framework, situation)
    ahead = _sure_lenses(pending)
    asked = set(_lens_counts(situation))
    asked |= _sure_lenses(s for s in framework.stages if s not in pending)
    for lens in GAP_LENSES:
        if lens in ahead or lens in asked:
            continue
        if lens == "roles" and lens in situation.lenses_in_case:
            continue
        return lens, f"gap:{lens}"
    if situation.has_developing_worker and "learning" not in ahead and "learning" not in asked:
        return "learning", "learning"
    return None


def _gap_pick(banks: Banks, situation: Situation, lens: str, reason: str, *, finished: bool) -> Pick:
    learning = reason == "learning"
    question = _best(
        (q for q in banks.questions.values() if not learning or "developing" in q.audience),
        order=[lens],
        asked_ids=_asked_ids(situation),
        recent=situation.recent_question_ids,
        prefer="developing" if learning else "coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=True,
        key=_key(situation, reason),
    )
    return _lens_pick(question, lens, reason, finished=finished)


def _extra_pick(banks: Banks, situation: Situation) -> Pick:
    used = _lens_counts(situation)
    rng = _rng(situation, "extra:order")
    weight = {lens: rng.random() for lens in LENSES}
    order = sorted(LENSES, key=lambda lens: (used[lens], weight[lens]))
    question = _best(
        banks.questions.values(),
        order=order,
        asked_ids=_asked_ids(situation),
        recent=situation.recent_question_ids,
        prefer="coworkers",
        has_developing=situation.has_developing_worker,
        allow_recent=True,
        key=_key(situation, "extra"),
    )
    return _lens_pick(question, order[0], "extra", finished=True)


def _lens_pick(question: Question | None, fallback_lens: str, reason: str, *, finished: bool) -> Pick:
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
