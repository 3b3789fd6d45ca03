"""The log holds ids only: no token, no signing secret, no case text, at INFO and at DEBUG.

A whole journey runs with case text planted in every free-text place it can go (the agreement, a
discussion reply, a late delivery, a forged request, a listener that fails); the log is then scanned.
"""

from __future__ import annotations

import logging
import re

import pytest
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware.request_verification import RequestVerification

from bot import logs
from bot.ids import Block
from bot.sandbox.harness import LEAD, MANAGER, SIGNING_SECRET, TEAM_ID
from tests.discussion_steps import say, start
from tests.journey import open_case
from tests.security.test_malformed_requests import FORM, interaction, post, signed, view_submission

PLANTED = "Jayden-Smith-PLANTED-CASE-TEXT"


def scan(box, text: str) -> list[str]:
    secrets = {
        "bot token": box.emu.bot_token,
        "app token": box.emu.app_token,
        "signing secret": SIGNING_SECRET,
        "case text": PLANTED,
    }
    return [name for name, value in secrets.items() if value and value in text]


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_a_journey_with_planted_case_text_leaves_none_in_the_log(http_sandbox, caplog, level):
    box = http_sandbox
    caplog.set_level(level)
    logs.quiet_slack_libraries()  # the policy casebot runs with, whatever its own level
    card = open_case(box, **{Block.LEARNING_GOALS: f"Goals for {PLANTED}"})
    start(box, card)
    say(box, card, LEAD, f"Decision: we visit {PLANTED} on Thursday")
    body = interaction(view_submission())
    late = signed(body, content_type=FORM, timestamp="1000000000")  # a delivery decades late
    forged = {**signed(body, content_type=FORM), "X-Slack-Signature": "v0=" + "0" * 64}
    broken = interaction(view_submission(private_metadata=PLANTED))
    for headers, payload in ((late, body), (forged, body), (signed(broken, content_type=FORM), broken)):
        status, _ = post(box, payload, headers)
        assert 400 <= status < 500
    box.deps.executor.wait_idle()
    assert scan(box, caplog.text) == []
    assert caplog.records, "the scan must have read a log"


def test_a_failed_listener_is_logged_with_its_error_type_team_and_user(http_sandbox, caplog):
    body = interaction(view_submission(private_metadata=PLANTED))
    caplog.set_level(logging.INFO)
    post(http_sandbox, body, signed(body, content_type=FORM))
    http_sandbox.deps.executor.wait_idle()
    lines = [r.getMessage() for r in caplog.records if r.name == "casebot.errors"]
    assert any(re.fullmatch(rf"listener failed: \w+ \(team {TEAM_ID}, user {MANAGER}\)", x) for x in lines)


def test_bolts_own_invalid_signature_line_is_cut_before_the_body(caplog):
    """Behind the guard bolt never sees a bad signature; if it did (another server), the body is withheld."""
    logs.quiet_slack_libraries()
    caplog.set_level(logging.INFO)
    verification = RequestVerification(SIGNING_SECRET, base_logger=logging.getLogger("casebot.bolt"))
    request = BoltRequest(
        body=f"payload=%7B%22text%22%3A%22{PLANTED}%22%7D",
        headers={"x-slack-request-timestamp": "1000000000", "x-slack-signature": "v0=00"},
    )
    response = verification.process(req=request, resp=BoltResponse(status=200), next=lambda: None)
    assert response.status == 401
    assert "Invalid request signature" in caplog.text
    assert PLANTED not in caplog.text
