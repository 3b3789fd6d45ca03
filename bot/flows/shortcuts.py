"""The "Add to case record" message shortcut."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.deps import Deps
from storage.models import Case, CaseStatus

NOT_A_CASE = "That message isn't in a case thread, so there is nothing to add it to. Nothing was stored."
NO_DISCUSSION = (
    "Marking messages for the record works during a reflective discussion, which this case "
    "doesn't have yet. Nothing was stored."
)


def add_to_record(deps: Deps, *, team_id: str, channel_id: str, message: dict[str, Any]) -> str:
    # Only the ids are read: the message text is never stored unless it belongs to a case discussion.
    thread_ts = message.get("thread_ts") or message.get("ts")
    with deps.sessions.begin() as session:
        case = session.scalar(
            select(Case).where(
                Case.team_id == team_id,
                Case.channel_id == channel_id,
                Case.thread_ts == thread_ts,
                Case.status == CaseStatus.OPEN,
            )
        )
        return NO_DISCUSSION if case else NOT_A_CASE
