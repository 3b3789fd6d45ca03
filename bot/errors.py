"""One error handler for every listener: log ids only, tell the person something useful."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("casebot.errors")


class UserFacingError(Exception):
    """An error whose message is safe and useful to show the person who triggered it."""


def register(app) -> None:
    @app.error
    def handle(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        # Never log the body: it can hold case text. Ids and the error type are enough to trace it.
        log.error(
            "listener failed",
            extra={
                "error_type": type(error).__name__,
                "team_id": (body.get("team") or {}).get("id") or body.get("team_id"),
                "user_id": (body.get("user") or {}).get("id") or body.get("user_id"),
            },
        )
