"""The sandbox driver against a real bolt App, over signed HTTP and through bolt's Socket Mode path."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from freezegun import freeze_time
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.executor import TrackedExecutor
from bot.sandbox import payloads
from bot.sandbox.driver import Delivered, Driver, HttpTransport, SocketModeTransport

CAPTURES = Path("/work/shared/slack/payloads")
TEAM = "T0CASEWRK"
SECRET = "secret"
CHANNEL = "G0CASES01"

NOTE_VIEW: dict[str, Any] = {
    "id": "V0REVIEW1",
    "type": "modal",
    "callback_id": "review",
    "title": {"type": "plain_text", "text": "Review"},
    "submit": {"type": "plain_text", "text": "Save"},
    "private_metadata": '{"case": 7}',
    "blocks": [
        {
            "type": "input",
            "block_id": "note",
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "note_text"},
        }
    ],
}
CARD_MESSAGE: dict[str, Any] = {
    "type": "message",
    "user": "UCASEBOT",
    "bot_id": "BCASEBOT",
    "text": "Case 7",
    "ts": "1700000000.000100",
    "blocks": [
        {
            "type": "actions",
            "block_id": "card",
            "elements": [
                {
                    "type": "button",
                    "action_id": "x",
                    "text": {"type": "plain_text", "text": "Open"},
                    "value": "case-7",
                }
            ],
        }
    ],
}


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


def _auth_test(environ: dict, start_response: Any) -> list[bytes]:
    # bolt calls auth.test on the first request of a single-token app; there is no Slack here to answer.
    body = {"ok": True, "team_id": TEAM, "user_id": "UCASEBOT", "bot_id": "BCASEBOT", "user": "casebot"}
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


@dataclass
class Bot:
    app: App
    url: str
    executor: TrackedExecutor
    seen: list[tuple[str, Any]] = field(default_factory=list)


def _register(app: App, seen: list[tuple[str, Any]]) -> None:
    @app.command("/case")
    def case(ack, command):
        ack(f"on it: {command['text']}")

    @app.view("review")
    def review(ack, view):
        note = view["state"]["values"]["note"]["note_text"]["value"]
        if not note:
            ack(response_action="errors", errors={"note": "Write a note first."})
            return
        ack()
        seen.append(("review", note))

    @app.action("x")
    def clicked(ack, action, body):
        ack()
        seen.append(("x", (action["value"], action["block_id"], body["container"]["type"])))

    @app.event("message")
    def message(event, request):
        retry = (request.headers.get("x-slack-retry-num"), request.headers.get("x-slack-retry-reason"))
        seen.append(("message", (event["text"], retry)))


@pytest.fixture
def bot() -> Iterator[Bot]:
    server = make_server("127.0.0.1", 0, _auth_test, _ThreadingWSGIServer, _QuietHandler)
    base = f"http://127.0.0.1:{server.server_port}"
    executor = TrackedExecutor(max_workers=2)
    app = App(
        client=WebClient(token="xoxb-t", base_url=f"{base}/api/"),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=False,
        listener_executor=executor,
    )
    result = Bot(app=app, url=f"{base}/slack/events", executor=executor)
    _register(app, result.seen)
    events = SlackRequestHandler(app)

    def route(environ: dict, start_response: Any) -> Any:
        handler = _auth_test if environ["PATH_INFO"] == "/api/auth.test" else events
        return handler(environ, start_response)

    server.set_app(route)
    # A short poll interval keeps shutdown() (and so each test's teardown) fast.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        executor.shutdown(wait=True)


@pytest.fixture(params=["http", "socket"])
def driver(request: pytest.FixtureRequest, bot: Bot) -> Driver:
    if request.param == "http":
        transport: HttpTransport | SocketModeTransport = HttpTransport(bot.url, SECRET)
    else:
        transport = SocketModeTransport(bot.app)
    return Driver(transport, team_id=TEAM, wait_idle=bot.executor.wait_idle)


# ---------------------------------------------------------------- delivery through bolt


def test_slash_command_ack_text_comes_back(driver: Driver) -> None:
    delivered = driver.slash("U0ALICE", "discuss 7", CHANNEL)
    assert delivered.status == 200
    assert delivered.text == "on it: discuss 7"


def test_view_submission_errors_come_back_in_the_ack(driver: Driver) -> None:
    delivered = driver.submit("U0ALICE", NOTE_VIEW, {})
    assert delivered.status == 200
    assert delivered.json == {"response_action": "errors", "errors": {"note": "Write a note first."}}


def test_view_submission_with_answers_reaches_the_listener(driver: Driver, bot: Bot) -> None:
    delivered = driver.submit("U0ALICE", NOTE_VIEW, {"note": "Met the family."})
    assert delivered.status == 200
    assert delivered.json is None
    assert bot.seen == [("review", "Met the family.")]


def test_block_actions_routes_to_action_listener_with_the_real_block_id(driver: Driver, bot: Bot) -> None:
    delivered = driver.click("U0ALICE", "x", message=CARD_MESSAGE, channel_id=CHANNEL)
    assert delivered.status == 200
    assert bot.seen == [("x", ("case-7", "card", "message"))]


def test_block_actions_in_a_view_routes_too(driver: Driver, bot: Bot) -> None:
    view = {**NOTE_VIEW, "blocks": CARD_MESSAGE["blocks"]}
    driver.click("U0ALICE", "x", view=view, value="other")
    assert bot.seen == [("x", ("other", "card", "view"))]


def test_message_event_routes_to_event_listener_after_wait_idle(driver: Driver, bot: Bot) -> None:
    event = payloads.message_event(
        user_id="U0ALICE", channel_id=CHANNEL, text="hello", ts="1700000001.000200", team_id=TEAM
    )
    assert driver.event(event).status == 200
    assert bot.seen[0][0] == "message"
    assert bot.seen[0][1][0] == "hello"


def test_retry_headers_reach_the_listener_over_http(bot: Bot) -> None:
    driver = Driver(HttpTransport(bot.url, SECRET), team_id=TEAM, wait_idle=bot.executor.wait_idle)
    event = payloads.message_event(user_id="U0ALICE", channel_id=CHANNEL, text="r", ts="1.1", team_id=TEAM)
    driver.event(event)
    driver.event(event, event_id=driver.last_payload["event_id"], retry_num=1)
    assert [s[1][1] for s in bot.seen] == [(None, None), (["1"], ["http_timeout"])]


def test_retry_fields_reach_the_listener_over_socket_mode(bot: Bot) -> None:
    driver = Driver(SocketModeTransport(bot.app), team_id=TEAM, wait_idle=bot.executor.wait_idle)
    event = payloads.message_event(user_id="U0ALICE", channel_id=CHANNEL, text="r", ts="1.1", team_id=TEAM)
    driver.event(event)
    driver.event(event, retry_num=2)
    # Slack puts retry_attempt 0 on every first Socket Mode delivery, so bolt reports "0", not nothing.
    assert [s[1][1] for s in bot.seen] == [(["0"], [""]), (["2"], ["timeout"])]


@pytest.mark.parametrize("options", [{"tamper": True}, {"timestamp_offset": -600}])
def test_forged_or_stale_signature_is_rejected(bot: Bot, options: dict[str, Any]) -> None:
    driver = Driver(HttpTransport(bot.url, SECRET, **options), team_id=TEAM)
    delivered = driver.slash("U0ALICE", "discuss 7", CHANNEL)
    assert delivered.status == 401
    assert bot.seen == []


def test_clock_drives_the_signed_timestamp(bot: Bot) -> None:
    stale = HttpTransport(bot.url, SECRET, clock=lambda: 1_000_000.0)
    assert Driver(stale, team_id=TEAM).slash("U0ALICE", "x", CHANNEL).status == 401


# ---------------------------------------------------------------- shapes against Slack's captures


def _capture(name: str) -> dict[str, Any]:
    return json.loads((CAPTURES / name).read_text())


def _missing(capture: dict[str, Any], built: dict[str, Any], not_for_us: frozenset[str] = frozenset()) -> set:
    return set(capture) - set(built) - not_for_us


# The sandbox workspace is not in an Enterprise Grid org; authed_users was replaced by authorizations.
NOT_GRID = frozenset({"enterprise_id", "enterprise_name"})


def test_slash_command_fields_match_captures() -> None:
    built = payloads.slash_command(
        text="", user_id="U0ALICE", user_name="alice", channel_id=CHANNEL, channel_name="cases", team_id=TEAM
    )
    for name in ("slash_command.txt", "slash_command_slack_docs_example.txt"):
        capture = parse_qs((CAPTURES / name).read_text().strip(), keep_blank_values=True)
        assert _missing(capture, built, NOT_GRID) == set(), name
    body, content_type = payloads.http_request_for("slash_commands", built)
    assert content_type == "application/x-www-form-urlencoded"
    assert {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()} == built


def test_block_actions_keys_match_captures() -> None:
    built = payloads.block_actions(
        user_id="U0ALICE", team_id=TEAM, action_id="x", message=CARD_MESSAGE, channel_id=CHANNEL
    )
    for name in ("block_actions.json", "block_actions_slack_docs_example.json"):
        capture = _capture(name)
        assert _missing(capture, built) == set(), name
        assert _missing(capture["user"], built["user"]) == set(), name
        assert _missing(capture["actions"][0], built["actions"][0]) == set(), name
    assert _missing(_capture("block_actions.json")["container"], built["container"]) == set()
    body, _ = payloads.http_request_for("interactive", built)
    assert json.loads(parse_qs(body)["payload"][0]) == built


def test_view_submission_keys_match_capture() -> None:
    capture = _capture("view_submission.json")
    values = payloads.state_values_from_inputs(NOTE_VIEW["blocks"], {"note": "hi"})
    built = payloads.view_submission(user_id="U0ALICE", team_id=TEAM, view=NOTE_VIEW, values=values)
    assert _missing(capture, built) == set()
    assert _missing(capture["view"], built["view"]) == set()
    assert _missing(capture["user"], built["user"]) == set()
    typed = {"type": "plain_text_input", "value": "hi"}
    assert built["view"]["state"]["values"] == {"note": {"note_text": typed}}


def test_message_action_keys_match_capture() -> None:
    built = payloads.message_action(
        user_id="U0ALICE", team_id=TEAM, channel_id=CHANNEL, message=CARD_MESSAGE, callback_id="capture"
    )
    assert _missing(_capture("message_action.json"), built) == set()


def test_event_callback_and_message_event_keys_match_capture() -> None:
    capture = _capture("message_thread_reply_event.json")
    event = payloads.message_event(
        user_id="U0ALICE", channel_id=CHANNEL, text="hi", ts="2.2", thread_ts="1.1", team_id=TEAM
    )
    built = payloads.event_callback(team_id=TEAM, event=event)
    assert _missing(capture, built, NOT_GRID) == set()
    assert _missing(capture["event"], built["event"]) == set()
    assert _missing(capture["authorizations"][0], built["authorizations"][0]) == set()
    assert built["event_id"] != payloads.event_callback(team_id=TEAM, event=event)["event_id"]


def test_app_home_opened_keys_match_capture() -> None:
    capture = _capture("app_home_opened.json")
    view = payloads.full_view({"type": "home", "id": "V0HOME001"}, team_id=TEAM)
    event = payloads.app_home_opened_event(user_id="U0ALICE", channel_id="D0ALICE01", view=view)
    built = payloads.event_callback(team_id=TEAM, event=event)
    assert _missing(capture, built, frozenset({"authed_users"})) == set()
    assert _missing(capture["event"], built["event"]) == set()
    assert _missing(capture["event"]["view"], built["event"]["view"]) == set()


@pytest.mark.parametrize(
    ("name", "kind", "payload"),
    [
        ("socket_mode_shortcut_envelope.json", "interactive", {"type": "shortcut"}),
        ("socket_mode_slash_command_envelope.json", "slash_commands", {"command": "/case"}),
    ],
)
def test_socket_envelopes_match_captures(name: str, kind: payloads.Kind, payload: dict) -> None:
    capture = _capture(name)
    built = payloads.socket_envelope(kind, payload)
    assert set(built) == set(capture)
    assert built["accepts_response_payload"] == capture["accepts_response_payload"]


def test_events_envelope_carries_retry_fields() -> None:
    built = payloads.socket_envelope(
        "events_api", {"type": "event_callback"}, retry_attempt=1, retry_reason="x"
    )
    assert built["retry_attempt"] == 1
    assert built["retry_reason"] == "x"
    assert built["accepts_response_payload"] is False


def test_signature_matches_slack_docs_example_and_slack_sdk() -> None:
    # The worked example from Slack's "Verifying requests from Slack" page.
    secret, timestamp = "8f742231b10e8888abcd99yyyzzz85a5", "1531420618"
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert payloads.sign(secret, timestamp, body) == expected
    assert SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body) == expected


# ---------------------------------------------------------------- state values


def _input(block_id: str, element_type: str, **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "element": {"type": element_type, "action_id": "a", **element},
    }


CHOICES = [
    {"text": {"type": "plain_text", "text": t}, "value": v} for t, v in [("Weekly", "w"), ("Monthly", "m")]
]
FORM = [
    _input("who", "multi_users_select"),
    _input("lead", "users_select"),
    _input("cadence", "static_select", options=CHOICES),
    _input("ways", "checkboxes", options=CHOICES),
    _input("day", "datepicker"),
    _input("at", "timepicker", initial_time="09:00"),
    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Hi"}},
]


def test_state_values_fill_each_element_type() -> None:
    values = payloads.state_values_from_inputs(
        FORM,
        {
            "who": ["U1", "U2"],
            "lead": "U1",
            "cadence": "m",
            "ways": ["w"],
            "day": "2024-03-01",
            "at": "10:30",
        },
    )
    assert values["who"]["a"] == {"type": "multi_users_select", "selected_users": ["U1", "U2"]}
    assert values["lead"]["a"] == {"type": "users_select", "selected_user": "U1"}
    assert values["cadence"]["a"]["selected_option"] == CHOICES[1]
    assert values["ways"]["a"]["selected_options"] == [CHOICES[0]]
    assert values["day"]["a"] == {"type": "datepicker", "selected_date": "2024-03-01"}
    assert values["at"]["a"] == {"type": "timepicker", "selected_time": "10:30"}
    assert "intro" not in values


def test_unanswered_inputs_get_slack_empty_form_or_their_initial_value() -> None:
    values = payloads.state_values_from_inputs(FORM, {})
    assert values["who"]["a"]["selected_users"] == []
    assert values["lead"]["a"]["selected_user"] is None
    assert values["cadence"]["a"]["selected_option"] is None
    assert values["ways"]["a"]["selected_options"] == []
    assert values["day"]["a"]["selected_date"] is None
    assert values["at"]["a"]["selected_time"] == "09:00"


def test_state_values_refuse_unknown_blocks_and_options() -> None:
    with pytest.raises(KeyError):
        payloads.state_values_from_inputs(FORM, {"nope": "x"})
    with pytest.raises(ValueError):
        payloads.state_values_from_inputs(FORM, {"cadence": "yearly"})


def test_delivered_text_reads_plain_and_json_acks() -> None:
    assert Delivered(200, "hi", None).text == "hi"
    assert Delivered(200, '{"text": "hi"}', {"text": "hi"}).text == "hi"
    assert Delivered(200, "", None).text is None


def test_http_transport_signs_with_frozen_time(bot: Bot) -> None:
    # bolt and the transport both read time.time(), so a frozen clock still yields fresh signatures.
    with freeze_time("2024-03-01 09:00:00"):
        driver = Driver(HttpTransport(bot.url, SECRET), team_id=TEAM, wait_idle=bot.executor.wait_idle)
        assert driver.slash("U0ALICE", "discuss 7", CHANNEL).text == "on it: discuss 7"
