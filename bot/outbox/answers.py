"""A listener's last step after a button press: tell of a problem, then wake the delivery loop for what
the press queued."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.kernel.clicks import tell_problem
from bot.outbox import delivery


def answer(deps: Deps, client: WebClient, body: dict[str, Any], problem: str | None) -> None:
    tell_problem(client, body, problem)
    delivery.wake(deps)
