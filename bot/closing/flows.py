"""`/case close [REF]` (and the review's decision *end*): the closing review, and closing the case.

Saving writes, in ONE transaction: the closing review as a management decision note (what changed for
the child, what was learned, what continues and who holds it, each open action completed, handed over
or dropped); each open action settled; the case closed; every future reminder, follow-up and
late-summary chase cancelled (schedule items, the discussions' and actions' ladders, and the pending
outbox rows that would send them); the closure's record (ids only); an audit entry; a thread summary;
and the card re-rendered closed. The reference is then free: a case opened with it later links here.
Only the case's manager and admins; refusals are audited; a double submission acts once; a form
overtaken by a change (an action settled or added, the agreement changed, the case closed) is refused.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.capture.flows_differences import open_differences
from bot.closing import blocks, rules
from bot.deps import Deps
from bot.kernel import access, thread
from bot.kernel.rules_text import slack_escape
from bot.notes.flows_management import MANAGERS_ONLY, may_manage, record_decision
from bot.notes.rules import SectionText
from bot.reminders import flows_schedule as schedule
from storage import repository as repo
from storage.models import (
    ActionStatus,
    Case,
    CaseClosure,
    CaseStatus,
    Discussion,
    ItemStatus,
    Note,
    NoteAction,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    ScheduleItem,
)

log = logging.getLogger(__name__)

USAGE = "Use `/case close [REF]` in the case's channel to close a case with its closing review."
EXPIRED = "This form has expired. Close it and run `/case close` again."
GONE = "I can't find that case any more."
STALE = (
    "The case changed while this form was open (an action or the agreement). "
    "Close it and run `/case close` again."
)
TOO_MANY = (
    "Case {reference} has {count} open actions: more than one form can settle ({limit}). Mark some done "
    "from their follow-ups first, then run `/case close` again."
)
# What a close cancels in the outbox: the chases, never a card, a note or an answer already decided.
CHASES = (OutboxKind.REMINDER, OutboxKind.RECORD_REMINDER, OutboxKind.ACTION_FOLLOW_UP)


def from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=args, usage=USAGE
        )
        view, problem = None, found.problem
        if found.case is not None and problem is None:
            view, problem = _prepare(deps, session, found.case, user_id=user_id)
    if view is None:
        thread.tell(client, channel_id, user_id, problem or USAGE)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def view_for_review(deps: Deps, session: Session, case: Case, *, user_id: str) -> dict[str, Any] | None:
    """The review was saved with the decision *end*: the closing review takes its place in the same
    modal (response_action "update"), inside the review's transaction. None if it can't be shown."""
    view, _ = _prepare(deps, session, case, user_id=user_id, audit=False)
    return view


def _open_actions(session: Session, case: Case) -> list[tuple[NoteAction, int]]:
    """The case's open actions with their note's number, in the record's order."""
    return list(
        session.execute(
            select(NoteAction, Note.number)
            .join(Note, Note.id == NoteAction.note_id)
            .where(NoteAction.case_id == case.id, NoteAction.status == ActionStatus.OPEN)
            .order_by(Note.number, NoteAction.number)
        ).all()
    )


def _stamp(session: Session, case: Case) -> str:
    found = _open_actions(session, case)
    return rules.stamp([(a.id, a.version) for a, _ in found], schedule.current_agreement(case).version)


def _prepare(
    deps: Deps, session: Session, case: Case, *, user_id: str, audit: bool = True
) -> tuple[dict[str, Any] | None, str | None]:
    if not may_manage(deps, session, case, user_id=user_id):
        if audit:
            access.deny(session, case, user_id=user_id, action="case.close", now=deps.clock())
        return None, MANAGERS_ONLY
    found = _open_actions(session, case)
    if len(found) > rules.MAX_ACTIONS:
        words = {"reference": slack_escape(case.reference), "count": len(found), "limit": rules.MAX_ACTIONS}
        return None, TOO_MANY.format(**words)
    shown = [rules.OpenAction(a.id, number, a.number, a.text, a.owner_id, a.due) for a, number in found]
    view = blocks.close_modal(
        reference=case.reference,
        case_id=case.id,
        stamp=_stamp(session, case),
        open_actions=shown,
        open_differences=len(open_differences(session, case.id)),
    )
    return view, None


