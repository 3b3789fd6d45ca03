"""Block Kit for reflective discussions: the start modal, each question in the thread, the kind modal."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.ids import ActionId, Block, CallbackId
from bot.kernel.blocks import actions, button, context, input_block, option, plain, section, sections, title
from bot.kernel.rules_text import mention, slack_escape

FOCUS_MAX = 300
PREFIX_HINT = (
    "Reply in this thread. To mark something for the record, start a reply with `Decision:`, "
    "`Action: @name … by Friday`, `Concern:`, `Learning:`, `Disagree:` or `Shared:`."
)
# The opening post's reminder: the case thread is chat, not the record (PRACTICE.md section 6).
NO_NAMES = (
    "Describe relationships, not names: say mum, grandad or the class teacher, and leave out names, "
    "addresses, schools and other families' details."
)
OUTCOME_NOTE = {
    "moved_on": "Moved on to the next question.",
    "skipped": "Skipped.",
    "wrapped": "The discussion was wrapped up.",
}
KIND_LABELS = {
    "decision": "Decision",
    "action": "Action",
    "concern": "Concern",
    "learning": "Learning point",
    "disagree": "Difference of view",
    "shared": "Information-sharing decision",
    "told": "Told the child or family",
    "urgent": "Urgent concern",
}


@dataclass(frozen=True)
class StartContext:
    """What the start modal carries through Slack: ids only, never case text."""

    case_id: int
    item_value: str | None = None  # "item:round" when started from a reminder

    def dumps(self) -> str:
        return json.dumps({"case_id": self.case_id, "item": self.item_value})

    @classmethod
    def loads(cls, raw: str | None) -> StartContext | None:
        try:
            data = json.loads(raw or "")
            return cls(int(data["case_id"]), data.get("item"))
        except (ValueError, KeyError, TypeError):
            return None


def start_modal(
    *, reference: str, frameworks: Mapping[str, str], chosen: str, context_: StartContext
) -> dict[str, Any]:
    """Optional focus question and the framework (default critical friend); ids in private_metadata."""
    framework_select = {
        "type": "static_select",
        "options": [option(fid, name) for fid, name in frameworks.items()],
        "initial_option": option(chosen, frameworks[chosen]),
    }
    focus = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": FOCUS_MAX,
        "placeholder": plain("What do you most want to think through today?"),
    }
    return {
        "type": "modal",
        "callback_id": CallbackId.DISCUSSION_START,
        "title": title("Reflective discussion"),
        "submit": title("Start"),
        "close": title("Cancel"),
        "private_metadata": context_.dumps(),
        "blocks": [
            section(
                f"A reflective discussion for case *{slack_escape(reference)}*, in the case thread. "
                "Keep names and identifying details out of Slack: the case reference is enough."
            ),
            input_block(
                Block.FOCUS,
                "Focus question (optional)",
                focus,
                optional=True,
                hint="The question you want help with. You can leave it empty.",
            ),
            input_block(Block.FRAMEWORK, "Framework", framework_select),
        ],
    }


def read_start(values: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """(focus, framework id) from the start modal's state."""
    focus = (values.get(Block.FOCUS, {}).get(Block.FOCUS, {}).get("value") or "").strip()
    chosen = values.get(Block.FRAMEWORK, {}).get(Block.FRAMEWORK, {}).get("selected_option") or {}
    return focus, chosen.get("value", "")


@dataclass(frozen=True)
class PromptView:
    discussion_id: int | None  # None for a single /case ask question
    prompt_id: int
    number: int
    text: str
    heading: str  # the stage or lens it comes from
    coworker_ids: tuple[str, ...]
    for_ids: tuple[str, ...] = ()  # addressed to these people (a learning question for the developing worker)
    current: bool = True
    outcome: str = "current"
    replies: int = 0
    first: bool = False
    scaling: bool = False
    asked_by: str | None = None


