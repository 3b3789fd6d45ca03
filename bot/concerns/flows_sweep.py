"""The urgent-concern sweep: an alert not acknowledged in time goes to the next person in the chain.

Due concerns are read by the `next_check_at` index and each is advanced in its own transaction
(`kernel.sweeping`); the next alert is claimed once (`flows_alerts.send_alert`), so two sweepers, a
retry or a restart never send it twice, and an acknowledgement racing the sweep wins or loses whole
(the concern's optimistic lock). After downtime each person still gets their turn, one per pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.concerns import flows_alerts as alerts
from bot.concerns import rules
from bot.deps import Deps
from bot.kernel import sweeping
from storage import concerns as store
from storage import repository as repo
from storage.models import UrgentConcern

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    looked_at: int = 0
    alerts: int = 0
    lost_races: int = 0


def sweep(deps: Deps, *, limit: int = 500) -> SweepReport:
    now = deps.clock()
    report = SweepReport()
    sweeping.sweep_due(
        deps.sessions,
        lambda session: store.due_concern_ids(session, now=now, limit=limit),
        lambda row_id: _advance(deps, row_id, now, report),
        report,
    )
    return report


def _advance(deps: Deps, concern_id: int, now: datetime, report: SweepReport) -> None:
    with deps.sessions.begin() as session:
        concern = session.get(UrgentConcern, concern_id)
        if concern is None or concern.next_check_at is None or concern.next_check_at > now:
            return  # another sweeper got here first
        case = repo.load_case(session, case_id=concern.case_id)
        assert case is not None
        step = rules.next_step(
            alerts.contacts_of(concern),
            level_sent=concern.level_sent,
            acknowledged=concern.acknowledged_at is not None,
            due_at=concern.next_check_at,
            now=now,
            ack_minutes=deps.settings.urgent_ack_minutes,
        )
        if step.send_level is not None:
            if not alerts.send_alert(session, case, concern, step.send_level, now):
                report.lost_races += 1
                return
            report.alerts += 1
        concern.next_check_at = step.next_check_at
        session.flush()  # a racing acknowledgement fails one of us here, before anything is sent
        log.info(
            "urgent concern escalated",
            extra={"case_id": case.id, "concern_id": concern.id, "level": step.send_level},
        )
