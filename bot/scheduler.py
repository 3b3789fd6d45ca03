"""The in-process scheduler: a few sweep jobs, no business state.

Everything that must survive a restart (schedules, reminder state, outbox rows) lives in the database.
APScheduler only says "look now": one job sweeps due reminders; the outbox is delivered by its own
loop (bot/outbox/loop.py), which runs while rows are due and sleeps until the next one's time. The job
store is in memory and never shared between processes (APScheduler's own advice), so a restart loses
nothing and a second process simply sweeps the same table, guarded by claim rows.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot import jobs, renderers
from bot.deps import Deps
from bot.outbox.loop import DeliveryLoop

log = logging.getLogger(__name__)


def start(deps: Deps, *, sweeps: bool = True) -> tuple[BackgroundScheduler, DeliveryLoop]:
    """The sweeps (none with `sweeps=False`) and the delivery loop, started."""
    renderers.wire()
    scheduler = BackgroundScheduler(timezone="UTC")
    if not sweeps:
        scheduler.start()
        return scheduler, DeliveryLoop(deps).start()
    scheduler.add_job(
        lambda: _safely(deps, lambda: jobs.run_pass(deps)),
        "interval",
        seconds=deps.settings.sweep_every_seconds,
        id="sweep_reminders",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(  # the managers' weekly digests: each sent once a week, whichever process sweeps
        lambda: _safely(deps, lambda: jobs.run_digests(deps)),
        "interval",
        seconds=deps.settings.sweep_every_seconds,
        id="weekly_digests",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler, DeliveryLoop(deps).start()


def _safely(deps: Deps, work) -> None:
    try:
        work()
    except Exception:  # a failed pass must not stop the next one
        log.exception("scheduled pass failed")
