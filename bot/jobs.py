"""The scheduled work, one pass of it: refresh time zones, pass unacknowledged urgent alerts on, advance
due reminders (and late-summary reminders, and agreed actions' follow-ups), delete raw thread text past
its retention, deliver the outbox.

Run every minute by the in-process scheduler, or once by `casebot sweep` (e.g. from cron). Every
step is safe to run twice at once, in one process or several, because the database decides.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import renderers
from bot.cases import flows_channel as channels
from bot.cases import flows_intake as kept_forms
from bot.concerns import flows_sweep as concerns
from bot.deps import Clients, Deps, TeamClients
from bot.digest import flows as digest
from bot.follow_ups import flows_sweep as follow_ups
from bot.home import flows as home
from bot.kernel import people
from bot.notes import flows_export as export
from bot.notes import flows_retention as retention
from bot.notes import flows_timeliness as timeliness
from bot.outbox import delivery
from bot.reminders import flows_sweep as reminders

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    zones_refreshed: int
    sweep: reminders.SweepReport
    delivery: delivery.Report
    late_summaries: timeliness.SweepReport | None = None
    raw_text: retention.SweepReport | None = None
    actions: follow_ups.SweepReport | None = None
    export_files: export.FileSweepReport | None = None
    urgent: concerns.SweepReport | None = None


def run_pass(deps: Deps, client: WebClient | None = None) -> PassReport:
    renderers.wire()
    client_for: Clients = client if client is not None else TeamClients(deps)  # each team's own token
    try:
        refreshed = people.refresh_zones(deps, client_for, now=deps.clock())
    except (SlackApiError, OSError):
        # Cached zones are good enough for one more pass; reminders must not wait on users.info.
        log.warning("time zone refresh failed; using cached zones")
        refreshed = 0
    urgent = concerns.sweep(deps)  # first: an unacknowledged urgent alert goes to the next person
    kept_forms.open_waiting(deps, client_for)  # agreement forms acked by a process that then stopped
    swept = reminders.sweep(deps)
    late = timeliness.sweep(deps)
    purged = retention.sweep(deps)
    followed = follow_ups.sweep(deps)
    files = export.sweep_files(deps, client_for)
    channels.daily(deps, client_for)  # once a day: who else can read each case thread (issue 18)
    home.refresh(deps)  # App Home tabs showing a case that changed: one publish per person
    delivered = delivery.deliver_due(deps, client_for)
    return PassReport(refreshed, swept, delivered, late, purged, followed, files, urgent)


def run_digests(deps: Deps, client: WebClient | None = None) -> int:
    """Each manager's weekly digest, once a week (its own scheduled job, beside run_pass); how many sent."""
    return digest.sweep(deps, client if client is not None else deps.web_client)
