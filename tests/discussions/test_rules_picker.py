from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discussions.rules_banks import LENSES, Banks, Framework, Question, Stage
from bot.discussions.rules_picker import (
    ASK_LENSES,
    FALLBACK_QUESTIONS,
    Asked,
    Pick,
    Situation,
    another_lens,
    gives_a_score,
    holding,
    next_question,
    one_question,
)
from bot.discussions.rules_picker_text import framework_from_text, lens_from_text

CO, MGR, DEV = ("coworkers",), ("manager",), ("developing",)


def q(qid: str, lens: str, *stages: str, audience: tuple[str, ...] = CO, requires=()) -> Question:
    return Question(
        id=qid, lens=lens, text=f"Question {qid}?", stages=stages, audience=audience, requires=requires
    )


CRITICAL_FRIEND = Framework(
    id="critical_friend",
    name="Critical friend",
    summary="",
    stages=(
        Stage("focus", "Focus question", "What do you want help with today?", requires=("no_focus",)),
        Stage("clarifying", "Clarifying", "What facts do we need first?", lenses=("clarifying",)),
        Stage("probing", "Another lens", "What else could explain this?", lenses=("assumptions",)),
        Stage("voice", "The child's voice", "What is it like to be this child?", lenses=("childs_voice",)),
        Stage("next", "Next steps", "Who does what by when?", lenses=("next_steps",)),
    ),
)
THREE_QUESTIONS = Framework(
    id="three_questions",
    name="Three questions / safety mapping",
    summary="",
    stages=(
        Stage("worried", "What are we worried about?", "What worries us?", lenses=("risk",)),
        Stage("working", "What's working well?", "What is working well?"),
        Stage("needs", "What needs to happen?", "What needs to happen next?", lenses=("next_steps",)),
        Stage("scaling", "Scaling", "Where are you on a scale of 0 to 10?", ("risk",), scaling=True),
    ),
)
QUESTIONS = [
    q("cl1", "clarifying"),
    q("cl2", "clarifying"),
    q("cl3", "clarifying", "critical_friend.clarifying"),
    q("cl_focus", "clarifying", requires=("no_focus",)),
    q("cl_mgr", "clarifying", audience=MGR),
    q("as1", "assumptions"),
    q("as2", "assumptions"),
    q("as3", "assumptions", audience=("coworkers", "manager")),
    q("cv1", "childs_voice"),
    q("cv2", "childs_voice"),
    q("cv3", "childs_voice"),
    q("cv_mgr", "childs_voice", audience=MGR),
    q("rk1", "risk"),
    q("rk2", "risk"),
    q("rk3", "risk", "three_questions.scaling"),
    q("rk_differ", "risk", "three_questions.scaling", requires=("scores_given",)),
    q("cu1", "culture"),
    q("cu2", "culture"),
    q("cu3", "culture"),
    q("ro1", "roles"),
    q("ro2", "roles"),
    q("ro3", "roles"),
    q("le1", "learning"),
    q("le_dev1", "learning", audience=DEV),
    q("le_dev2", "learning", audience=DEV),
    q("le_mgr", "learning", audience=MGR),
    q("ns1", "next_steps"),
    q("ns2", "next_steps"),
    q("ns3", "next_steps", audience=("coworkers", "developing")),
    q("is1", "information_sharing"),
    q("is2", "information_sharing"),
    q("wk1", "culture", "three_questions.working"),
    q("wk_dev", "learning", "three_questions.working", audience=DEV),
]
BANKS = Banks(
    questions={x.id: x for x in QUESTIONS},
    frameworks={f.id: f for f in (CRITICAL_FRIEND, THREE_QUESTIONS)},
)
EMPTY = Banks(questions={}, frameworks=BANKS.frameworks)


