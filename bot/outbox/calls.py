"""What each kind of outbox row becomes at send time: a Slack call, rendered from the database now.

Rendering late means a card always shows the latest state, and a reminder is checked against the
item just before it goes: one overtaken by a snooze, a hold or a higher rung is cancelled, and one
whose recipient is outside working hours (or went on leave since) waits.

The outbox renders the kinds that need no feature (a DM, a replaced message, a note in the case
thread); each feature registers renderers for its own kinds (`bot/<feature>/outbox.py`), wired once by
the shell (`bot/renderers.py`), so this package imports no feature.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.deps import Deps
from storage import repository as repo
from storage.models import Case, OutboxKind, OutboxMessage, SlackPost

log = logging.getLogger(__name__)

METADATA_TYPE = "casebot_outbox"


@dataclass
class Call:
    """A Slack Web API call to make, and what to remember about it afterwards."""

    method: str
    kwargs: dict[str, Any]
    remember_as: str | None = None  # SlackPost purpose to store the resulting ts under


class Defer(Exception):
    """The row cannot be sent yet (its thread is not posted, or its recipient is not working)."""

    def __init__(self, until: datetime | None = None) -> None:
        super().__init__()
        self.until = until


class Cancel(Exception):
    """The row is no longer wanted (e.g. the discussion it reminds about has been held)."""


@dataclass(frozen=True)
class Row:
    """One case's outbox row being rendered: what a feature's renderer reads."""

    deps: Deps
    session: Session
    case: Case
    kind: OutboxKind
    payload: dict
    metadata: dict
    now: datetime


Renderer = Callable[[Row], Call]


class Renderers:
    """Which renderer turns each kind of row into a Slack call; features add theirs once."""

    def __init__(self) -> None:
        self._by_kind: dict[OutboxKind, Renderer] = {}

    def add(self, render: Renderer, *kinds: OutboxKind) -> None:
        for kind in kinds:
            if self._by_kind.get(kind, render) is not render:
                raise ValueError(f"two renderers for outbox kind {kind}")
            self._by_kind[kind] = render

    def get(self, kind: OutboxKind) -> Renderer | None:
        return self._by_kind.get(kind)

    def __bool__(self) -> bool:
        return bool(self._by_kind)


RENDERERS = Renderers()  # filled by bot.renderers.wire()


def prepare(deps: Deps, session: Session, message: OutboxMessage, now: datetime) -> Call:
    payload = message.payload
    metadata = {"event_type": METADATA_TYPE, "event_payload": {"outbox_id": message.id}}
    if message.kind == OutboxKind.DM:
        return Call(
            "chat.postMessage", post(payload["user_id"], payload["text"], payload.get("blocks"), metadata)
        )
    if message.kind == OutboxKind.REPLACE_MESSAGE:
        return Call("chat.update", {k: payload[k] for k in ("channel", "ts", "text", "blocks")})
    case = repo.load_case(session, case_id=message.case_id or payload["case_id"])
    assert case is not None
    if message.kind == OutboxKind.THREAD_NOTE:
        return Call("chat.postMessage", in_thread(case, payload["text"], payload.get("blocks"), metadata))
    if not RENDERERS:
        log.error("no outbox renderers are wired (bot.renderers.wire): outbox row %s waits", message.id)
        raise Defer
    kind = OutboxKind(message.kind)  # a ValueError for a kind we do not know
    render = RENDERERS.get(kind)
    if render is None:
        raise ValueError(f"unknown outbox kind {message.kind}")
    return render(Row(deps, session, case, kind, payload, metadata, now))


def post(channel: str, text: str, blocks: list | None, metadata: dict) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "channel": channel,
        "text": text,
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": metadata,
    }
    if blocks:
        kwargs["blocks"] = blocks
    return kwargs


def in_thread(case: Case, text: str, blocks: list | None, metadata: dict) -> dict[str, Any]:
    if not case.thread_ts:
        raise Defer  # the card (the thread's root) has not gone out yet
    return post(case.channel_id, text, blocks, metadata) | {"thread_ts": case.thread_ts}


def update(session: Session, case: Case, purpose: str, text: str, blocks: list) -> Call:
    posted = _posted(session, case, purpose)
    return Call(
        "chat.update", {"channel": posted.channel_id, "ts": posted.ts, "text": text, "blocks": blocks}
    )


def _posted(session: Session, case: Case, purpose: str) -> SlackPost:
    found = repo.slack_post(session, case_id=case.id, purpose=purpose)
    if found is None:
        raise Defer  # the original post has not gone out yet
    return found
