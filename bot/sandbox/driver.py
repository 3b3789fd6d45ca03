"""Deliver sandbox payloads to a bolt App the two ways Slack does: signed HTTP POSTs and Socket Mode frames.

Both transports (transports.py) go through bolt's own entry points (the HTTP adapter behind a real
socket, or bolt's socket-mode `run_bolt_app`), so signature checks, routing, acks and retry headers
behave as in production. `Driver` adds the person-level verbs (slash, click, submit, ...) on top of
either, and gives each slash command a response_url the emulator serves, as Slack does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from bot.sandbox import payloads
from bot.sandbox.ack_order import AckOrder
from bot.sandbox.payloads import Kind
from bot.sandbox.transports import (
    SLACK_ACK_TIMEOUT,
    SLOW_MACHINE_GRACE,
    AckTimeout,
    Delivered,
    HttpTransport,
    SocketModeTransport,
    Transport,
)

__all__ = [
    "SLACK_ACK_TIMEOUT",
    "SLOW_MACHINE_GRACE",
    "AckTimeout",
    "Delivered",
    "Driver",
    "HttpTransport",
    "SocketModeTransport",
    "Transport",
    "TriggerExpired",
]


class TriggerExpired(AssertionError):
    """The listener opened its modal more than Slack's 3 s after the click (the machine stalled), so
    Slack refused it with expired_trigger_id. Raised here, where the stall happened, rather than as a
    missing modal some lines later; the test runner runs such a test again (see pyproject.toml)."""


class ResponseUrls(Protocol):
    def response_url_for(self, *, kind: str, user_id: str, channel_id: str) -> str: ...

    def responses_to(self, url: str) -> list[dict[str, Any]]: ...


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
        hooks: ResponseUrls | None = None,
    ) -> None:
        self.transport = transport
        # Mints each slash command's response_url and reads what was posted to it (the emulator; by
        # default the one on_trigger belongs to). Without one, payloads carry a URL that goes nowhere.
        self.hooks = hooks or getattr(on_trigger, "__self__", None)
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
        url = payload.get("response_url")
        if self.hooks is not None and isinstance(url, str) and url.startswith("http://"):
            return replace(delivered, replies=tuple(self.hooks.responses_to(url)))
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
            response_url=self._response_url("commands", user_id, channel_id),
        )
        return self.deliver("slash_commands", payload)

    def _response_url(self, kind: str, user_id: str, channel_id: str) -> str | None:
        make = getattr(self.hooks, "response_url_for", None)
        return make(kind=kind, user_id=user_id, channel_id=channel_id) if make else None

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