def discussion(banks=BANKS, framework="critical_friend", steps=8, **kwargs) -> list[Pick]:
    """Presses *Next question* `steps` times, recording each pick as asked."""
    asked: list[Asked] = []
    picks = []
    for _ in range(steps):
        pick = next_question(banks, Situation(framework, tuple(asked), **kwargs))
        picks.append(pick)
        asked.append(pick.asked())
    return picks


def shape(picks: list[Pick]) -> list[str]:
    return [p.stage_id if p.reason == "stage" else p.reason for p in picks]


def stage_of(framework: Framework, stage_id: str | None) -> Stage:
    return next(s for s in framework.stages if s.id == stage_id)


# ------------------------------------------------------------------ stages and gaps
def test_stages_in_order_with_risk_and_roles_gaps_before_the_last_stage():
    picks = discussion(steps=10)
    assert shape(picks) == [
        "focus",
        "clarifying",
        "follow_up",  # cl3: of the stage's lens and tagged with it
        "probing",
        "voice",
        "gap:risk",  # no stage of critical friend covers risk; its voice stage covers the child
        "gap:roles",
        "next",
        "extra",
        "extra",
    ]
    assert [p.finished_stages for p in picks] == [False] * 7 + [True] * 3
    assert picks[5].lens == "risk" and picks[6].lens == "roles"
    assert picks[1].stage_title == "Clarifying" and picks[5].stage_id is None
    assert (picks[2].question_id, picks[2].stage_id, picks[2].stage_title) == (
        "cl3",
        "clarifying",
        "Clarifying",
    )


def test_no_roles_gap_once_roles_were_discussed_in_the_case():
    picks = discussion(steps=8, lenses_in_case=frozenset({"roles", "risk"}))
    # risk was discussed in the case before, but not in this discussion: still a gap
    assert shape(picks) == [
        "focus",
        "clarifying",
        "follow_up",
        "probing",
        "voice",
        "gap:risk",
        "next",
        "extra",
    ]


def test_gaps_follow_the_framework_childs_voice_is_a_gap_where_no_stage_covers_it():
    picks = discussion(framework="three_questions", steps=8)
    assert shape(picks) == [
        "worried",
        "working",
        "needs",
        "gap:childs_voice",
        "gap:roles",
        "scaling",
        "follow_up",  # a risk question tagged for scaling, once the numbers are in
        "extra",
    ]
    assert picks[5].scaling and not picks[0].scaling and not picks[6].scaling
    assert picks[3].lens == "childs_voice"


def test_no_gap_for_a_lens_this_discussion_already_had():
    asked = (
        Asked(None, "focus", None),
        Asked("cl1", "clarifying", "clarifying"),
        Asked("rk2", None, "risk"),  # from *Another lens*
        Asked("as1", "probing", "assumptions"),
        Asked("cv1", "voice", "childs_voice"),
    )
    pick = next_question(BANKS, Situation("critical_friend", asked, lenses_in_case=frozenset({"roles"})))
    assert (pick.reason, pick.stage_id) == ("stage", "next")


WIDE_PROBING = Framework(
    id="critical_friend",
    name="Critical friend",
    summary="",
    stages=tuple(
        Stage("probing", "Probing", "What else?", lenses=("assumptions", "risk", "roles"))
        if stage.id == "probing"
        else stage
        for stage in CRITICAL_FRIEND.stages
    ),
)
WIDE = Banks(questions=BANKS.questions, frameworks={"critical_friend": WIDE_PROBING})


@pytest.mark.parametrize(
    ("probing_lens", "gaps"),
    [("assumptions", ["gap:risk", "gap:roles"]), ("risk", ["gap:roles"]), ("roles", ["gap:risk"])],
)
def test_a_stage_listing_several_lenses_covers_only_the_one_it_asked(probing_lens, gaps):
    question = next(x for x in QUESTIONS if x.lens == probing_lens)
    asked = [
        Asked(None, "focus", None),
        Asked("cl1", "clarifying", "clarifying"),
        Asked(question.id, "probing", probing_lens),
        Asked("cv1", "voice", "childs_voice"),
    ]
    found = []
    for _ in range(len(gaps) + 1):
        pick = next_question(WIDE, Situation("critical_friend", tuple(asked)))
        found.append(pick.reason)
        asked.append(pick.asked())
    assert found == [*gaps, "stage"] and pick.stage_id == "next"


