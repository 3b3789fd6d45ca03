"""Urgent concerns in Slack, as pure data: the answer to whoever raised one, the alert DM, the card lines.

None of them carries what the message said: the alert names the case, who raised it and when, and
points to the case thread; the card says no more than that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.concerns.rules import COVER, DUTY, Contact
from bot.ids import ActionId
from bot.kernel.blocks import actions, button, context, section
from bot.kernel.rules_text import mention, slack_date, slack_escape

SAFETY = (
    ":rotating_light: A Slack message does not replace your organisation's safeguarding procedure. "
    "If you think a child or anyone else may be at risk, follow that procedure now: speak to your duty "
    "team or manager directly, and call the emergency services if someone is in immediate danger."
)
NOT_ON_CASE = "You are not on this case, so I have not alerted anyone."
CARD_SHOWN = 5  # concerns named on the card; the rest are counted


def raised_answer(contacts: Sequence[Contact], *, ack_minutes: int) -> str:
    """What the person who raised a new concern is told at once: the procedure first, then what casebot
    did, without promising that anyone has seen it."""
    if not contacts:
        return (
            f"{SAFETY}\nI have not alerted anyone: you are the case's manager and no duty contact is "
            "configured."
        )
    first = contacts[0]
    told = (
        f"{SAFETY}\nI have sent {mention(first.user_id)} an alert by DM, but they may not see it "
        "straight away."
    )
    if len(contacts) > 1:
        told += (
            f" If nobody acknowledges it within {_minutes(ack_minutes)}, it goes to "
            f"{mention(contacts[1].user_id)}."
        )
    return told


def already_answer(raised_at: datetime, acknowledged_by: str | None, acknowledged_at: datetime | None) -> str:
    """What someone marking an already-raised concern is told."""
    status = f"An alert about this message already went out {slack_date(raised_at)}."
    if acknowledged_by and acknowledged_at:
        status += f" {mention(acknowledged_by)} acknowledged it {slack_date(acknowledged_at)}."
    return f"{SAFETY}\n{status}"


def not_on_case_answer() -> str:
    return f"{SAFETY}\n{NOT_ON_CASE}"


@dataclass(frozen=True)
class AlertView:
    concern_id: int
    reference: str
    channel_id: str
    raised_by: str
    raised_at: datetime
    recipient: Contact
    manager_id: str
    earlier: tuple[tuple[str, datetime], ...] = ()  # (user id, alerted at) of alerts not acknowledged
    next_contact: str | None = None
    ack_minutes: int = 60
    permalink: str | None = None


_WHY = {
    COVER: "because you are covering {manager}'s leave",
    DUTY: "as the duty contact",
}


def alert_message(view: AlertView) -> tuple[str, list[dict[str, Any]]]:
    """The DM to one person in the chain, with the *Acknowledge* button."""
    ref = slack_escape(view.reference)
    where = (
        f"<{view.permalink}|the case thread>"
        if view.permalink
        else f"the case thread in <#{view.channel_id}>"
    )
    why = _WHY.get(view.recipient.role, "as the case's manager").format(manager=mention(view.manager_id))
    lines = [
        f":rotating_light: *Urgent concern on case {ref}*, raised by {mention(view.raised_by)} "
        f"{slack_date(view.raised_at)}. Please read it in {where} now.",
        f"You are receiving this {why}.",
    ]
    lines += [
        f"{mention(user_id)} was alerted {slack_date(at)} and has not acknowledged it."
        for user_id, at in view.earlier
    ]
    follow = "Press *Acknowledge* once you have picked it up; until then the case card shows it."
    if view.next_contact:
        follow += (
            f" Unacknowledged after {_minutes(view.ack_minutes)}, it goes to {mention(view.next_contact)}."
        )
    text = f"Urgent concern on case {ref}, raised by {mention(view.raised_by)}"
    return text, [
        section("\n".join(lines)),
        context("This alert does not replace your organisation's safeguarding procedure. " + follow),
        actions(button("Acknowledge", ActionId.URGENT_ACKNOWLEDGE, str(view.concern_id), style="danger")),
    ]


def acknowledged_note(user_id: str, at: datetime) -> str:
    return f":white_check_mark: Acknowledged by {mention(user_id)} {slack_date(at)}."


def raiser_notice(reference: str, user_id: str, at: datetime) -> str:
    """The DM to whoever raised the concern once someone has acknowledged it."""
    return (
        f":white_check_mark: {mention(user_id)} acknowledged the urgent concern you raised on case "
        f"{slack_escape(reference)} {slack_date(at)}. Keep following your organisation's safeguarding "
        "procedure."
    )


@dataclass(frozen=True)
class UrgentOnCard:
    raised_by: str
    raised_at: datetime


def card_lines(concerns: Sequence[UrgentOnCard]) -> list[dict[str, Any]]:
    """The card's line for open concerns: how many, who raised them and when. Nothing of what was said."""
    if not concerns:
        return []
    count = len(concerns)
    shown = "; ".join(
        f"raised by {mention(c.raised_by)} {slack_date(c.raised_at)}" for c in concerns[:CARD_SHOWN]
    )
    more = f"; + {count - CARD_SHOWN} more" if count > CARD_SHOWN else ""
    noun = "urgent concern" if count == 1 else "urgent concerns"
    return [section(f":rotating_light: *{count} {noun} not yet acknowledged*, {shown}{more}.")]


def _minutes(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
