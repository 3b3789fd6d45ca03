"""Reflective discussions over the emulator, in both delivery modes: starting, moving through the
questions, wrapping up, single questions, permissions, and a restart in the middle."""

from __future__ import annotations

import pytest

from bot.app import create_app
from bot.deps import Deps
from bot.ids import ActionId, Block
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER, OUTSIDER
from bot.sandbox.payloads import find_element
from storage.models import DiscussionStatus, ItemStatus, PromptOutcome
from tests.discussion_steps import (
    ANOTHER,
    NEXT,
    SKIP,
    WRAP,
    current,
    discussions,
    items,
    prompts,
    questions,
    say,
    start,
    stored,
)
from tests.journey import open_case
from tests.reminder_steps import (
    FIRST_DUE,
    audits,
    body,
    click,
    controls,
    item,
    pass_at,
    reminder_posts,
    thread_texts,
)


def test_discuss_opens_the_modal_and_posts_the_first_question_mentioning_the_coworkers(sandbox):
    box = sandbox
    card = open_case(box)
    box.driver.slash(LEAD, "discuss", CASE_CHANNEL)
    view = box.emu.open_views_for(LEAD)[-1]
    chosen = find_element(view["blocks"], Block.FRAMEWORK)[1]
    assert chosen["initial_option"]["value"] == "critical_friend"
    reply = box.driver.submit(LEAD, view, {Block.FOCUS: "How do we rebuild trust with the family?"})
    assert reply.status == 200 and not (reply.json or {}).get("errors")

    (started,) = discussions(box)
    assert started.status == DiscussionStatus.ACTIVE and started.framework == "critical_friend"
    texts = thread_texts(box, card)
    assert any("started a reflective discussion (Critical friend)" in t for t in texts)
    assert any("*Focus:* How do we rebuild trust with the family?" in t for t in texts)
    first = current(box, card)
    assert f"<@{LEAD}>" in body(first) and f"<@{DEVELOPING}>" in body(first)
    assert controls(first) == [NEXT, ANOTHER, SKIP, WRAP]
    assert [a.actor for a in audits(box, "discussion.start")] == [LEAD]


def test_the_framework_can_be_named_in_the_command(sandbox):
    box = sandbox
    open_case(box)
    box.driver.slash(LEAD, "discuss CASE-2026-014 gibbs", CASE_CHANNEL)
    view = box.emu.open_views_for(LEAD)[-1]
    assert find_element(view["blocks"], Block.FRAMEWORK)[1]["initial_option"]["value"] == "gibbs"
    box.driver.submit(LEAD, view, {})
    (started,) = discussions(box)
    assert started.framework == "gibbs"
    assert prompts(box)[0].stage_id == box.deps.content.banks.frameworks["gibbs"].stages[0].id


def test_an_unknown_framework_is_explained_and_nothing_opens(http_sandbox):
    box = http_sandbox
    open_case(box)
    box.driver.slash(LEAD, "discuss astrology", CASE_CHANNEL)
    assert box.emu.open_views_for(LEAD) == []
    (said,) = [e for e in box.emu.ephemerals if e["user"] == LEAD]
    assert "I don't know a framework called 'astrology'" in said["text"] and "`gibbs`" in said["text"]
    assert discussions(box) == []


def test_the_cards_start_discussion_button_starts_the_same_discussion(sandbox):
    box = sandbox
    card = open_case(box)
    box.driver.click(
        DEVELOPING, ActionId.CARD_START_DISCUSSION, value=str(1), message=card, channel_id=CASE_CHANNEL
    )
    view = box.emu.open_views_for(DEVELOPING)[-1]
    box.driver.submit(DEVELOPING, view, {})
    assert len(discussions(box)) == 1 and len(questions(box, card)) == 1


def test_the_reminders_start_now_starts_the_discussion_and_holds_the_occurrence_on_wrap_up(sandbox):
    box = sandbox
    card = open_case(box)
    pass_at(box, FIRST_DUE)
    (reminder,) = reminder_posts(box, card)
    click(box, LEAD, ActionId.REMINDER_START, reminder)
    box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {})
    (started,) = discussions(box)
    assert started.schedule_item_id == 1 and item(box).status == ItemStatus.STARTED

    click(box, DEVELOPING, WRAP, current(box, card))
    assert discussions(box)[0].status == DiscussionStatus.WRAPPED
    assert item(box).status == ItemStatus.HELD
    assert item(box, 4).status == ItemStatus.SCHEDULED  # the next discussion is planned
    assert any("wrapped up the discussion: 1 question" in t for t in thread_texts(box, card))


def test_next_another_lens_and_skip_move_on_and_retire_the_earlier_buttons(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card)
    click(box, LEAD, NEXT, current(box, card))
    click(box, DEVELOPING, ANOTHER, current(box, card))
    click(box, LEAD, SKIP, current(box, card))
    asked = questions(box, card)
    assert len(asked) == 4
    assert [bool(controls(q)) for q in asked] == [False, False, False, True]
    assert "Skipped." in body(asked[2]) and "Moved on" in body(asked[0])
    outcomes = [p.outcome for p in prompts(box)]
    assert outcomes == [
        PromptOutcome.MOVED_ON,
        PromptOutcome.MOVED_ON,
        PromptOutcome.SKIPPED,
        PromptOutcome.CURRENT,
    ]
    # Another lens gives a lens not used so far in the discussion.
    first, second, third = prompts(box)[:3]
    assert third.lens not in {first.lens, second.lens}
    assert len({p.question_id for p in prompts(box) if p.question_id}) == len(
        [p for p in prompts(box) if p.question_id]
    )