def question_message(view: PromptView) -> tuple[str, list[dict[str, Any]]]:
    """A question in the thread. The current one carries the buttons; earlier ones say what became of them."""
    to = view.for_ids or (view.coworker_ids if view.first or view.discussion_id is None else ())
    greeting = " ".join(mention(u) for u in to)
    label = "Question" if view.discussion_id is not None else "A question to think about"
    number = f" {view.number}" if view.discussion_id is not None else ""
    lines = [f"*{label}{number}* · {slack_escape(view.heading)}"]
    if greeting:
        lines.append(greeting)
    lines.append(f">{slack_escape(view.text)}")
    blocks: list[dict[str, Any]] = sections("\n".join(lines))
    if view.scaling:
        blocks.append(
            context(
                "Each of you: give your own number from 0 to 10, why it isn't lower, and what would move "
                "it up one point."
            )
        )
    if view.discussion_id is None:
        if view.asked_by:
            blocks.append(
                context(f"Asked by {mention(view.asked_by)} with `/case ask`. Reply in the thread.")
            )
        return f"{label}: {view.text}", blocks
    if view.current:
        if view.first:
            blocks.append(context(PREFIX_HINT))
        value = f"{view.discussion_id}:{view.prompt_id}"
        blocks.append(
            actions(
                button("Next question", ActionId.QUESTION_NEXT, value, style="primary"),
                button("Another lens", ActionId.QUESTION_ANOTHER_LENS, value),
                button("Skip", ActionId.QUESTION_SKIP, value),
                button("Wrap up", ActionId.QUESTION_WRAP_UP, value),
                block_id=f"question:{value}",
            )
        )
    else:
        replies = f"{view.replies} repl{'y' if view.replies == 1 else 'ies'}. " if view.replies else ""
        blocks.append(context(replies + OUTCOME_NOTE.get(view.outcome, "")))
    return f"{label}{number}: {view.text}", blocks


def started_text(user_id: str, framework_name: str, focus: str | None, roles: tuple[str, ...]) -> str:
    lines = [f":speech_balloon: {mention(user_id)} started a reflective discussion ({framework_name})."]
    if focus:
        lines.append(f"*Focus:* {slack_escape(focus)}")
    if roles:
        lines.append(f"Agree who takes each role: {', '.join(roles)}.")
    lines.append("Questions come one at a time. Take your time; the discussion can run over several days.")
    lines.append(NO_NAMES)
    return "\n".join(lines)


def wrapped_text(user_id: str, asked: int, counts: Mapping[str, int], recorder_ids: tuple[str, ...]) -> str:
    found = [f"{n} {KIND_LABELS[kind].lower()}{'' if n == 1 else 's'}" for kind, n in counts.items() if n]
    summary = ", ".join(found) if found else "nothing marked for the record yet"
    who = " or ".join(mention(u) for u in recorder_ids)
    record = f" {who}: please record the summary." if who else ""
    return (
        f":white_check_mark: {mention(user_id)} wrapped up the discussion: {asked} "
        f"question{'' if asked == 1 else 's'}, {summary}.{record}"
    )


def kind_modal(*, message_id: int, preselected: str | None = None) -> dict[str, Any]:
    radios: dict[str, Any] = {
        "type": "radio_buttons",
        "options": [option(kind, label) for kind, label in KIND_LABELS.items()],
    }
    if preselected in KIND_LABELS:
        radios["initial_option"] = option(preselected, KIND_LABELS[preselected])
    return {
        "type": "modal",
        "callback_id": CallbackId.CAPTURE_KIND,
        "title": title("Add to case record"),
        "submit": title("Add"),
        "close": title("Cancel"),
        "private_metadata": json.dumps({"message_id": message_id}),
        "blocks": [input_block(Block.CAPTURE_KIND, "Mark this message as", radios)],
    }


def read_kind(values: Mapping[str, Mapping[str, Any]]) -> str:
    chosen = values.get(Block.CAPTURE_KIND, {}).get(Block.CAPTURE_KIND, {}).get("selected_option") or {}
    return str(chosen.get("value", ""))