def test_a_developing_worker_gets_a_learning_question_meant_for_them():
    for seed in range(10):
        picks = discussion(steps=9, has_developing_worker=True, seed=seed)
        assert shape(picks)[:9] == [
            "focus",
            "clarifying",
            "follow_up",
            "probing",
            "voice",
            "gap:risk",
            "gap:roles",
            "learning",
            "next",
        ]
        assert "developing" in picks[7].audience and picks[7].lens == "learning"
        assert picks[7].question_id in {"le_dev1", "le_dev2", "wk_dev"}


def test_no_learning_question_and_no_developing_only_questions_without_a_developing_worker():
    for seed in range(20):
        for framework in ("critical_friend", "three_questions"):
            picks = discussion(framework=framework, steps=12, seed=seed)
            assert "learning" not in [p.reason for p in picks]
            used = [BANKS.questions[p.question_id] for p in picks if p.question_id]
            assert all("coworkers" in x.audience for x in used)


def test_manager_only_questions_are_never_picked():
    for seed in range(20):
        for dev in (False, True):
            picks = discussion(steps=30, seed=seed, has_developing_worker=dev)
            assert not [p.question_id for p in picks if p.question_id and p.question_id.endswith("_mgr")]


def test_every_stage_asks_its_own_prompt_and_it_repeats_across_discussions():
    first = discussion(steps=10)
    stages = [p for p in first if p.reason == "stage"]
    assert [p.text for p in stages] == [s.prompt for s in CRITICAL_FRIEND.stages]
    assert all(p.question_id is None for p in stages)
    recent = frozenset(p.question_id for p in first if p.question_id)
    second = discussion(steps=10, recent_question_ids=recent, seed=1)
    assert [p.text for p in second if p.reason == "stage"] == [p.text for p in stages]


def test_a_follow_up_is_never_a_recent_question_without_one_the_discussion_moves_on():
    picks = discussion(steps=3, recent_question_ids=frozenset({"cl1", "cl2"}))
    assert picks[2].question_id == "cl3" and picks[2].reason == "follow_up"
    picks = discussion(steps=3, recent_question_ids=frozenset({"cl3"}))
    assert picks[1].question_id is None and picks[1].text == "What facts do we need first?"
    assert picks[1].lens == "clarifying" and picks[1].stage_id == "clarifying"
    assert (picks[2].reason, picks[2].stage_id) == ("stage", "probing")


def test_a_skipped_stage_prompt_gets_no_follow_up():
    asked = [Asked(None, "focus", None), Asked(None, "clarifying", "clarifying", skipped=True)]
    pick = next_question(BANKS, Situation("critical_friend", tuple(asked)))
    assert (pick.reason, pick.stage_id) == ("stage", "probing")


# ------------------------------------------------------------------ preconditions (issue 14)
def test_a_question_needing_a_number_waits_for_the_scaling_stage_or_a_number_in_a_reply():
    for seed in range(20):
        for framework in ("critical_friend", "three_questions"):
            picks = discussion(framework=framework, steps=40, seed=seed, has_developing_worker=True)
            ids = [p.question_id for p in picks]
            if framework == "critical_friend":
                assert "rk_differ" not in ids  # nobody gave a number
            else:
                scaling = shape(picks).index("scaling")
                assert "rk_differ" not in ids[:scaling]
    picks = discussion(framework="three_questions", steps=8)
    assert shape(picks)[5:7] == ["scaling", "follow_up"] and picks[6].question_id in {"rk3", "rk_differ"}
    told = [p.question_id for p in discussion(steps=40, scores_given=True)]
    assert "rk_differ" in told


