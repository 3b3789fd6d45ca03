"""Agreed actions for follow-up tests, built directly with the ORM (the saving flow is separate): a
signed-off note on the sandbox case holding the given actions, each planned with `plan_action` as the
saving flow does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bot.follow_ups.flows_sweep import plan_action
from bot.notes.rules import ActionText
from storage import notes as note_store
from storage.models import Case
from tests.notes_builder import Version, add_note

MONDAY = date(2026, 11, 30)  # before the demo case's first discussion (Wed 2 Dec), so no reminder noise
TEXT = "Ring the school about attendance"
DONE = "We know the last 4 weeks"


@dataclass(frozen=True)
class Wanted:
    owner_id: str | None
    due: date | None = MONDAY
    text: str = TEXT
    done_looks_like: str | None = DONE


def add_actions(box, *wanted: Wanted) -> list[int]:
    """A note on the (only) case with these actions, planned now; their ids in order."""
    with box.deps.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        texts = tuple(
            ActionText(n, w.text, w.owner_id, w.due, w.done_looks_like) for n, w in enumerate(wanted, start=1)
        )
        note = add_note(session, case, Version(actions=texts))
        actions = note_store.actions_of_note(session, note_id=note.id)
        for action in actions:
            plan_action(box.deps, session, action, box.deps.clock())
        return [a.id for a in actions]
