"""Every shipped framework asks its own question at each stage before any bank question (issue 22 item 1),
and a bank question under a stage's heading is one of the stage's lenses; preconditions hold (issue 14)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import BANKS, load_banks
from bot.discussions.rules_banks import Framework
from bot.discussions.rules_picker import Asked, Pick, Situation, another_lens, next_question

SHIPPED = load_banks([BANKS])
FRAMEWORKS = sorted(SHIPPED.frameworks)
IDS = sorted(SHIPPED.questions)


def check(framework: Framework, asked: list[Asked], pick: Pick, *, has_focus: bool, scores: bool) -> None:
    stages = {s.id: s for s in framework.stages}
    opened = {a.stage_id for a in asked if a.stage_id}
    if pick.stage_id is not None and pick.stage_id not in opened:
        stage = stages[pick.stage_id]
        assert (pick.reason, pick.question_id, pick.text) == ("stage", None, stage.prompt), (
            f"{framework.id}.{stage.id} asked {pick.question_id} before its own question"
        )
        assert pick.stage_title == stage.title
    if pick.question_id is None:
        return
    question = SHIPPED.questions[pick.question_id]
    if pick.stage_id is not None:
        stage = stages[pick.stage_id]
        assert Asked(None, stage.id, asked[-1].lens) == asked[-1], "a follow-up comes right after the prompt"
        assert question.lens in stage.lenses and f"{framework.id}.{stage.id}" in question.stages
    scaled = scores or any(
        a.stage_id in stages and stages[a.stage_id].scaling and not a.skipped for a in asked
    )
    if "scores_given" in question.requires:
        assert scaled, f"{question.id} asked before anyone gave a number"
    if "no_focus" in question.requires:
        assert not has_focus, f"{question.id} asked though a focus was given"


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**9),
    recent=st.frozensets(st.sampled_from(IDS), max_size=30),
    dev=st.booleans(),
    has_focus=st.booleans(),
    scores=st.booleans(),
    actions=st.lists(st.sampled_from(["next", "next", "next", "another", "skip"]), min_size=6, max_size=16),
)
@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_every_stage_asks_its_own_prompt_before_any_bank_question(
    framework_id, seed, recent, dev, has_focus, scores, actions
):
    framework = SHIPPED.framework(framework_id)
    asked: list[Asked] = []
    for action in actions:
        situation = Situation(
            framework_id,
            tuple(asked),
            recent,
            frozenset(),
            dev,
            seed,
            has_focus=has_focus,
            scores_given=scores,
        )
        pick = (another_lens if action == "another" else next_question)(SHIPPED, situation)
        check(framework, asked, pick, has_focus=has_focus, scores=scores)
        asked.append(pick.asked(skipped=action == "skip"))


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_pressing_next_walks_the_stages_in_order_each_opened_by_its_prompt(framework_id):
    framework = SHIPPED.framework(framework_id)
    asked: list[Asked] = []
    picks = []
    for _ in range(30):
        pick = next_question(SHIPPED, Situation(framework_id, tuple(asked)))
        picks.append(pick)
        asked.append(pick.asked())
    opening = [p for p in picks if p.reason == "stage"]
    assert [p.stage_id for p in opening] == [s.id for s in framework.stages]
    assert [p.text for p in opening] == [s.prompt for s in framework.stages]
    assert all(p.reason in {"stage", "follow_up"} or p.stage_id is None for p in picks)


def test_the_te_whare_tapa_wha_stages_ask_their_own_questions_in_every_run():
    """The three runs issue 22 read: wairua and whenua asked a bank question that only shared a tag."""
    for seed in range(3):
        asked: list[Asked] = []
        by_stage: dict[str, list[str]] = {}
        for _ in range(12):
            pick = next_question(SHIPPED, Situation("te_whare_tapa_wha", tuple(asked), seed=seed))
            if pick.stage_id:
                by_stage.setdefault(pick.stage_id, []).append(pick.text)
            asked.append(pick.asked())
        whare = SHIPPED.framework("te_whare_tapa_wha")
        assert by_stage["taha_wairua"] == [whare.stage("taha_wairua").prompt]
        assert by_stage["whenua"] == [whare.stage("whenua").prompt]
