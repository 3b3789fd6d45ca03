"""`casebot run` in Socket Mode on SIGTERM: it stops taking envelopes, lets the listener work in hand finish
(here a slow Slack call after the ack), and exits 0, as the HTTP mode does."""

from __future__ import annotations

import queue
import signal
import subprocess
import time

import pytest

from bot.sandbox import payloads, web_api
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.harness import CASE_CHANNEL, MANAGER, TEAM_ID, seed_team
from tests.install.socket_server import SocketModeServer
from tests.install.test_processes import CASEBOT, _environment

SLOW = 2.0  # seconds Slack takes to answer the listener's call after the ack


def _discuss(user_id: str = MANAGER) -> dict:
    """`/case discuss` in a channel with no case: acked at once, then told so by a (slow) ephemeral."""
    payload = payloads.slash_command(
        text="discuss",
        user_id=user_id,
        user_name="mere",
        channel_id=CASE_CHANNEL,
        channel_name="cases-north",
        team_id=TEAM_ID,
        trigger_id="1.2.trigger",
    )
    return payloads.socket_envelope("slash_commands", payload)


def _ack(server: SocketModeServer, envelope_id: str, seconds: float) -> dict | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            message = server.received.get(timeout=0.1)
        except queue.Empty:
            continue
        if message.get("envelope_id") == envelope_id:
            return message
    return None


def test_sigterm_finishes_the_listener_work_in_hand_and_exits_0(database_url, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("one process: the database does not matter here")
    server = SocketModeServer()
    monkeypatch.setattr(web_api, "SOCKET_MODE_URL", server.url)
    with SlackEmulator() as emu:
        seed_team(emu)
        emu.inject_timeout("chat.postEphemeral", seconds=SLOW, times=None)
        env = _environment(emu, database_url) | {"SLACK_APP_TOKEN": emu.app_token}
        bot = subprocess.Popen(  # noqa: S603 - our own console script
            [str(CASEBOT), "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert server.connected.wait(30), "casebot never connected"
            first = _discuss()
            server.send(first)
            assert _ack(server, first["envelope_id"], 10) is not None  # acked; the slow call goes on
            bot.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            out, err = bot.communicate(timeout=30)
            took = time.monotonic() - signalled
        finally:
            if bot.poll() is None:
                bot.kill()
            server.close()
        assert bot.returncode == 0, err
        assert "casebot: stopped" in out
        assert took >= SLOW * 0.5, "it exited without waiting for the listener's Slack call"
        (told,) = emu.calls_to("chat.postEphemeral")
        assert told.status == 200 and told.params["user"] == MANAGER