def test_a_skipped_scaling_stage_gives_no_numbers():
    asked = (Asked(None, "scaling", None, skipped=True),)
    pick = another_lens(BANKS, Situation("three_questions", asked, frozenset(), frozenset({"roles"})))
    assert pick.question_id != "rk_differ"
    assert "scores_given" not in holding(THREE_QUESTIONS, Situation("three_questions", asked))
    assert "scores_given" in holding(
        THREE_QUESTIONS, Situation("three_questions", (Asked(None, "scaling", None),))
    )


def test_with_a_focus_the_focus_stage_and_focus_questions_are_passed_over():
    picks = discussion(steps=40, has_focus=True, has_developing_worker=True)
    assert "focus" not in shape(picks) and picks[0].stage_id == "clarifying"
    assert "cl_focus" not in [p.question_id for p in picks]
    without = discussion(steps=40, has_developing_worker=True)
    assert without[0].stage_id == "focus" and "cl_focus" in [p.question_id for p in without]


@pytest.mark.parametrize(
    ("text", "scored"),
    [
        ("I'd say 6/10", True),
        ("7 out of 10 for me", True),
        ("My number is 4, because school sees her daily", True),
        ("I'd scale it a 5", True),
        ("We visited on 3 December with 2 workers", False),
        ("Decision: we visit together next week", False),
    ],
)
def test_a_reply_gives_a_score(text, scored):
    assert gives_a_score(text) is scored


def test_with_an_empty_bank_stages_use_prompts_and_gaps_and_extras_use_generic_questions():
    picks = discussion(banks=EMPTY, steps=8)
    assert [p.question_id for p in picks] == [None] * 8
    assert picks[4].text == FALLBACK_QUESTIONS["risk"] and picks[5].text == FALLBACK_QUESTIONS["roles"]
    assert picks[6].text == "Who does what by when?"
    assert picks[7].reason == "extra" and picks[7].text in FALLBACK_QUESTIONS.values()


def test_extras_come_from_the_least_used_lenses_and_never_run_dry():
    picks = discussion(steps=len(QUESTIONS) + 5, has_developing_worker=True)
    extras = [p for p in picks if p.reason == "extra"]
    # after the stages every lens but culture and information sharing has been used
    assert {extras[0].lens, extras[1].lens} == {"culture", "information_sharing"}
    ids = [p.question_id for p in picks if p.question_id]
    assert len(ids) == len(set(ids))
    assert picks[-1].text  # the bank is exhausted: still a question


# ------------------------------------------------------------------ no repeats (property)
ALL_IDS = sorted(BANKS.questions)


def eligible(x: Question, dev: bool) -> bool:
    return "coworkers" in x.audience or (dev and "developing" in x.audience)


def fits(x: Question, framework: Framework, stage: Stage) -> bool:
    return f"{framework.id}.{stage.id}" in x.stages and x.lens in stage.lenses


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 10**9),
    recent=st.frozensets(st.sampled_from(ALL_IDS), max_size=len(ALL_IDS)),
    framework_id=st.sampled_from(["critical_friend", "three_questions"]),
    dev=st.booleans(),
    actions=st.lists(
        st.tuples(st.sampled_from(["next", "next", "another"]), st.booleans()), min_size=12, max_size=12
    ),
)
def test_a_whole_discussion_never_repeats_and_prefers_unused_questions(
    seed, recent, framework_id, dev, actions
):
    framework = BANKS.frameworks[framework_id]
    asked: list[Asked] = []
    for action, skipped in actions:
        situation = Situation(framework_id, tuple(asked), recent, frozenset(), dev, seed)
        pick = (next_question if action == "next" else another_lens)(BANKS, situation)
        used = {a.question_id for a in asked if a.question_id}
        assert pick.question_id not in used
        # What the picker may still choose: not used, not recent, for this audience, and its preconditions
        # hold (a number given, in a scaling stage not skipped, for the "numbers differ" question).
        scaling = {stage.id for stage in framework.stages if stage.scaling}
        holding = {"no_focus"} | (
            {"scores_given"} if any(a.stage_id in scaling and not a.skipped for a in asked) else set()
        )
        unused = [
            x
            for x in QUESTIONS
            if x.id not in used and x.id not in recent and eligible(x, dev) and set(x.requires) <= holding
        ]
        if pick.reason == "stage":
            stage = stage_of(framework, pick.stage_id)
            assert pick.question_id is None and pick.text == stage.prompt
            assert pick.stage_id not in {a.stage_id for a in asked}
        elif pick.reason == "follow_up":
            stage = stage_of(framework, pick.stage_id)
            assert asked[-1] == Asked(None, stage.id, asked[-1].lens)
            assert pick.question_id not in recent and fits(
                BANKS.questions[pick.question_id], framework, stage
            )
        elif pick.question_id in recent or pick.question_id is None:
            if pick.reason.startswith("gap:"):
                pool = [x for x in unused if x.lens == pick.lens]
            elif pick.reason == "learning":
                pool = [x for x in unused if x.lens == "learning" and "developing" in x.audience]
            else:
                pool = unused
            assert not pool, f"{pick.reason} used {pick.question_id} while {pool[0].id} was unused"
        if pick.question_id:
            assert eligible(BANKS.questions[pick.question_id], dev)
        asked.append(pick.asked(skipped=skipped))


