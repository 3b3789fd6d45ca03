"""Every registered view and action, sent a signed payload that is well formed JSON but not what casebot
built (foreign private_metadata, values it never asked for, a value that is not one of its ids): never a
5xx, never case text in the log."""

from __future__ import annotations

import logging

import pytest

from bot.ids import ActionId, CallbackId
from bot.sandbox import payloads
from bot.sandbox.harness import CASE_CHANNEL, MANAGER, TEAM_ID
from tests.security.test_malformed_requests import FORM, PLANTED, interaction, post, signed

ODD_METADATA = [PLANTED, '{"case_id": "' + PLANTED + '"}', '{"case_id": -1}', "[]", ""]


@pytest.mark.parametrize("metadata", ODD_METADATA)
@pytest.mark.parametrize("callback_id", [c.value for c in CallbackId])
def test_a_view_submission_casebot_did_not_build_is_refused_cleanly(case_box, caplog, callback_id, metadata):
    payload = payloads.view_submission(
        user_id=MANAGER,
        team_id=TEAM_ID,
        view={"type": "modal", "callback_id": callback_id, "title": {"type": "plain_text", "text": "x"}},
        values={"odd": {"odd": {"type": "plain_text_input", "value": PLANTED}}},
    )
    payload["view"]["private_metadata"] = metadata
    body = interaction(payload)
    caplog.set_level(logging.DEBUG)
    status, _ = post(case_box, body, signed(body, content_type=FORM))
    case_box.deps.executor.wait_idle()
    assert status < 500
    assert PLANTED not in caplog.text


@pytest.mark.parametrize("value", [PLANTED, "-1", "1:2:3", ""])
@pytest.mark.parametrize("action_id", [a.value for a in ActionId])
def test_an_action_with_a_value_casebot_did_not_build_is_refused_cleanly(case_box, caplog, action_id, value):
    card = case_box.emu.messages(CASE_CHANNEL)[0]
    payload = payloads.block_actions(
        user_id=MANAGER,
        team_id=TEAM_ID,
        action_id=action_id,
        value=value,
        channel_id=CASE_CHANNEL,
        message=card,
    )
    body = interaction(payload)
    caplog.set_level(logging.DEBUG)
    status, _ = post(case_box, body, signed(body, content_type=FORM))
    case_box.deps.executor.wait_idle()
    assert status < 500
    assert PLANTED not in caplog.text
