"""Slack guests (is_restricted, is_ultra_restricted) are refused as co-workers, covers and managers.

PRACTICE.md: a case channel has no guests. The emulator reports guests as Slack does in users.info and
users.list; each refusal is one clear line, and nothing is saved.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.ids import Block
from bot.kernel.people import _facts
from bot.sandbox.harness import CASE_CHANNEL, LEAD
from storage.models import AuditEntry, Case, Leave
from tests.journey import make_manager, open_modal, submit
from tests.reminder_steps import away

GUEST = "UGUEST001"


def _add_guest(box, kind: str) -> None:
    box.emu.add_user(GUEST, name="gina", real_name="Gina (contractor)", tz="Pacific/Auckland", guest=kind)
    box.emu.channels[CASE_CHANNEL].members.append(GUEST)


def _rows(box, model, *where):
    with box.deps.sessions() as session:
        return list(session.scalars(select(model).where(*where)))


@pytest.mark.parametrize("kind", ["multi", "single"])
def test_the_emulator_reports_guests_as_slack_does(http_sandbox, kind):
    _add_guest(http_sandbox, kind)
    user = http_sandbox.emu.users[GUEST].to_json("T0CASE01")
    assert user["is_restricted"] is True and user["is_ultra_restricted"] is (kind == "single")
    facts, _tz = _facts(user)
    assert facts.is_guest


@pytest.mark.parametrize("kind", ["multi", "single"])
def test_a_guest_is_refused_as_a_co_worker(http_sandbox, kind):
    box = http_sandbox
    _add_guest(box, kind)
    make_manager(box)
    view = open_modal(box)
    reply = submit(box, view, **{Block.COWORKERS: [LEAD, GUEST], Block.DEVELOPING: []})
    assert "is a guest in this Slack workspace" in reply.json["errors"][Block.COWORKERS]
    assert _rows(box, Case) == []


def test_a_guest_is_refused_as_a_cover(http_sandbox):
    box = http_sandbox
    _add_guest(box, "multi")
    said = away(box, LEAD, f"2026-12-24 <@{GUEST}|gina>")
    assert "is a guest in this Slack workspace" in said
    assert _rows(box, Leave) == []


def test_a_guest_given_the_manager_role_cannot_open_a_case(http_sandbox):
    box = http_sandbox
    _add_guest(box, "multi")
    make_manager(box, GUEST)
    view = open_modal(box, user_id=GUEST)
    reply = submit(box, view, user_id=GUEST)
    assert "guest account" in reply.json["errors"][Block.REFERENCE]
    assert _rows(box, Case) == []
    (denied,) = _rows(box, AuditEntry, AuditEntry.action == "case.open", AuditEntry.outcome == "denied")
    assert denied.actor == GUEST and denied.detail["reason"] == "guest"
