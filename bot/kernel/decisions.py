"""A management decision written by a feature that bot/notes itself depends on (cases: the agreement).

bot/notes reads bot/cases (who records, the case's view), so bot/cases cannot import bot/notes without
an import cycle. Instead the agreement's flows hand a `Decision` to `record`, inside their own
transaction, and the shell wires the note writer in once per process (`bot/renderers.wire`, called by
`app.py`, `jobs.py` and `scheduler.py`): the note is written in the same transaction as the agreement
version, or neither is. Nothing is silently skipped: an unwired process raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.deps import Deps
from storage.models import Case


@dataclass(frozen=True)
class Decision:
    """What the note records: the decision's kind and outcome, who took part, and its sections."""

    kind: str  # "agreement": the first version or a change
    outcome: str | None
    participants: tuple[str, ...]
    sections: tuple[tuple[str, str, str], ...]  # (key, title, text)


Writer = Callable[[Deps, Session, Case, Decision, str, datetime], int]  # returns the note's number

_writers: dict[str, Writer] = {}


class NotWired(RuntimeError):
    """No note writer is wired into this process (bot.renderers.wire was not called)."""


def wire(writer: Writer) -> None:
    """Register the management decision note writer (again is harmless)."""
    _writers["note"] = writer


def record(
    deps: Deps, session: Session, case: Case, decision: Decision, *, user_id: str, now: datetime
) -> int:
    """Write the decision as a management decision note in the caller's transaction; its number."""
    writer = _writers.get("note")
    if writer is None:
        raise NotWired("no management decision writer: call bot.renderers.wire() first")
    return writer(deps, session, case, decision, user_id, now)
