"""Differences of view resolved (how) or escalated (to whom), from the card, the review modal or the
supervision modal: *Resolve or escalate* opens a small modal (pushed over the review or supervision
form, so what was typed there stays). Saving appends a resolution (who, when), says so in the thread
without the difference's words, and updates the card. Members, the manager, admins and covers; anyone
else is refused and audited. A double submission acts once; a form overtaken by another resolution,
or a case closed meanwhile, is refused with one line.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.capture import blocks_differences as blocks
from bot.capture import rules_differences as rules
from bot.cases.blocks_closed import OpenDifference
from bot.deps import Deps
from bot.kernel import access, thread
from bot.kernel.blocks import sections
from bot.kernel.rules_text import slack_escape
from storage import differences
from storage import repository as repo
from storage.models import CapturedItem, Case, CaseStatus, DifferenceResolution, OutboxKind
from storage.vocabulary import CaptureKind

log = logging.getLogger(__name__)

GONE = "I can't find that difference of view any more."
ALREADY = "This difference of view has already been marked resolved or escalated."
STALE = "Someone marked this difference of view while the form was open: close it and look again."
EXPIRED = "This form has expired. Close it and press *Resolve or escalate* again."


def open_differences(session: Session, case_id: int) -> list[OpenDifference]:
    """The case's open differences of view, oldest first."""
    return [OpenDifference(*row) for row in differences.open_differences(session, case_id=case_id)]


def _stamp(session: Session, item_id: int) -> int:
    return differences.latest_resolution_id(session, item_id=item_id)


def _find(deps: Deps, session: Session, item_id: int, *, team_id: str) -> tuple[CapturedItem, Case] | str:
    item = session.get(CapturedItem, item_id)
    if item is None or item.team_id != team_id or item.kind != CaptureKind.DISAGREE:
        return GONE
    case = repo.load_case(session, case_id=item.case_id)
    if case is None:
        return GONE
    if case.status != CaseStatus.OPEN:
        return access.closed_line(case.reference)
    return item, case


def open_from_button(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> str | None:
    """*Resolve or escalate*: the modal (pushed when pressed inside a modal). What to tell, if anything."""
    if not value.isdigit():
        return GONE
    team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.clock()
    with deps.sessions.begin() as session:
        found = _find(deps, session, int(value), team_id=team_id)
        if isinstance(found, str):
            return found
        item, case = found
        if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
            return access.deny(
                session,
                case,
                user_id=user_id,
                action="difference.open",
                now=now,
                object_type="item",
                object_id=item.id,
            )
        stamp = _stamp(session, item.id)
        if stamp:
            return ALREADY
        view = blocks.resolve_modal(item_id=item.id, reference=case.reference, text=item.text or "", stamp=0)
    if body.get("view"):
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


def submit(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    try:
        meta = json.loads(view.get("private_metadata") or "")
        item_id, stamp = int(meta["item_id"]), int(meta["stamp"])
    except (ValueError, KeyError, TypeError):
        return {blocks.OUTCOME: EXPIRED}
    form = blocks.read_form(view["state"]["values"])
    now = deps.clock()
    with deps.sessions.begin() as session:
        found = _find(deps, session, item_id, team_id=team_id)
        if isinstance(found, str):
            return {blocks.OUTCOME: found}
        item, case = found
        if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
            refusal = access.deny(
                session,
                case,
                user_id=user_id,
                action="difference.record",
                now=now,
                object_type="item",
                object_id=item.id,
            )
            return {blocks.OUTCOME: refusal}
        if problems := rules.problems(form):
            return {blocks.block_for(field): message for field, message in problems.items()}
        key = f"difference:{view['id']}"
        if repo.was_claimed(session, team_id=team_id, key=key):
            return None  # a double submission: the first one did it
        if _stamp(session, item.id) != stamp:
            return {blocks.OUTCOME: STALE}
        if not repo.claim_once(session, team_id=team_id, key=key, kind="view", now=now):
            return None
        assert form.outcome is not None
        row = DifferenceResolution(
            team_id=team_id,
            case_id=case.id,
            item_id=item.id,
            outcome=form.outcome,
            how=form.how or None,
            escalated_to=form.to if form.outcome == rules.ESCALATED else None,
            view_key=key[:80],
            recorded_by=user_id,
            recorded_at=now,
        )
        session.add(row)
        session.flush()
        access.record(
            session,
            case,
            user_id=user_id,
            action=f"difference.{form.outcome}",
            now=now,
            object_type="item",
            object_id=item.id,
            detail={"resolution": row.id},
        )
        line = rules.thread_line(slack_escape(case.reference), user_id, form.outcome, row.escalated_to)
        thread.note(session, case, line, now)
        if row.escalated_to:
            text = (
                f"<@{user_id}> escalated a difference of view on case {slack_escape(case.reference)} to you."
            )
            repo.enqueue(
                session,
                team_id=team_id,
                kind=OutboxKind.DM,
                payload={"user_id": row.escalated_to, "text": text, "blocks": sections(text)},
                now=now,
                case_id=case.id,
            )
        repo.enqueue_card_update(session, case=case, now=now)
        log.info("difference marked", extra={"case_id": case.id, "item_id": item.id})
    return None
