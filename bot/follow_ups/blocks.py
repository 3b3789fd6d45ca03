"""Action follow-ups as pure Block Kit: the owner's DM and its two modals, what the co-worker is told, and
the thread notes. The case card's record lines are in `blocks_card`.

Everything a person typed (the action, what done looks like, a reason) is Slack-escaped, so it can never
become a mention, a link or <!channel>. The card names owners and dates only: the action text is in the
note's confirmation in the thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.follow_ups.rules import REASON_MAX
from bot.ids import ActionId, Block, CallbackId
from bot.kernel.blocks import actions, button, context, fit, input_block, plain, section, sections, title
from bot.kernel.rules_text import channel_link, mention, slack_escape

TEXT_SHOWN = 1200  # characters of an action's text as sent (escaped) in a DM or modal
DONE_SHOWN = 600  # the same for what done looks like; a long DM is split over sections anyway


def due_day(due: date, noon: datetime) -> str:
    """A Slack date token for a due date. `noon` is midday of that date in the owner's zone, so readers
    near that zone see the right day ("today", "yesterday"); the fallback is the date itself."""
    return f"<!date^{int(noon.timestamp())}^{{date_short_pretty}}|{due.isoformat()}>"


def _shown(text: str, limit: int) -> str:
    """What a person typed, escaped first and then shortened to `limit` characters as sent (escaping
    grows & < > up to five times), never inside an escape; a visible "…" says there is more."""
    return fit(slack_escape(text), limit)


def _quoted(text: str, limit: int) -> str:
    quoted = "\n".join(f">{line}" for line in slack_escape(text).splitlines() or [""])
    return fit(quoted, limit)


def _which(number: int, note_number: int | None) -> str:
    return f"action {number} of note {note_number}" if note_number else f"action {number}"


@dataclass(frozen=True)
class FollowUpView:
    """One action as its follow-up DM and modals show it."""

    action_id: int
    round: int
    reference: str
    channel_id: str
    note_number: int | None
    number: int
    text: str
    done_looks_like: str | None
    due: date
    due_noon: datetime
    overdue: bool  # its due date has passed in the owner's calendar
    recipient_id: str
    owner_id: str
    for_others: tuple[tuple[str, str], ...] = ()  # (user id, "cover" | "deactivated") it also carries

    @property
    def value(self) -> str:
        return f"{self.action_id}:{self.round}"

    @property
    def which(self) -> str:
        return _which(self.number, self.note_number)


def _carried(view: FollowUpView) -> list[str]:
    lines = []
    for who, why in view.for_others:
        if why == "cover":
            lines.append(
                f"_You're covering for {mention(who)} while they're away, so their action comes to you._"
            )
        else:
            lines.append(
                f"_{mention(who)}'s Slack account is deactivated, so their action comes to you. "
                "You may want to reassign it._"
            )
    return lines


def action_body(view: FollowUpView) -> str:
    """What the action is: its case, text, what done looks like and its due date."""
    when = f"was due {due_day(view.due, view.due_noon)}" if view.overdue else "is due today"
    whose = "Your" if view.recipient_id == view.owner_id else f"{mention(view.owner_id)}'s"
    lines = [
        *_carried(view),
        f"{whose} {view.which} on case *{slack_escape(view.reference)}* {when}:",
        _quoted(view.text, TEXT_SHOWN),
    ]
    if view.done_looks_like:
        lines.append(f"*Done looks like:* {_shown(view.done_looks_like, DONE_SHOWN)}")
    return "\n".join(lines)


def follow_up_message(view: FollowUpView) -> tuple[str, list[dict[str, Any]]]:
    """The owner's DM on the due date: the action and *Done* / *Need more time* / *Can't do it*."""
    ask = (
        "How is it going? If it's done, say so; if it needs longer, pick a new date; if it can't be done, "
        f"say why and I'll let your co-worker know. The case thread is in {channel_link(view.channel_id)}."
    )
    fallback = f"An action on case {slack_escape(view.reference)} is due"
    return fallback, [
        *sections(action_body(view)),
        context(ask),
        actions(
            button("Done", ActionId.ACTION_DONE, view.value, style="primary"),
            button("Need more time", ActionId.ACTION_EXTEND, view.value),
            button("Can't do it", ActionId.ACTION_CANNOT, view.value),
            block_id=f"action_follow_up:{view.value}",
        ),
    ]


# ---------------------------------------------------------------- modals


@dataclass(frozen=True)
class AnswerContext:
    """What a follow-up modal carries through Slack: ids only, never case text."""

    action_id: int
    round: int
    channel_id: str | None = None  # the clicked DM, so its buttons can be replaced afterwards
    ts: str | None = None

    def dumps(self) -> str:
        return json.dumps(
            {"action": self.action_id, "round": self.round, "channel": self.channel_id, "ts": self.ts}
        )

    @classmethod
    def loads(cls, raw: str | None) -> AnswerContext | None:
        try:
            data = json.loads(raw or "")
            return cls(int(data["action"]), int(data["round"]), data.get("channel"), data.get("ts"))
        except (ValueError, KeyError, TypeError):
            return None


def _about(view: FollowUpView) -> dict[str, Any]:
    return section(
        f"{view.which.capitalize()} on case *{slack_escape(view.reference)}*, due "
        f"{due_day(view.due, view.due_noon)}:\n{_quoted(view.text, TEXT_SHOWN)}"
    )


def extend_modal(view: FollowUpView, answer: AnswerContext, *, initial: date) -> dict[str, Any]:
    picker = {"type": "datepicker", "initial_date": initial.isoformat(), "placeholder": plain("New due date")}
    return {
        "type": "modal",
        "callback_id": CallbackId.ACTION_EXTEND,
        "title": title("Need more time"),
        "submit": title("Save"),
        "close": title("Cancel"),
        "private_metadata": answer.dumps(),
        "blocks": [
            _about(view),
            input_block(
                Block.ACTION_DUE,
                "New due date",
                picker,
                hint="I'll check in again on that day. The case thread shows the new date.",
            ),
        ],
    }


def cannot_modal(view: FollowUpView, answer: AnswerContext) -> dict[str, Any]:
    reason = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": REASON_MAX,
        "placeholder": plain("What's in the way?"),
    }
    return {
        "type": "modal",
        "callback_id": CallbackId.ACTION_CANNOT,
        "title": title("Can't do it"),
        "submit": title("Send"),
        "close": title("Cancel"),
        "private_metadata": answer.dumps(),
        "blocks": [
            _about(view),
            input_block(
                Block.ACTION_REASON,
                "Why can't it be done?",
                reason,
                hint="Your co-worker gets this by DM so you can agree what happens next. "
                "Keep names and identifying details out.",
            ),
        ],
    }


def read_due(values: Mapping[str, Mapping[str, Any]]) -> date | None:
    picked = values.get(Block.ACTION_DUE, {}).get(Block.ACTION_DUE, {}).get("selected_date")
    try:
        return date.fromisoformat(picked) if picked else None
    except (TypeError, ValueError):
        return None


def read_reason(values: Mapping[str, Mapping[str, Any]]) -> str:
    return (values.get(Block.ACTION_REASON, {}).get(Block.ACTION_REASON, {}).get("value") or "").strip()


# ---------------------------------------------------------------- what happened


def done_text(user_id: str, number: int, note_number: int | None) -> str:
    return f":white_check_mark: {mention(user_id)} marked {_which(number, note_number)} as done."


def extended_text(user_id: str, number: int, note_number: int | None, due: date, noon: datetime) -> str:
    return (
        f":calendar: {mention(user_id)} gave {_which(number, note_number)} more time: "
        f"it's now due {due_day(due, noon)}."
    )


def cannot_text(user_id: str, number: int, note_number: int | None, told: tuple[str, ...]) -> str:
    who = " and ".join(mention(t) for t in told)
    then = f" {who} {'has' if len(told) == 1 else 'have'} been told why." if told else ""
    return f":raised_hand: {mention(user_id)} can't do {_which(number, note_number)}.{then}"


def cannot_notice(
    view: FollowUpView, *, actor_id: str, reason: str, for_others: tuple[tuple[str, str], ...] = ()
) -> tuple[str, list[dict[str, Any]]]:
    """The DM to the case's other co-worker(s): who can't do which action, and why."""
    carried = [
        f"_You're covering for {mention(who)} while they're away, so this comes to you._"
        if why == "cover"
        else f"_{mention(who)}'s Slack account is deactivated, so this comes to you._"
        for who, why in for_others
    ]
    whose = "their" if actor_id == view.owner_id else f"{mention(view.owner_id)}'s"
    body = "\n".join(
        [
            *carried,
            f"{mention(actor_id)} can't do {whose} {view.which} on case *{slack_escape(view.reference)}* "
            f"(due {due_day(view.due, view.due_noon)}):",
            _quoted(view.text, TEXT_SHOWN),
            f"*Why:* {slack_escape(reason)}",
        ]
    )
    ask = (
        "Could you talk it through and agree who picks it up, or whether it still needs doing? "
        f"The case thread is in {channel_link(view.channel_id)}."
    )
    return f"An action on case {slack_escape(view.reference)} can't be done", [*sections(body), context(ask)]
