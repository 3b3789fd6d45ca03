"""The in-process scheduler: a few sweep jobs, no business state.

Everything that must survive a restart (schedules, reminder state, outbox rows) lives in the database;
APScheduler only says "look now": one job sweeps due reminders, one delivers the outbox between
sweeps. Its job store is in memory and never shared between processes (APScheduler's own advice), so
a restart loses nothing and a second process simply sweeps the same table, guarded by claim rows.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot import jobs, renderers
from bot.deps import Deps
from bot.outbox import delivery

log = logging.getLogger(__name__)

DELIVERY_EVERY_SECONDS = 15


def start(deps: Deps) -> BackgroundScheduler:
    renderers.wire()
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        lambda: _safely(deps, lambda: jobs.run_pass(deps)),
        "interval",
        seconds=deps.settings.sweep_every_seconds,
        id="sweep_reminders",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        lambda: _safely(deps, lambda: delivery.deliver_due(deps)),
        "interval",
        seconds=DELIVERY_EVERY_SECONDS,
        id="deliver_outbox",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler


def _safely(deps: Deps, work) -> None:
    try:
        work()
    except Exception:  # a failed pass must not stop the next one
        log.exception("scheduled pass failed")
