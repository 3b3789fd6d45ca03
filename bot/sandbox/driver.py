"""Deliver sandbox payloads to a bolt App the two ways Slack does: signed HTTP POSTs and Socket Mode frames.

Both transports go through bolt's own entry points (the HTTP adapter behind a real socket, or bolt's
socket-mode `run_bolt_app`), so signature checks, routing, acks and retry headers behave as in
production. `Driver` adds the person-level verbs (slash, click, submit, ...) on top of either.
"""

from __future__ import annotations

import http.client
import json
import select
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.sandbox import payloads
from bot.sandbox.ack_order import AckOrder
from bot.sandbox.payloads import Kind

SLACK_ACK_TIMEOUT = 3.0  # seconds Slack waits for an HTTP acknowledgement before it gives up
SLOW_MACHINE_GRACE = 30.0  # how long to wait on for an answer whose ack() already came first, by order


class AckTimeout(AssertionError):
    """Slack gave up: no answer within its 3 s, and the listener had not called ack() either."""


class TriggerExpired(AssertionError):
    """The listener opened its modal more than Slack's 3 s after the click (the machine stalled), so
    Slack refused it with expired_trigger_id. Raised here, where the stall happened, rather than as a
    missing modal some lines later; the test runner runs such a test again (see pyproject.toml)."""


@dataclass(frozen=True)
class Delivered:
    """What Slack got back: HTTP status, the raw ack body, and the body as JSON when it is JSON."""

    status: int
    body: str
    json: dict[str, Any] | None

    @property
    def text(self) -> str | None:
        """The ack's message text, whether bolt answered with plain text (HTTP) or a JSON body."""
        if self.json is not None:
            return self.json.get("text")
        return self.body or None


class Transport(Protocol):
    def deliver(
        self, kind: Kind, payload: Mapping[str, Any], *, retry_num: int | None = None
    ) -> Delivered: ...


def _wall_clock() -> float:
    # Looked up on every call (not bound as a default argument) so freezegun's patched time.time applies.
    return time.time()


def _json_or_none(body: str, content_type: str) -> dict[str, Any] | None:
    if not body or not content_type.startswith("application/json"):
        return None
    parsed = json.loads(body)
    return parsed if isinstance(parsed, dict) else None


class HttpTransport:
    """POSTs to the bot's /slack/events URL, signed with the app's signing secret.

    `tamper` corrupts the signature and `timestamp_offset` shifts the signed timestamp (e.g. -600 for a
    stale request) so tests can check that bolt rejects forged or replayed requests.

    Like Slack, it waits `timeout` (3 s) for the answer and then gives up (AckTimeout). The ack is
    checked by order, not by this stopwatch: when `acknowledged()` says the listener's ack() already
    came (the machine is just slow to send it back), it waits on for the answer instead of failing.
    """

    def __init__(
        self,
        url: str,
        signing_secret: str,
        *,
        tamper: bool = False,
        timestamp_offset: float = 0,
        clock: Callable[[], float] = _wall_clock,
        retry_reason: str = "http_timeout",
        timeout: float = SLACK_ACK_TIMEOUT,
        acknowledged: Callable[[], bool] | None = None,
    ) -> None:
        self.url = url
        self._secret = signing_secret
        self._tamper = tamper
        self._offset = timestamp_offset
        self._clock = clock
        self._retry_reason = retry_reason
        self._timeout = timeout
        self._acknowledged = acknowledged

    def headers_for(self, body: str, content_type: str, retry_num: int | None) -> dict[str, str]:
        timestamp = str(int(self._clock() + self._offset))
        signature = payloads.sign(self._secret, timestamp, body)
        if self._tamper:
            signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = self._retry_reason
        return headers

    def deliver(self, kind: Kind, payload: Mapping[str, Any], *, retry_num: int | None = None) -> Delivered:
        body, content_type = payloads.http_request_for(kind, payload)
        headers = self.headers_for(body, content_type, retry_num)
        url = urlsplit(self.url)
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=self._timeout)
        try:
            connection.request("POST", url.path, body=body.encode(), headers=headers)
            if not self._answered_in_time(connection):
                raise AckTimeout(f"{kind}: no acknowledgement within Slack's {self._timeout:g} s")
            connection.sock.settimeout(SLOW_MACHINE_GRACE)
            # 401 and friends are answers to assert on, not failures of the transport.
            response = connection.getresponse()
            return self._delivered(response.status, response.read(), response.headers)
        finally:
            connection.close()

    def _answered_in_time(self, connection: http.client.HTTPConnection) -> bool:
        readable, _, _ = select.select([connection.sock], [], [], self._timeout)
        return bool(readable) or (self._acknowledged is not None and self._acknowledged())

    @staticmethod
    def _delivered(status: int, raw: bytes, headers: Any) -> Delivered:
        body = raw.decode()
        return Delivered(status, body, _json_or_none(body, headers.get("Content-Type", "")))


