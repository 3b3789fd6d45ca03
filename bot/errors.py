"""One error handler for every listener: log ids only, tell the person something useful."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltResponse

log = logging.getLogger("casebot.errors")

# What a listener raises reading a signed payload that is not the shape Slack sends (a block it expects
# is missing, private_metadata is not ours): the request is answered 400, not 500, and still logged.
MALFORMED_INPUT = (KeyError, IndexError, TypeError, ValueError, AttributeError)


class UserFacingError(Exception):
    """An error whose message is safe and useful to show the person who triggered it."""


def register(app) -> None:
    @app.error
    def handle(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> BoltResponse | None:
        log.error("listener failed: %s", describe(error, body))
        if response is not None and isinstance(error, MALFORMED_INPUT):
            return BoltResponse(status=400, body="Bad Request")
        return None


def describe(error: BaseException, body: dict[str, Any]) -> str:
    """The error type, team and user: enough to trace a failure, never the body (it can hold case text).

    They go in the message itself: the log format prints the message, not a record's extra fields."""
    return f"{type(error).__name__} (team {_id(body, 'team')}, user {_id(body, 'user')})"


def _id(body: dict[str, Any], name: str) -> str:
    nested = body.get(name)
    found = nested.get("id") if isinstance(nested, dict) else body.get(f"{name}_id")
    return found if isinstance(found, str) and found.isalnum() else "-"
