"""Steps shared by the discussion tests: start one, press its buttons, reply in the thread."""

from __future__ import annotations

from bot.ids import ActionId, Block
from bot.sandbox.harness import CASE_CHANNEL, LEAD
from storage.models import CapturedItem, Discussion, DiscussionPrompt, ThreadMessage
from tests.reminder_steps import body, controls, rows


def start(box, card: dict, user: str = LEAD, *, text: str = "discuss", focus: str = "", framework=None):
    """`/case <text>`, then Start in the modal; returns the modal submission's reply."""
    box.driver.slash(user, text, CASE_CHANNEL)
    view = box.emu.open_views_for(user)[-1]
    answers = {Block.FOCUS: focus} if focus else {}
    if framework:
        answers[Block.FRAMEWORK] = framework
    return box.driver.submit(user, view, answers)


def questions(box, card: dict) -> list[dict]:
    """Question posts in the case thread, oldest first."""
    return [m for m in box.emu.thread(CASE_CHANNEL, card["ts"]) if body(m).startswith("*Question")]


def current(box, card: dict) -> dict:
    """The one question that still carries buttons."""
    (found,) = [q for q in questions(box, card) if controls(q)]
    return found


def say(box, card: dict, user: str, text: str) -> dict:
    return box.people.reply(user, CASE_CHANNEL, card["ts"], text)


def discussions(box) -> list[Discussion]:
    return rows(box, Discussion)


def prompts(box) -> list[DiscussionPrompt]:
    return rows(box, DiscussionPrompt)


def items(box, **where) -> list[CapturedItem]:
    return [i for i in rows(box, CapturedItem, **where) if i.withdrawn_at is None]


def stored(box) -> list[ThreadMessage]:
    return rows(box, ThreadMessage)


NEXT, ANOTHER, SKIP, WRAP = (
    ActionId.QUESTION_NEXT,
    ActionId.QUESTION_ANOTHER_LENS,
    ActionId.QUESTION_SKIP,
    ActionId.QUESTION_WRAP_UP,
)
