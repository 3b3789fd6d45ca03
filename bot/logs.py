"""Logging policy: casebot logs ids, never case text or tokens.

slack_sdk and slack_bolt log whole request and response bodies (case text) at DEBUG, so they are
always held at INFO or above, whatever level casebot itself runs at.
"""

from __future__ import annotations

import logging

SLACK_LIBRARIES = ("slack_sdk", "slack_bolt", "casebot.bolt")


def configure(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    quiet_slack_libraries()


def quiet_slack_libraries() -> None:
    for name in SLACK_LIBRARIES:
        logging.getLogger(name).setLevel(logging.INFO)