# ------------------------------------------------------------------ determinism
def test_same_seed_same_discussion_and_seeds_vary_it():
    def run(seed):
        return [p.question_id for p in discussion(steps=12, seed=seed, has_developing_worker=True)]

    assert run(7) == run(7)
    assert len({tuple(run(seed)) for seed in range(20)}) >= 2


# ------------------------------------------------------------------ another lens, skip
def test_another_lens_uses_an_unused_gap_lens_and_leaves_the_stage_pending():
    asked = [next_question(BANKS, Situation("critical_friend")).asked()]  # focus
    other = another_lens(BANKS, Situation("critical_friend", tuple(asked)))
    # child's voice is still ahead as a stage, so the first gap lens offered is risk
    assert (other.reason, other.lens, other.stage_id) == ("another_lens", "risk", None)
    asked.append(other.asked())
    again = another_lens(BANKS, Situation("critical_friend", tuple(asked)))
    assert again.lens == "roles"
    asked.append(again.asked())
    third = another_lens(BANKS, Situation("critical_friend", tuple(asked)))
    assert third.lens not in {"risk", "roles", "clarifying", "assumptions", "childs_voice", "next_steps"}
    asked.append(third.asked())
    pick = next_question(BANKS, Situation("critical_friend", tuple(asked)))
    assert (pick.reason, pick.stage_id) == ("stage", "clarifying")
    # risk and roles were covered by *Another lens*: no gap fills before next steps
    situation = Situation("critical_friend", tuple(asked))
    for stage_id in ("clarifying", "clarifying", "probing", "voice"):  # clarifying has a follow-up
        pick = next_question(BANKS, situation)
        assert pick.stage_id == stage_id
        situation = Situation("critical_friend", (*situation.asked, pick.asked()))
    assert next_question(BANKS, situation).stage_id == "next"


def test_another_lens_falls_back_to_a_used_lens_when_every_lens_was_used():
    asked = tuple(Asked(None, None, lens) for lens in LENSES)
    pick = another_lens(BANKS, Situation("critical_friend", asked))
    assert pick.question_id in BANKS.questions and pick.reason == "another_lens"


def test_skipping_a_stage_or_a_gap_moves_on():
    focus = next_question(BANKS, Situation("critical_friend"))
    after = next_question(BANKS, Situation("critical_friend", (focus.asked(skipped=True),)))
    assert after.stage_id == "clarifying"
    asked = [Asked(None, s, None) for s in ("focus", "clarifying", "probing", "voice")]
    gap = next_question(BANKS, Situation("critical_friend", tuple(asked)))
    assert gap.reason == "gap:risk"
    asked.append(gap.asked(skipped=True))
    assert next_question(BANKS, Situation("critical_friend", tuple(asked))).reason == "gap:roles"


