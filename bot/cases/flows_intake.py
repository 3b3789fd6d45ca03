"""Agreement forms acknowledged but never saved: the process stopped between the ack and the save after it
(bot/cases/flows.py keeps each form with one insert before its ack). The scheduled pass saves each once
it has waited longer than any save takes, exactly as its own save would have; the form's view id is
claimed in the save, so one saved meanwhile is not opened twice."""

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
            client = pick(clients, sub.team_id)
            cases.open_kept(deps, client, sub, read_agreement_form(sub.values), zones={}, told=False)
        except Exception as exc:  # noqa: BLE001 - it stays kept; the next pass tries again
            log.warning("kept agreement form not saved yet", extra={"error": type(exc).__name__})
            continue
        saved += 1
    return saved
