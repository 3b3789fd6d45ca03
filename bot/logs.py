"""Logging policy: casebot logs ids, never case text or tokens.

slack_sdk and slack_bolt log whole request and response bodies (case text) at DEBUG, so they are
always held at INFO or above, whatever level casebot itself runs at. Some of their INFO lines carry a
body too (bolt's "Invalid request signature detected … body: …"): `WithholdBodies` cuts those lines at
the body, on the libraries' loggers (bolt copies them to its own) and on the handlers `configure` makes.
"""

from __future__ import annotations

import logging
import re

SLACK_LIBRARIES = ("slack_sdk", "slack_bolt", "casebot.bolt")
# Libraries that narrate routine work at INFO: alembic each migration step before every CLI command,
# APScheduler every job added and run. Their warnings and errors still show; at DEBUG, everything does.
CHATTY_LIBRARIES = ("alembic", "apscheduler")


_BODY = re.compile(r"\b(body|payload|text)\s*[:=]", re.IGNORECASE)


class WithholdBodies(logging.Filter):
    """Cuts a Slack library's log line where a request or response body starts; other lines pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith((*SLACK_LIBRARIES, "slack_bolt", "slack_sdk")):
            return True
        message = record.getMessage()
        found = _BODY.search(message)
        if found:
            record.msg, record.args = message[: found.start()] + "[body withheld])", ()
        return True


WITHHOLD = WithholdBodies()


def configure(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        if WITHHOLD not in handler.filters:
            handler.addFilter(WITHHOLD)
    quiet_slack_libraries()
    quiet_chatty_libraries(level)


def quiet_chatty_libraries(level: str | int) -> None:
    number = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    number = number if isinstance(number, int) else logging.INFO
    quiet = logging.NOTSET if number <= logging.DEBUG else max(logging.WARNING, number)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(quiet)


def quiet_slack_libraries() -> None:
    for name in SLACK_LIBRARIES:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if WITHHOLD not in logger.filters:
            logger.addFilter(WITHHOLD)
