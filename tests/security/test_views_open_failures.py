"""A form Slack does not open (429, 500, fatal_error, an expired trigger) is told to the person who
clicked and audited by ids; the request itself is still answered 200, as its work was done."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.hardening import VIEW_FAILED
from bot.sandbox.harness import CASE_CHANNEL, MANAGER
from storage.models import AuditEntry
from tests.journey import make_manager

FAILURES = {
    "ratelimited": {"error": "ratelimited", "retry_after": 0},
    "internal_error": {"status": 500},
    "fatal_error": {"error": "fatal_error"},
    "expired_trigger_id": {"error": "expired_trigger_id"},
}


@pytest.mark.expects_slack_refusal
@pytest.mark.parametrize("name", sorted(FAILURES))
def test_a_form_slack_did_not_open_is_told_and_audited(http_sandbox, name):
    box = http_sandbox
    make_manager(box)
    box.emu.inject_error("views.open", times=None, **FAILURES[name])
    reply = box.driver.slash(MANAGER, "open", CASE_CHANNEL)
    assert reply.status == 200
    told = [e["text"] for e in box.emu.ephemerals if e["user"] == MANAGER]
    assert told == [VIEW_FAILED]
    with box.deps.sessions() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "view.open"))
    assert (entry.actor, entry.outcome) == (MANAGER, "failed")
    assert entry.detail["method"] == "views.open" and entry.detail["error"]
