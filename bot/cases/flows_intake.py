"""Agreement forms kept before their ack (bot/cases/flows.py) and saved by another process than the one that
acked them.

- Handed to the workers: `casebot web` on PostgreSQL keeps the form and NOTIFYs; a worker saves it at once
  (open_handed), so the save never shares the web process's interpreter with the next ack.
- Never saved: the process stopped between the ack and its save. The scheduled pass saves each once it has
  waited longer than any save takes (open_waiting), which also covers a NOTIFY that no worker heard.

Either way it is saved exactly as the acking process would have, with the time zones it knew; the form's
view id is claimed in the save, so one saved meanwhile is not opened twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.cases import flows as cases
from bot.cases.blocks_modals import read_agreement_form
from bot.deps import Clients, Deps, pick
from storage import intake

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=1)  # a save after its ack takes well under a second; this one never ran


def open_waiting(deps: Deps, clients: Clients, *, limit: int = 50) -> int:
    """Save the kept agreement forms whose save never ran; how many were saved now."""
    now = deps.clock()
    with deps.reads() as session:
        waiting = [
            cases.Submission(r.team_id, r.user_id, r.view_id, r.channel_id, r.form_values)
            for r in intake.waiting(
                session, kind=cases.AGREEMENT_FORM, received_before=now - GRACE, limit=limit
            )
        ]
    saved = 0
    for sub in waiting:
        try:
            _open(clients, deps, sub, told=False)
        except Exception as exc:  # noqa: BLE001 - it stays kept; the next pass tries again
            log.warning("kept agreement form not saved yet", extra={"error": type(exc).__name__})
            continue
        saved += 1
    return saved


def open_handed(deps: Deps, clients: Clients, *, team_id: str, view_id: str) -> bool:
    """Save the form a web process handed over (its first save: a failure is told to the manager, and the
    form stays kept for the scheduled pass). False: it was saved already."""
    with deps.reads() as session:
        row = intake.kept(session, team_id=team_id, view_id=view_id)
        sub = (
            None
            if row is None
            else cases.Submission(team_id, row.user_id, view_id, row.channel_id, row.form_values)
        )
    if sub is None:
        return False
    _open(clients, deps, sub, told=True)
    return True


def _open(clients: Clients, deps: Deps, sub: cases.Submission, *, told: bool) -> None:
    form, zones = read_agreement_form(sub.values), intake.zones_of(sub.values)
    cases.open_kept(deps, pick(clients, sub.team_id), sub, form, zones, told=told)
