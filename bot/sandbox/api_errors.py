"""How the emulated Web API says no: ApiError (HTTP 200, ok false), RateLimited (HTTP 429), and which
errors mean the request itself was malformed."""

from __future__ import annotations

from typing import Any

from bot.sandbox.workspace import Json

# Answers that mean the request itself was wrong (not a fault, not a state of the workspace): a test
# suite that gets one has found a payload real Slack would refuse. See SlackEmulator.refusals.
MALFORMED = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "invalid_metadata_format",
        "missing_scope",
        "invalid_trigger_id",
        "exchanged_trigger_id",
        "expired_trigger_id",
        "msg_too_long",
        "invalid_json",
        "invalid_form_data",
    }
)


class RateLimited(Exception):
    """Answered as Slack does past a rate limit: HTTP 429, error "ratelimited", Retry-After seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("ratelimited")
        self.retry_after = retry_after


class ApiError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": ...} with HTTP 200, as Slack does.

    `extra` goes into the response beside the error, as Slack adds it: `needed`/`provided` for
    missing_scope, `response_metadata.messages` listing what was wrong with a block or view.
    """

    def __init__(self, error: str, *, messages: list[str] | None = None, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra: Json = dict(extra)
        if messages:
            self.extra["response_metadata"] = {"messages": messages}

    def response(self) -> Json:
        return {"ok": False, "error": self.error, **self.extra}
