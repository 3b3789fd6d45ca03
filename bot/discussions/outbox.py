"""A discussion question, rendered from its state at send time: only the current one carries buttons."""

from __future__ import annotations

from bot.discussions import flows_questions as questions
from bot.discussions.blocks import question_message
from bot.outbox.calls import Call, Renderers, Row, in_thread, update
from storage.models import DiscussionPrompt, OutboxKind


def register(renderers: Renderers) -> None:
    renderers.add(_prompt, OutboxKind.POST_PROMPT, OutboxKind.UPDATE_PROMPT)


def _prompt(row: Row) -> Call:
    prompt = row.session.get(DiscussionPrompt, row.payload["prompt_id"])
    assert prompt is not None
    text, blocks = question_message(questions.prompt_view(row.deps, row.session, row.case, prompt))
    purpose = f"prompt:{prompt.id}"
    if row.kind == OutboxKind.POST_PROMPT:
        return Call("chat.postMessage", in_thread(row.case, text, blocks, row.metadata), remember_as=purpose)
    return update(row.session, row.case, purpose, text, blocks)
