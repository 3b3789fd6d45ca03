"""The in-process scheduler: a few sweep jobs, no business state.

Everything that must survive a restart (outbox rows, later reminder state) lives in the database;
APScheduler only says "look now". Its job store is in memory and never shared between processes.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot import delivery
from bot.deps import Deps

log = logging.getLogger(__name__)

DELIVERY_EVERY_SECONDS = 15


def start(deps: Deps) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        lambda: _safely(deps),
        "interval",
        seconds=DELIVERY_EVERY_SECONDS,
        id="deliver_outbox",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler


def _safely(deps: Deps) -> None:
    try:
        delivery.deliver_due(deps)
    except Exception:  # a failed pass must not stop the next one
        log.exception("outbox delivery pass failed")