def test_a_question_that_has_moved_on_is_stale_and_a_double_click_moves_once(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card)
    first = current(box, card)
    click(box, LEAD, NEXT, first)
    click(box, DEVELOPING, NEXT, first)  # the same (old) button again
    assert len(prompts(box)) == 2
    said = [e["text"] for e in box.emu.ephemerals if e["user"] == DEVELOPING]
    assert any("already moved on" in t for t in said)


@pytest.mark.parametrize("stranger", [COLLEAGUE, OUTSIDER])
def test_people_outside_the_case_cannot_start_or_move_a_discussion_and_it_is_audited(http_sandbox, stranger):
    box = http_sandbox
    card = open_case(box)
    box.driver.slash(stranger, "discuss", CASE_CHANNEL)
    assert box.emu.open_views_for(stranger) == []
    start(box, card)
    click(box, stranger, NEXT, current(box, card))
    assert len(prompts(box)) == 1
    assert [a.outcome for a in audits(box, "discussion.start") if a.actor == stranger] == ["denied"]
    assert [a.outcome for a in audits(box, "discussion.next") if a.actor == stranger] == ["denied"]


def test_the_manager_may_take_part(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card, MANAGER)
    assert len(discussions(box)) == 1


def test_a_second_start_while_one_is_under_way_is_refused_and_the_first_carries_on(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    box.driver.slash(DEVELOPING, "discuss", CASE_CHANNEL)
    assert box.emu.open_views_for(DEVELOPING) == []
    assert any("already under way" in e["text"] for e in box.emu.ephemerals if e["user"] == DEVELOPING)
    assert len(discussions(box)) == 1


def test_a_double_submission_of_the_start_modal_starts_once(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    box.driver.slash(LEAD, "discuss", CASE_CHANNEL)
    view = box.emu.open_views_for(LEAD)[-1]
    box.driver.submit(LEAD, view, {})
    second = box.driver.submit(LEAD, view, {})
    assert len(discussions(box)) == 1 and len(questions(box, card)) == 1
    assert second.status == 200


def test_replies_are_attached_to_the_question_they_answer(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card)
    say(box, card, LEAD, "We last saw them on Tuesday at school.")
    click(box, LEAD, NEXT, current(box, card))
    say(box, card, DEVELOPING, "I wonder if the change of teacher matters.")
    say(box, card, LEAD, "Good point.")
    first, second = prompts(box)
    assert [m.prompt_id for m in stored(box)] == [first.id, second.id, second.id]
    click(box, LEAD, WRAP, current(box, card))
    assert "2 replies" in body(questions(box, card)[1])


def test_the_learning_question_is_addressed_to_the_developing_worker(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    for _ in range(8):
        click(box, LEAD, NEXT, current(box, card))
    learning = [p for p in prompts(box) if p.reason == "learning"]
    assert learning, [p.reason for p in prompts(box)]
    posted = questions(box, card)[learning[0].position - 1]
    assert f"<@{DEVELOPING}>" in body(posted)


def test_ask_posts_one_question_from_the_chosen_lens_outside_a_discussion(sandbox):
    box = sandbox
    card = open_case(box)
    reply = box.driver.slash(DEVELOPING, "ask risk", CASE_CHANNEL)
    assert "posted a question" in reply.text
    (asked,) = prompts(box)
    assert asked.lens == "risk" and asked.discussion_id is None and asked.outcome == PromptOutcome.SINGLE
    posted = [m for m in box.emu.thread(CASE_CHANNEL, card["ts"]) if "A question to think about" in body(m)]
    assert len(posted) == 1 and controls(posted[0]) == []


def test_ask_with_an_unknown_lens_says_which_lenses_there_are(http_sandbox):
    box = http_sandbox
    open_case(box)
    reply = box.driver.slash(LEAD, "ask horoscope", CASE_CHANNEL)
    assert "risk" in reply.text and "clarifying" in reply.text
    assert prompts(box) == []


def test_ask_from_outside_the_case_is_refused(http_sandbox):
    box = http_sandbox
    open_case(box)
    reply = box.driver.slash(COLLEAGUE, "ask", CASE_CHANNEL)
    assert "Only the case's co-workers" in reply.text
    assert prompts(box) == []


def test_a_discussion_survives_a_restart_and_carries_on(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    say(box, card, LEAD, "Decision: we visit together next week")
    click(box, LEAD, NEXT, current(box, card))
    # A new process: new Deps and App on the same database and the same Slack.
    box.deps = Deps(
        settings=box.settings,
        engine=box.deps.engine,
        sessions=box.deps.sessions,
        content=type(box.deps.content)(),
        clock=box.deps.clock,
        executor=box.deps.executor,
    )
    box.app = create_app(box.deps)
    from bot.sandbox.driver import SocketModeTransport

    box.driver.transport = SocketModeTransport(box.app)
    click(box, DEVELOPING, NEXT, current(box, card))
    say(box, card, DEVELOPING, "Learning: I noticed I avoid asking about dad")
    assert len(prompts(box)) == 3
    assert sorted(i.kind.value for i in items(box)) == ["decision", "learning"]


def test_the_cards_ask_a_question_button_posts_one_question_for_members_only(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    click(box, COLLEAGUE, ActionId.CARD_ASK, card)
    assert prompts(box) == []
    assert [a.outcome for a in audits(box, "question.ask")] == ["denied"]
    click(box, DEVELOPING, ActionId.CARD_ASK, card)
    (asked,) = prompts(box)
    assert asked.discussion_id is None and asked.asked_by == DEVELOPING
    assert any("A question to think about" in body(m) for m in box.emu.thread(CASE_CHANNEL, card["ts"]))
