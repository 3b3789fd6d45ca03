"""Rows that will never be sent: dead-lettered with an audit entry and a notice to the case's manager
(and, for a case card, the rows that needed it). Also what a finished row forgets: its words."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kernel.rules_text import slack_escape
from storage import repository as repo
from storage.models import Case, OutboxKind, OutboxMessage, OutboxStatus

log = logging.getLogger("bot.outbox.delivery")  # the sender's log, as before this module was split off

# Slack refusing the request itself as malformed: sending it again can only be refused again.
INVALID = {
    "invalid_arguments",
    "invalid_blocks",
    "invalid_blocks_format",
    "invalid_attachments",
    "too_many_attachments",
    "msg_too_long",
    "msg_blocks_too_long",
    "no_text",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "metadata_too_large",
    "markdown_text_conflict",
}
UNBUILDABLE = "unbuildable"  # last_error prefix of a row whose Slack call could not be built

# Once sent (or overtaken), a row needs only its ids. The words it carried (a focus question, the
# decisions in a note's confirmation) are case text, and the outbox is not a place to keep case text:
# it would outlive the raw-text retention and every note purge.
WORDS = ("text", "blocks")


def forget_words(message: OutboxMessage) -> None:
    message.payload = {key: value for key, value in message.payload.items() if key not in WORDS}


def to_dead_letter(
    session: Session, message: OutboxMessage, error: str, now: datetime, *, notify: bool = True
) -> None:
    """notify=False: no notice to the manager (the team uninstalled casebot: it could not be sent)."""
    message.status, message.last_error = OutboxStatus.DEAD, error
    forget_words(message)  # nothing re-sends a dead row, so its words would only linger
    log.error("slack call failed permanently", extra={"outbox_id": message.id, "error": error})
    repo.add_audit(
        session,
        team_id=message.team_id,
        now=now,
        actor=None,
        action="outbox.dead",
        object_type="outbox",
        object_id=message.id,
        outcome="failed",
        detail={"error": error},
    )
    if not notify or message.kind == "dm" or message.case_id is None:
        return  # a notice about a notice would loop; the audit entry records it
    if message.kind == "post_card":
        _dead_letter_dependants(session, message.case_id)
    case = session.get(Case, message.case_id)
    assert case is not None
    repo.enqueue(
        session,
        team_id=message.team_id,
        kind=OutboxKind.DM,
        now=now,
        payload={
            "user_id": case.manager.slack_user_id,
            "text": _dead_letter_notice(message, case, error),
        },
    )


def _dead_letter_notice(message: OutboxMessage, case: Case, error: str) -> str:
    reference = slack_escape(case.reference)
    recipient = message.payload.get("user_id", "thread")
    if error in INVALID or error.startswith(UNBUILDABLE):
        return (
            f"I couldn't send an update for case {reference} in <#{case.channel_id}>: it came out in a "
            f"shape Slack doesn't accept (`{error}`). Nothing on the case has been lost, and this has "
            "been logged for whoever looks after casebot."
        )
    if message.kind == "reminder" and recipient != "thread":
        return (
            f"I couldn't send <@{recipient}> a reminder about case {reference} (Slack said `{error}`). "
            "If they have left or changed role, you may want to reassign their part of the case."
        )
    return (
        f"I couldn't deliver an update for case {reference} in <#{case.channel_id}> "
        f"(Slack said `{error}`). If I was removed from the channel or it was archived, please "
        "invite me back or tell me where the case lives now; nothing has been lost."
    )


# Rows that can only be sent once the card exists (its thread, its ts) would otherwise be deferred
# forever; they share the card's fate, and the manager's notice covers them.
NEEDS_CARD = (
    "post_agreement",
    "update_card",
    "update_agreement",
    "thread_note",
    "post_prompt",
    "update_prompt",
)


def _dead_letter_dependants(session: Session, case_id: int) -> None:
    waiting = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind.in_(NEEDS_CARD),
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
    ).all()
    for message in waiting:
        message.status, message.last_error = OutboxStatus.DEAD, "case_card_not_posted"
        forget_words(message)