def submit(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    try:
        meta = json.loads(view.get("private_metadata") or "")
        case_id, stamp = int(meta["case_id"]), str(meta["stamp"])
        action_ids = [int(i) for i in meta["actions"]]
    except (ValueError, KeyError, TypeError):
        return {blocks.block_for(rules.QUESTIONS[0][0]): EXPIRED}
    first = blocks.block_for(rules.QUESTIONS[0][0])
    form = blocks.read_form(view["state"]["values"], action_ids)
    now = deps.clock()
    key = f"close:{view['id']}"
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=case_id)
        if case is None or case.team_id != team_id:
            return {first: GONE}
        if repo.was_claimed(session, team_id=team_id, key=key):
            return None  # a double submission: the first one closed it
        if case.status != CaseStatus.OPEN:
            return {first: access.closed_line(case.reference)}
        if not may_manage(deps, session, case, user_id=user_id):
            access.deny(session, case, user_id=user_id, action="case.close", now=now)
            return {first: MANAGERS_ONLY}
        if found := rules.problems(form, action_ids):
            return {blocks.block_for(field): message for field, message in found.items()}
        if _stamp(session, case) != stamp:
            return {first: STALE}
        if not repo.claim_once(session, team_id=team_id, key=key, kind="view", now=now):
            return None
        _close(deps, session, case, form, key=key, user_id=user_id, now=now)
    return None


def _close(
    deps: Deps, session: Session, case: Case, form: rules.CloseForm, *, key: str, user_id: str, now: datetime
) -> None:
    settled = []
    lines = []
    for action, number in _open_actions(session, case):
        choice = form.actions[action.id]
        shown = rules.OpenAction(action.id, number, action.number, action.text, action.owner_id, action.due)
        lines.append(rules.action_line(shown, choice))
        action.status = ActionStatus(rules.STATUS[str(choice.outcome)])
        action.status_reason, action.status_at, action.status_by = rules.status_reason(choice), now, user_id
        action.next_check_at = None
        settled.append({"action_id": action.id, "outcome": choice.outcome, "to": choice.to})
    holder = f"\nHeld by <@{form.holder}>." if form.holder else ""
    sections = [
        SectionText(k, q, form.answers[k] + (holder if k == "continues" else "")) for k, q in rules.QUESTIONS
    ]
    if lines:
        sections.append(SectionText("actions_at_close", "Open actions at the close", "\n".join(lines)))
    note = record_decision(
        deps,
        session,
        case,
        user_id=user_id,
        kind="closing",
        outcome="closed",
        event_at=now,
        participants=(user_id,),
        sections=sections,
        actions=(),
        now=now,
    )
    cancelled = _cancel_chases(session, case, now)
    case.status, case.closed_at = CaseStatus.CLOSED, now
    session.add(
        CaseClosure(
            team_id=case.team_id,
            case_id=case.id,
            note_id=note.id,
            view_key=key[:80],
            closed_at=now,
            closed_by=user_id,
            actions=settled,
        )
    )
    session.flush()
    access.record(
        session,
        case,
        user_id=user_id,
        action="case.close",
        now=now,
        detail={"note": note.number, "actions": len(settled), "cancelled": cancelled},
    )
    thread.note(
        session,
        case,
        rules.thread_summary(slack_escape(case.reference), user_id, note.number, cancelled),
        now,
    )
    repo.enqueue_card_update(session, case=case, now=now)
    log.info("case closed", extra={"case_id": case.id, "user_id": user_id})


def _cancel_chases(session: Session, case: Case, now: datetime) -> int:
    """Every future reminder, follow-up and late-summary chase: how many planned items were cancelled."""
    items = session.scalars(
        select(ScheduleItem).where(ScheduleItem.case_id == case.id, ScheduleItem.status.in_(repo.OPEN_ITEM))
    ).all()
    for item in items:
        item.status, item.next_check_at = ItemStatus.CANCELLED, None
    for discussion in session.scalars(
        select(Discussion).where(Discussion.case_id == case.id, Discussion.record_next_check_at.is_not(None))
    ):
        discussion.record_next_check_at = None
    session.execute(
        update(NoteAction)
        .where(NoteAction.case_id == case.id, NoteAction.next_check_at.is_not(None))
        .values(next_check_at=None, version=NoteAction.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind.in_([k.value for k in CHASES]),
        )
        .values(status=OutboxStatus.CANCELLED, last_error="case closed")
        .execution_options(synchronize_session=False)
    )
    return len(items)
