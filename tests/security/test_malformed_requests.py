"""Malformed, forged and oversized requests are refused with a 4xx, and the log holds ids only.

Each request goes over real HTTP to the sandbox's server, as an attacker or a broken proxy would send it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from urllib.parse import urlencode

import pytest

from bot import hardening
from bot.sandbox import payloads
from bot.sandbox.harness import MANAGER, SIGNING_SECRET, TEAM_ID

PLANTED = "Jayden-Smith-PLANTED-CASE-TEXT"  # case text an attacker or a late delivery carries


def post(box, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    host, port = box._server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def signed(body: bytes | str, *, content_type: str, timestamp: str | None = None) -> dict[str, str]:
    text = body.decode("utf-8", "surrogateescape") if isinstance(body, bytes) else body
    stamp = timestamp or str(int(time.time()))
    raw = text.encode("utf-8", "surrogateescape")
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


FORM = "application/x-www-form-urlencoded"
TITLE = {"type": "plain_text", "text": "x"}


def interaction(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def view_submission(**view_changes) -> dict:
    payload = payloads.view_submission(
        user_id=MANAGER,
        team_id=TEAM_ID,
        view={
            "type": "modal",
            "callback_id": "agreement_modal",
            "title": {"type": "plain_text", "text": "x"},
        },
        values={"reference": {"reference": {"type": "plain_text_input", "value": PLANTED}}},
    )
    payload["view"].update(view_changes)
    return payload


def _no_view():
    payload = view_submission()
    del payload["view"]
    return payload


def _no_user():
    payload = view_submission()
    payload["user"] = PLANTED
    return payload


MALFORMED_SIGNED = {
    "utf8": (b"payload=%7B%22a%22%3A1%7D\xff\xfe" + PLANTED.encode(), FORM),
    "payload not json": (urlencode({"payload": "{" + PLANTED}).encode(), FORM),
    "payload a list": (urlencode({"payload": json.dumps([PLANTED])}).encode(), FORM),
    "json body not json": (b"{" + PLANTED.encode(), "application/json"),
    "view missing": (interaction(_no_view()), FORM),
    "view without state": (interaction(view_submission(state=None)), FORM),
    "values not an object": (interaction(view_submission(state={"values": [PLANTED]})), FORM),
    "value not an object": (interaction(view_submission(state={"values": {"reference": PLANTED}})), FORM),
    "no callback_id": (interaction(view_submission(callback_id=None)), FORM),
    "private_metadata not text": (interaction(view_submission(private_metadata={"x": PLANTED})), FORM),
    "private_metadata not ours": (interaction(view_submission(private_metadata=PLANTED)), FORM),
    "user not an object": (interaction(_no_user()), FORM),
    "actions not a list": (
        interaction(
            {"type": "block_actions", "user": {"id": MANAGER}, "team": {"id": TEAM_ID}, "actions": PLANTED}
        ),
        FORM,
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED_SIGNED))
def test_a_malformed_signed_request_is_a_4xx_and_logs_no_content(case_box, caplog, name):
    body, content_type = MALFORMED_SIGNED[name]
    caplog.set_level(logging.DEBUG)
    status, _ = post(case_box, body, signed(body, content_type=content_type))
    case_box.deps.executor.wait_idle()
    assert 400 <= status < 500
    assert PLANTED not in caplog.text


def _unsigned(body: bytes) -> dict[str, str]:
    return {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=00",
    }


FORGED = {
    "timestamp not a number": lambda b: {**signed(b, content_type=FORM), "X-Slack-Request-Timestamp": "soon"},
    "no timestamp": lambda b: {
        "Content-Type": FORM,
        "X-Slack-Signature": signed(b, content_type=FORM)["X-Slack-Signature"],
    },
    "bad signature": _unsigned,
    "no signature": lambda b: {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time()))},
    "replayed an hour late": lambda b: signed(b, content_type=FORM, timestamp=str(int(time.time()) - 3600)),
}


@pytest.mark.parametrize("name", sorted(FORGED))
@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_a_forged_or_late_request_is_refused_and_its_body_never_logged(case_box, caplog, name, level):
    body = interaction(view_submission())
    caplog.set_level(level)
    status, _ = post(case_box, body, FORGED[name](body))
    assert 400 <= status < 500
    assert PLANTED not in caplog.text
    assert "Invalid request signature" not in caplog.text  # bolt's line with the body is never reached


def test_an_oversized_body_is_refused_before_it_is_read(case_box):
    host, port = case_box._server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", FORM)
        connection.putheader("Content-Length", str(64 * 1024 * 1024))
        connection.endheaders()
        connection.send(b"payload=" + b"x" * 1024)  # a sliver of the 64 MiB it announced
        answer = connection.getresponse()
        assert answer.status == 413
    finally:
        connection.close()


def test_the_limit_is_above_any_payload_slack_sends():
    assert hardening.MAX_BODY_BYTES >= 512 * 1024


def test_a_well_formed_signed_request_still_passes(case_box):
    reply = case_box.driver.slash(MANAGER, "help", "CCASES01")
    assert reply.status == 200 and "/case open" in reply.text
