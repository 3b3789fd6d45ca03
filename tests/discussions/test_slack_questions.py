"""Which questions a discussion asks, over the emulator: a focus given passes the focus stage over, a
number in a reply lets "where do our numbers differ" be asked, the opening post asks for relationships
rather than names, and a worker's wellbeing is never asked in the case thread."""

from __future__ import annotations

import re

from bot.discussions import flows_questions
from bot.sandbox.harness import DEVELOPING, LEAD
from storage.models import Discussion
from tests.discussion_steps import NEXT, current, discussions, prompts, say, start
from tests.journey import open_case
from tests.reminder_steps import click, thread_texts

WELLBEING = re.compile(r"look(ing)? after yourself|self-care|your (own )?well-?being", re.IGNORECASE)


def test_with_a_focus_the_first_question_is_the_clarifying_stage_and_names_are_asked_for_by_relationship(
    sandbox,
):
    box = sandbox
    card = open_case(box)
    start(box, card, focus="How do we rebuild trust with the family?")
    (first,) = prompts(box)
    clarifying = box.deps.content.banks.framework("critical_friend").stage("clarifying")
    assert (first.stage_id, first.question_id, first.text) == ("clarifying", None, clarifying.prompt)
    assert any("Describe relationships, not names" in t for t in thread_texts(box, card))


def test_without_a_focus_the_focus_stage_comes_first(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    assert [p.stage_id for p in prompts(box)] == ["focus"]


def test_a_number_in_a_reply_counts_as_a_score_given(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    say(box, card, LEAD, "We last saw them on Tuesday at school.")
    with box.deps.sessions() as session:
        (discussion,) = [session.get(Discussion, d.id) for d in discussions(box)]
        assert not flows_questions.scores_given(session, discussion)
    say(box, card, DEVELOPING, "I'd put it at 6/10 because school sees her every day.")
    with box.deps.sessions() as session:
        (discussion,) = [session.get(Discussion, d.id) for d in discussions(box)]
        assert flows_questions.scores_given(session, discussion)


def test_a_whole_gibbs_discussion_with_a_developing_worker_never_asks_about_wellbeing(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card, text="discuss gibbs")
    for _ in range(14):
        click(box, LEAD, NEXT, current(box, card))
    asked = prompts(box)
    assert len(asked) == 15 and "learning" in {p.lens for p in asked}
    assert [p.text for p in asked if WELLBEING.search(p.text)] == []
    gibbs = box.deps.content.banks.framework("gibbs")
    opened = [p for p in asked if p.reason == "stage"]
    assert [p.text for p in opened] == [s.prompt for s in gibbs.stages]