class SocketModeTransport:
    """Runs Socket Mode frames through bolt's socket-mode dispatch, as SocketModeHandler would."""

    def __init__(self, app: App, *, retry_reason: str = "timeout") -> None:
        self.app = app
        self._retry_reason = retry_reason

    def deliver(self, kind: Kind, payload: Mapping[str, Any], *, retry_num: int | None = None) -> Delivered:
        envelope = payloads.socket_envelope(
            kind,
            payload,
            retry_attempt=retry_num or 0,
            retry_reason=self._retry_reason if retry_num else "",
        )
        request = SocketModeRequest.from_dict(envelope)
        assert request is not None  # socket_envelope always has type, envelope_id and payload
        return self._delivered(run_bolt_app(self.app, request))

    @staticmethod
    def _delivered(response: BoltResponse) -> Delivered:
        if response.status != 200:
            content_type = response.headers.get("content-type", [""])[0]
            return Delivered(response.status, response.body, _json_or_none(response.body, content_type))
        ack = _ack_payload(response)
        return Delivered(200, json.dumps(ack) if ack is not None else "", ack)


def _ack_payload(response: BoltResponse) -> dict[str, Any] | None:
    """The payload bolt's socket-mode adapter sends back with the ack (mirrors internals.send_response)."""
    if not response.body:
        return None
    if response.headers.get("content-type", [""])[0].startswith("application/json"):
        return json.loads(response.body)
    return {"text": response.body}


class Driver:
    """Acts as people in one workspace: runs commands, clicks, submits modals, and emits events."""

    def __init__(
        self,
        transport: Transport,
        *,
        team_id: str,
        wait_idle: Callable[[], None] | None = None,
        on_trigger: Callable[[str, str], None] | None = None,
        trigger_expired: Callable[[str], bool] | None = None,
        ack_order: AckOrder | None = None,
    ) -> None:
        self.transport = transport
        self.team_id = team_id
        self._wait_idle = wait_idle
        # Tells the emulator whose interaction a trigger_id belongs to, so views.open knows the user.
        self._on_trigger = on_trigger
        self._trigger_expired = trigger_expired
        # When given, every delivery is checked: no Web API call before the ack but views.open/push.
        self.ack_order = ack_order
        self.last_payload: dict[str, Any] | None = None  # lets a test re-send it, e.g. as a retry

    def deliver(self, kind: Kind, payload: dict[str, Any], *, retry_num: int | None = None) -> Delivered:
        """Send any payload; listener work left running after the ack is awaited if wait_idle was given.

        With an AckOrder, raises AssertionError if a listener called Slack before acknowledging.
        """
        self.last_payload = payload
        mark = self.ack_order.mark() if self.ack_order else 0
        trigger_id = payload.get("trigger_id")
        user_id = payload.get("user_id") or (payload.get("user") or {}).get("id")
        if self._on_trigger and trigger_id and user_id:
            self._on_trigger(trigger_id, user_id)
        delivered = self.transport.deliver(kind, payload, retry_num=retry_num)
        answered = self.ack_order.tick() if self.ack_order else 0
        if self._wait_idle is not None:
            self._wait_idle()
        if self.ack_order:
            self.ack_order.check_since(mark, until=answered)
        if self._trigger_expired and trigger_id and self._trigger_expired(trigger_id):
            raise TriggerExpired(f"expired_trigger_id: {kind} was answered, but its modal opened after 3 s")
        return delivered

    def slash(
        self,
        user_id: str,
        text: str,
        channel_id: str,
        channel_name: str = "cases",
        command: str = "/case",
        user_name: str | None = None,
    ) -> Delivered:
        payload = payloads.slash_command(
            command=command,
            text=text,
            user_id=user_id,
            user_name=user_name or user_id.lower(),
            channel_id=channel_id,
            channel_name=channel_name,
            team_id=self.team_id,
        )
        return self.deliver("slash_commands", payload)

    def click(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        message: Mapping[str, Any] | None = None,
        channel_id: str | None = None,
        view: Mapping[str, Any] | None = None,
        block_id: str | None = None,
        **extra: Any,
    ) -> Delivered:
        """Click (or pick in) element `action_id` on `message` or `view`; extra goes to block_actions."""
        payload = payloads.block_actions(
            user_id=user_id,
            team_id=self.team_id,
            action_id=action_id,
            value=value,
            block_id=block_id,
            channel_id=channel_id,
            message=message,
            view=view,
            **extra,
        )
        return self.deliver("interactive", payload)

    def submit(self, user_id: str, view: Mapping[str, Any], answers: Mapping[str, Any]) -> Delivered:
        values = payloads.state_values_from_inputs(view.get("blocks", []), answers)
        payload = payloads.view_submission(user_id=user_id, team_id=self.team_id, view=view, values=values)
        return self.deliver("interactive", payload)

    def shortcut_on_message(
        self, user_id: str, channel_id: str, message: Mapping[str, Any], callback_id: str
    ) -> Delivered:
        payload = payloads.message_action(
            user_id=user_id,
            team_id=self.team_id,
            channel_id=channel_id,
            message=message,
            callback_id=callback_id,
        )
        return self.deliver("interactive", payload)

    def event(
        self, event: Mapping[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> Delivered:
        """Emit an Events API event; pass the same event_id with retry_num to model Slack redelivering it."""
        payload = payloads.event_callback(team_id=self.team_id, event=event, event_id=event_id)
        return self.deliver("events_api", payload, retry_num=retry_num)

    def member_joined(self, user_id: str, channel_id: str, *, inviter: str | None = None) -> Delivered:
        """Slack's member_joined_channel event (the test changes the emulator's member list itself)."""
        event = {
            "type": "member_joined_channel",
            "user": user_id,
            "channel": channel_id,
            "channel_type": "G",  # a private channel, where cases live
            "team": self.team_id,
            **({"inviter": inviter} if inviter else {}),
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event)
