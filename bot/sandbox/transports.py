"""How a payload reaches a bolt App the two ways Slack sends one: a signed HTTP POST, with Slack's 3 s
patience, or a Socket Mode frame through bolt's socket-mode dispatch; and what came back (`Delivered`).
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
from bot.sandbox.payloads import Kind

SLACK_ACK_TIMEOUT = 3.0  # seconds Slack waits for an HTTP acknowledgement before it gives up
SLOW_MACHINE_GRACE = 30.0  # how long to wait on for an answer whose ack() already came first, by order


class AckTimeout(AssertionError):
    """Slack gave up: no answer within its 3 s, and the listener had not called ack() either."""


@dataclass(frozen=True)
class Delivered:
    """What Slack got back: HTTP status, the raw ack body, and the body as JSON when it is JSON."""

    status: int
    body: str
    json: dict[str, Any] | None
    replies: tuple[dict[str, Any], ...] = ()  # posted to the payload's response_url by the time it returned

    @property
    def text(self) -> str | None:
        """The ack's message text, whether bolt answered with plain text (HTTP) or a JSON body."""
        if self.json is not None:
            return self.json.get("text")
        return self.body or None

    @property
    def answer(self) -> str | None:
        """What the person read in answer: the ack's text and then each reply posted to the response_url."""
        texts = [t for t in (self.text, *(r.get("text") for r in self.replies)) if t]
        return "\n".join(texts) if texts else None


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


def _gave_up(response: BoltResponse) -> bool:
    if response.status == 200:
        return not response.body
    return response.status == 404 and "unhandled request" in str(response.body)


class SocketModeTransport:
    """Runs Socket Mode frames through bolt's socket-mode dispatch, as SocketModeHandler would."""

    def __init__(
        self, app: App, *, retry_reason: str = "timeout", ack_timeout: float = SLACK_ACK_TIMEOUT
    ) -> None:
        self.app = app
        self._retry_reason = retry_reason
        self.ack_timeout = ack_timeout  # bolt's own wait for a listener's ack (Listener.ack_timeout)

    def deliver(self, kind: Kind, payload: Mapping[str, Any], *, retry_num: int | None = None) -> Delivered:
        envelope = payloads.socket_envelope(
            kind,
            payload,
            retry_attempt=retry_num or 0,
            retry_reason=self._retry_reason if retry_num else "",
        )
        request = SocketModeRequest.from_dict(envelope)
        assert request is not None  # socket_envelope always has type, envelope_id and payload
        began = time.monotonic()
        response = run_bolt_app(self.app, request)
        if time.monotonic() - began > self.ack_timeout and _gave_up(response):
            # bolt stopped waiting for the listener's ack (it answers empty, or, having moved on to the
            # next listener and found none, "unhandled request"): Slack would have given up too.
            raise AckTimeout(f"{kind}: no acknowledgement within Slack's {self.ack_timeout:g} s")
        return self._delivered(response)

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
