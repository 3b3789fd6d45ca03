"""Cover is narrow: a cover gets the reminders, but reading, exporting or amending the case's notes needs
the case manager's approval, asked for by a button in the manager's DM, and it ends with the leave."""

from __future__ import annotations

from sqlalchemy import select

from bot.ids import ActionId, CallbackId
from bot.kernel.access import NOT_ALLOWED
from bot.outbox import delivery
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, LEAD, MANAGER
from storage.models import AuditEntry, Case, CoverApproval
from tests.journey import open_case
from tests.notes_builder import Version, add_note
from tests.reminder_steps import away, ephemerals

EPHEMERAL = {"ts": "1700000000.000100", "blocks": []}  # a click on an ephemeral list of notes


def notes(box, user: str) -> str:
    box.driver.slash(user, "notes CASE-2026-014", CASE_CHANNEL)
    return ephemerals(box, user)[-1]


def approve_button(box) -> tuple[dict, str]:
    delivery.deliver_due(box.deps)
    for message in reversed(box.emu.dms(MANAGER)):
        for block in message.get("blocks", []):
            for element in block.get("elements", []):
                if element.get("action_id") == ActionId.COVER_APPROVE:
                    return message, element["value"]
    raise AssertionError("no approval DM for the manager")


def test_a_cover_reads_notes_only_with_the_managers_approval_until_the_leave_ends(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    assert "Enjoy your leave" in away(box, LEAD, f"2026-12-24 <@{COLLEAGUE}|kiri>")

    asked = notes(box, COLLEAGUE)
    assert "needs <@UMERE001>'s approval" in asked and "I've asked them" in asked
    assert "hasn't approved this yet" in notes(box, COLLEAGUE)  # asked once, not on every try
    message, value = approve_button(box)
    assert sum("asks to read" in m.get("text", "") for m in box.emu.dms(MANAGER)) == 1

    dm = box.emu.dm_channel_for(MANAGER)
    box.driver.click(LEAD, ActionId.COVER_APPROVE, value, message=message, channel_id=dm)  # not the manager
    assert "hasn't approved this yet" in notes(box, COLLEAGUE)
    box.driver.click(MANAGER, ActionId.COVER_APPROVE, value, message=message, channel_id=dm)
    allowed = notes(box, COLLEAGUE)
    assert "approval" not in allowed and NOT_ALLOWED not in allowed
    with box.deps.sessions() as session:
        (approval,) = session.scalars(select(CoverApproval)).all()
        assert approval.approved_at is not None
        actions = [(a.action, a.outcome) for a in session.scalars(select(AuditEntry))]
    assert ("cover.approve", "denied") in actions and ("cover.approve", "ok") in actions
    assert ("notes.list", "needs_approval") in actions

    clock.advance(days=40)  # the leave ended on 24 December: so did the approval
    assert notes(box, COLLEAGUE) == NOT_ALLOWED


def test_someone_not_covering_is_refused_without_asking_the_manager(http_sandbox):
    box = http_sandbox
    open_case(box)
    assert notes(box, COLLEAGUE) == NOT_ALLOWED  # in the channel, not on the case, not covering
    delivery.deliver_due(box.deps)
    assert not any("asks to read" in m.get("text", "") for m in box.emu.dms(MANAGER))


def test_a_cover_amending_a_note_is_asked_for_like_reading_it_and_the_manager_is_asked_once(http_sandbox):
    """The Amend button (say, kept from a note opened while an earlier approval held) and the amendment
    form's submission: a cover without approval is refused and audited, and the manager is asked."""
    box = http_sandbox
    open_case(box)
    with box.deps.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.reference == "CASE-2026-014"))
        add_note(session, case, Version())
        case_id = case.id
    assert "Enjoy your leave" in away(box, LEAD, f"2026-12-24 <@{COLLEAGUE}|kiri>")

    reply = box.driver.click(
        COLLEAGUE, ActionId.NOTE_AMEND, f"{case_id}:2", message=EPHEMERAL, channel_id=CASE_CHANNEL
    )
    assert reply.status == 200
    asked = ephemerals(box, COLLEAGUE)[-1]
    assert "needs <@UMERE001>'s approval" in asked and "I've asked them" in asked
    assert not [v for v in box.emu.open_views_for(COLLEAGUE) if v.get("callback_id") == CallbackId.AMEND]
    approve_button(box)  # the manager's DM with the button
    assert "hasn't approved this yet" in notes(box, COLLEAGUE)  # the same request, not a second one
    delivery.deliver_due(box.deps)
    assert sum("asks to read" in m.get("text", "") for m in box.emu.dms(MANAGER)) == 1
    with box.deps.sessions() as session:
        refusals = [
            a.outcome for a in session.scalars(select(AuditEntry).where(AuditEntry.action == "note.amend"))
        ]
    assert refusals == ["needs_approval"]


def test_someone_not_covering_who_amends_is_refused_without_asking_the_manager(http_sandbox):
    box = http_sandbox
    open_case(box)
    with box.deps.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.reference == "CASE-2026-014"))
        add_note(session, case, Version())
        case_id = case.id
    box.driver.click(
        COLLEAGUE, ActionId.NOTE_AMEND, f"{case_id}:2", message=EPHEMERAL, channel_id=CASE_CHANNEL
    )
    assert ephemerals(box, COLLEAGUE)[-1] == NOT_ALLOWED
    delivery.deliver_due(box.deps)
    assert not any("asks to read" in m.get("text", "") for m in box.emu.dms(MANAGER))
    with box.deps.sessions() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "note.amend"))
    assert entry.outcome == "denied"