def test_an_unknown_framework_is_refused():
    with pytest.raises(ValueError, match="nope"):
        next_question(BANKS, Situation("nope"))


# ------------------------------------------------------------------ /case ask
@pytest.mark.parametrize(
    ("typed", "lens"),
    [
        ("risk", "risk"),
        ("child", "childs_voice"),
        ("voice", "childs_voice"),
        ("childs-voice", "childs_voice"),
        ("Child's voice", "childs_voice"),
        ("The child’s voice", "childs_voice"),
        ("safety", "risk"),
        ("another", "assumptions"),
        ("next", "next_steps"),
        ("Next steps", "next_steps"),
        ("sharing", "information_sharing"),
        ("information_sharing", "information_sharing"),
        ("CULTURE", "culture"),
    ],
)
def test_one_question_reads_lens_aliases(typed, lens):
    assert lens_from_text(typed) == lens
    pick = one_question(BANKS, lens=typed, recent_question_ids=frozenset(), seed=3)
    assert pick.lens == lens and pick.question_id and BANKS.questions[pick.question_id].lens == lens


def test_one_question_avoids_recent_questions_and_picks_a_lens_when_none_is_given():
    pick = one_question(BANKS, lens="risk", recent_question_ids=frozenset({"rk1", "rk3"}), seed=0)
    assert pick.question_id == "rk2"
    lenses = {one_question(BANKS, lens=None, recent_question_ids=frozenset(), seed=s).lens for s in range(30)}
    assert lenses <= set(ASK_LENSES) and len(lenses) >= 2


def test_one_question_refuses_an_unknown_lens_and_names_the_ones_to_type():
    with pytest.raises(ValueError) as error:
        one_question(BANKS, lens="astrology", recent_question_ids=frozenset(), seed=0)
    message = str(error.value)
    assert "astrology" in message
    assert all(name in message for name in ("clarifying", "child", "risk", "roles", "next", "sharing"))
    assert lens_from_text("astrology") is None


# ------------------------------------------------------------------ frameworks by name
NAMED = Banks(
    frameworks={
        f.id: f
        for f in (
            Framework("critical_friend", "Critical friend", "", ()),
            Framework("reflective_cycle", "Reflective cycle (Morrison's 4x4x4, after Kolb)", "", ()),
            Framework("gibbs", "Gibbs reflective cycle", "", ()),
            Framework("three_questions", "Three questions / safety mapping", "", ()),
            Framework("te_whare_tapa_wha", "Te Whare Tapa Whā", "", ()),
            Framework("fonofale", "Fonofale", "", ()),
            Framework("structured_review", "Structured review (Dynamic Ecological Analysis)", "", ()),
            Framework("review_of_progress", "Review of progress (He Pikorua)", "", ()),
        )
    }
)


@pytest.mark.parametrize(
    ("typed", "framework_id"),
    [
        ("critical_friend", "critical_friend"),
        ("Critical friend", "critical_friend"),
        ("cf", "critical_friend"),
        ("critical", "critical_friend"),
        ("gibbs", "gibbs"),
        ("3q", "three_questions"),
        ("three", "three_questions"),
        ("safety-mapping", "three_questions"),
        ("whare", "te_whare_tapa_wha"),
        ("te-whare", "te_whare_tapa_wha"),
        ("Te Whare Tapa Whā", "te_whare_tapa_wha"),
        ("fonofale", "fonofale"),
        ("review", "review_of_progress"),
        ("progress", "review_of_progress"),
        ("structured", "structured_review"),
        ("reflective", "reflective_cycle"),
        ("kolb", "reflective_cycle"),
        ("ecological", "structured_review"),
        ("horoscope", None),
        ("", None),
    ],
)
def test_framework_from_text(typed, framework_id):
    assert framework_from_text(typed, NAMED) == framework_id
