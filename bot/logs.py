"""Logging policy: casebot logs ids, never case text or tokens.

slack_sdk and slack_bolt log whole request and response bodies (case text) at DEBUG, so they are
always held at INFO or above, whatever level casebot itself runs at.
"""

from __future__ import annotations

import logging

SLACK_LIBRARIES = ("slack_sdk", "slack_bolt", "casebot.bolt")
# Libraries that narrate routine work at INFO: alembic each migration step before every CLI command,
# APScheduler every job added and run. Their warnings and errors still show; at DEBUG, everything does.
CHATTY_LIBRARIES = ("alembic", "apscheduler")


def configure(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
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
        logging.getLogger(name).setLevel(logging.INFO)
