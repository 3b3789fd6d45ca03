"""Acknowledgements come first, by order: the sandbox fails any listener that calls Slack before its ack."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.executor import TrackedExecutor
from bot.sandbox.ack_order import AckOrder
from bot.sandbox.driver import AckTimeout, Driver, HttpTransport, SocketModeTransport
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.harness import CASE_CHANNEL
from tests.journey import open_case

SECRET = "secret"
TEAM = "T0CASE01"
CHANNEL = "C0ACKS001"
USER = "U0ACKER01"
MODAL = {
    "type": "modal",
    "callback_id": "ok",
    "title": {"type": "plain_text", "text": "Hello"},
    "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "Hi"}}],
}


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _register(app: App) -> None:
    @app.command("/post-first")
    def post_first(ack, body, client):
        client.chat_postMessage(channel=CHANNEL, text="too early")
        ack()

    @app.command("/modal-first")
    def modal_first(ack, body, client):
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)
        ack()
        client.chat_postMessage(channel=CHANNEL, text="after the ack: fine")

    @app.command("/other-trigger")
    def other_trigger(ack, body, client):
        client.views_open(trigger_id="not-this-requests-trigger", view=MODAL)
        ack()

    @app.command("/never-acks")
    def never_acks(ack, body, client):
        pass

    @app.command("/slow-to-answer")
    def slow_to_answer(ack, body, client):
        ack("done")


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator(team_id=TEAM) as emu:
        emu.add_user(USER, name="acker")
        emu.add_channel(CHANNEL, name="acks", is_private=True, members=[USER], bot_is_member=True)
        yield emu


def _app(emu: SlackEmulator, executor: TrackedExecutor) -> App:
    app = App(
        client=WebClient(token=emu.bot_token, base_url=emu.base_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=False,
        listener_executor=executor,
    )
    _register(app)
    return app


@pytest.fixture(params=["http", "socket"])
def driver(request, emu: SlackEmulator) -> Iterator[Driver]:
    executor = TrackedExecutor(max_workers=2)
    app = _app(emu, executor)
    order = AckOrder(tick=emu.tick, calls=lambda: emu.calls).install(app)
    server = None
    if request.param == "http":
        server = make_server("127.0.0.1", 0, SlackRequestHandler(app), _Server, _Quiet)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        transport: Any = HttpTransport(url, SECRET, acknowledged=order.acknowledged)
    else:
        transport = SocketModeTransport(app)
    yield Driver(
        transport,
        team_id=TEAM,
        wait_idle=executor.wait_idle,
        on_trigger=emu.register_trigger,
        ack_order=order,
    )
    if server is not None:
        server.shutdown()
        server.server_close()
    executor.shutdown(wait=True)


def test_a_post_before_the_ack_fails_naming_the_request_and_the_method(driver, emu):
    with pytest.raises(AssertionError, match=r"slash_command /post-first.*chat\.postMessage before its ack"):
        driver.slash(USER, "", CHANNEL, command="/post-first")
    assert [c.method for c in emu.calls_to("chat.postMessage")] == ["chat.postMessage"]


def test_views_open_with_the_requests_trigger_may_come_before_the_ack(driver, emu):
    reply = driver.slash(USER, "", CHANNEL, command="/modal-first")
    assert reply.status == 200
    request = driver.ack_order.requests[-1]
    opened, posted = emu.calls_to("views.open")[0], emu.calls_to("chat.postMessage")[0]
    assert request.arrived < opened.seq < request.acked < posted.seq


def test_views_open_with_another_trigger_is_not_excused(driver, emu):
    emu.register_trigger("not-this-requests-trigger", USER)  # a real trigger, from another interaction
    with pytest.raises(AssertionError, match=r"/other-trigger.*views\.open before its ack"):
        driver.slash(USER, "", CHANNEL, command="/other-trigger")


def test_the_driver_gives_up_after_slacks_three_seconds_without_an_ack(emu):
    executor = TrackedExecutor(max_workers=2)
    app = _app(emu, executor)
    order = AckOrder(tick=emu.tick, calls=lambda: emu.calls).install(app)
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), _Server, _Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/slack/events"
    try:
        assert HttpTransport(url, SECRET)._timeout == 3.0  # Slack's, not the 10 s it used to be
        # A shorter limit keeps the test quick; bolt itself waits 3 s for an ack that never comes.
        driver = Driver(
            HttpTransport(url, SECRET, timeout=0.2, acknowledged=order.acknowledged), team_id=TEAM
        )
        with pytest.raises(AckTimeout, match="no acknowledgement"):
            driver.slash(USER, "", CHANNEL, command="/never-acks")
    finally:
        server.shutdown()
        server.server_close()
        executor.shutdown(wait=True)


def test_socket_mode_gives_up_like_bolt_when_no_ack_comes(emu):
    """bolt stops waiting after the listener's ack_timeout, then finds no other listener and answers
    "unhandled request": that is a missed ack (AckTimeout, which the suite reruns), not a 404 reply."""
    executor = TrackedExecutor(max_workers=2)
    app = _app(emu, executor)
    for listener in app._listeners:  # bolt waits 3 s; a shorter wait keeps the test quick
        listener.ack_timeout = 0.2  # type: ignore[assignment]
    try:
        driver = Driver(SocketModeTransport(app, ack_timeout=0.2), team_id=TEAM)
        with pytest.raises(AckTimeout, match="no acknowledgement"):
            driver.slash(USER, "", CHANNEL, command="/never-acks")
        assert driver.slash(USER, "", CHANNEL, command="/slow-to-answer").text == "done"
    finally:
        executor.shutdown(wait=True)


def test_a_slow_machine_is_not_a_late_ack_when_the_ack_came_first(emu):
    """The answer leaves late, but ack() was called first: by order that is on time, so no failure."""
    executor = TrackedExecutor(max_workers=2)
    app = _app(emu, executor)
    order = AckOrder(tick=emu.tick, calls=lambda: emu.calls).install(app)
    handler = SlackRequestHandler(app)
    answered = threading.Event()

    def slow(environ: dict, start_response: Any) -> Any:
        body = handler(environ, start_response)
        answered.wait(0.5)  # the machine is busy after the ack: the answer is held back past the limit
        return body

    server = make_server("127.0.0.1", 0, slow, _Server, _Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/slack/events"
    try:
        driver = Driver(
            HttpTransport(url, SECRET, timeout=0.1, acknowledged=order.acknowledged), team_id=TEAM
        )
        assert driver.slash(USER, "", CHANNEL, command="/slow-to-answer").text == "done"
        strict = Driver(HttpTransport(url, SECRET, timeout=0.1), team_id=TEAM)
        with pytest.raises(AckTimeout):  # without the order to go by, it is Slack's stopwatch
            strict.slash(USER, "", CHANNEL, command="/slow-to-answer")
    finally:
        answered.set()
        server.shutdown()
        server.server_close()
        executor.shutdown(wait=True)


def test_database_writes_are_ordered_against_the_ack(sandbox):
    """Saving the agreement form writes before its ack (errors go back in it); posting waits until after."""
    open_case(sandbox)
    submission = next(r for r in sandbox.ack_order.requests if r.kind == "view_submission agreement_modal")
    assert submission.acked is not None
    assert any(w.verb == "insert" for w in sandbox.ack_order.writes_before_ack(submission))
    posts = [c for c in sandbox.emu.calls_to("chat.postMessage") if c.params["channel"] == CASE_CHANNEL]
    assert posts and all(c.seq > submission.acked for c in posts)
