"""Notes in a case's thread (queued, sent by the outbox after the change commits), and quick answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.kernel.blocks import sections
from storage import repository as repo
from storage.models import Case, OutboxKind


def note(session: Session, case: Case, text: str, now: datetime, blocks: list | None = None) -> None:
    blocks = blocks or sections(text)  # a long note is split over sections (see blocks.split_text)
    repo.enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.THREAD_NOTE,
        payload={"case_id": case.id, "text": text, "blocks": blocks},
        now=now,
    )


def tell(
    client: WebClient,
    channel_id: str,
    user_id: str,
    text: str,
    thread_ts: str | None = None,
    blocks: list | None = None,
) -> None:
    """An ephemeral answer; a DM where it can't be shown (casebot or the person not in the channel),
    so the answer still arrives. Listeners call this after their ack: an exception there would be
    lost, and the person would see nothing."""
    extra: dict[str, Any] = {"blocks": blocks} if blocks else {}
    try:
        client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, thread_ts=thread_ts, **extra)
    except SlackApiError:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks or sections(text))
