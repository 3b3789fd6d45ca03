"""Steps of the open-a-case journey, shared by the Slack-level tests."""

from __future__ import annotations

from bot.sandbox.demo import AGREEMENT
from bot.sandbox.harness import CASE_CHANNEL, MANAGER, Sandbox


def make_manager(box: Sandbox, user_id: str = MANAGER) -> None:
    from bot.sandbox.harness import ADMIN

    reply = box.driver.slash(ADMIN, f"admin manager add <@{user_id}|someone>", CASE_CHANNEL)
    assert "can now open and manage cases" in reply.text


def open_modal(box: Sandbox, user_id: str = MANAGER, channel: str = CASE_CHANNEL) -> dict:
    box.driver.slash(user_id, "open", channel)
    return box.emu.open_views_for(user_id)[-1]


GOOD_ANSWERS = AGREEMENT  # the demo's agreement: one source for "a valid agreement"


def submit(box: Sandbox, view: dict, user_id: str = MANAGER, **changes):
    return box.driver.submit(user_id, view, {**GOOD_ANSWERS, **changes})


def open_case(box: Sandbox, **changes) -> dict:
    """Manager opens a case; returns the card message as the emulator holds it."""
    make_manager(box)
    reply = submit(box, open_modal(box), **changes)
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    return box.emu.messages(CASE_CHANNEL)[-1]


AGREEMENT_NOTE = "Co-working agreement: version"  # in every agreement version's decision note


def recorded(box: Sandbox, model) -> list:
    """Rows of Note or NoteVersion, leaving out the agreement's own management decision notes: opening a
    case writes the first one (note 1), so a test about other notes counts them without it."""
    import json

    from sqlalchemy import select

    from storage.models import Note, NoteVersion

    with box.deps.sessions() as session:
        versions = list(session.scalars(select(NoteVersion).order_by(NoteVersion.id)))
        agreement = {v.note_id for v in versions if AGREEMENT_NOTE in json.dumps(v.sections)}
        if model is NoteVersion:
            return [v for v in versions if v.note_id not in agreement]
        assert model is Note
        return [n for n in session.scalars(select(Note).order_by(Note.id)) if n.id not in agreement]


def note_audits(box: Sandbox, action: str = "note.create") -> list:
    """Audit entries for notes, without those of the agreement's decision notes."""
    from sqlalchemy import select

    from storage.models import AuditEntry

    with box.deps.sessions() as session:
        found = session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [a for a in found if (a.detail or {}).get("kind") != "agreement"]
