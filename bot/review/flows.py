"""`/case review [REF]`: the manager's review of the co-working arrangement.

Opening it measures the facts (bot/review/rules.py, pure) from the store since the agreement or the
last review, and shows them with what each worker told the family side by side. Saving writes, in ONE
transaction: the review's record (facts as shown, outcome, next review), the answers and the outcome
as a management decision note, the open review marked held and the next one planned, an audit entry,
and a short thread summary that leaves out the developing worker's progress. Only the case's manager
and admins; refusals are audited; a double submission acts once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capture.flows_differences import open_differences
from bot.cases.flows_change import change_view
from bot.closing import flows as closing
from bot.deps import Deps
from bot.kernel import access, thread
from bot.kernel.zones import zone
from bot.notes.flows_management import MANAGERS_ONLY, may_manage, record_decision
from bot.notes.rules import SectionText
from bot.reminders import flows_schedule as schedule
from bot.reminders.flows_agenda import last_supervision, told
from bot.reminders.rules_agenda import told_side_by_side
from bot.review import blocks, rules
from storage import repository as repo
from storage.models import (
    CapturedItem,
    Case,
    Discussion,
    Experience,
    ItemKind,
    ItemStatus,
    LearningEvidence,
    NoteAction,
    ReviewRecord,
    ThreadMessage,
)

log = logging.getLogger(__name__)

USAGE = "Use `/case review [REF]` in the case's channel to review the co-working arrangement."
EXPIRED = "This form has expired. Close it and run `/case review` again."
LABELS = {
    "visits": "Visits",
    "reports": "Reports",
    "assessments": "Assessments",
    "plans": "Plans",
    "recording": "Case recording",
    "chairing": "Chairing meetings",
    "presenting": "Presenting to meetings",
    "court": "Presenting to court",
    "direct_work": "Direct work with the child",
    "liaison": "Liaison with other agencies",
}


def from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    now = deps.clock()
    view, problem = None, None
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=args, usage=USAGE
        )
        case, problem = found.case, found.problem
        if case is not None and problem is None:
            if not may_manage(deps, session, case, user_id=user_id):
                access.deny(session, case, user_id=user_id, action="review.open", now=now)
                problem = MANAGERS_ONLY
            else:
                view = _modal(deps, session, case, user_id=user_id, now=now)
    if view is None:
        thread.tell(client, channel_id, user_id, problem or USAGE)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_from_button(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> str | None:
    """*Review now* on the review reminder: the same modal. Returns what to tell the person, if anything."""
    if not value.isdigit():
        return EXPIRED
    user_id, now = body["user"]["id"], deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=int(value))
        if case is None or case.team_id != body["team"]["id"]:
            return "I can't find that case any more."
        if not may_manage(deps, session, case, user_id=user_id):
            access.deny(session, case, user_id=user_id, action="review.open", now=now)
            return MANAGERS_ONLY
        view = _modal(deps, session, case, user_id=user_id, now=now)
    client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


def _since(session: Session, case: Case) -> datetime:
    last = session.scalar(
        select(ReviewRecord.reviewed_at)
        .where(ReviewRecord.case_id == case.id)
        .order_by(ReviewRecord.reviewed_at.desc())
        .limit(1)
    )
    return last or schedule.current_agreement(case).created_at


def measure(session: Session, case: Case, *, now: datetime, today) -> rules.Facts:
    """Every measured fact, from the store, since the agreement or the last review."""
    since = _since(session, case)
    items = [
        rules.ItemFact(i.kind.value, i.status.value, i.due_at)
        for i in repo.items_since(session, case_id=case.id, since=None)
    ]
    held, planned = rules.discussions(items, since=since, now=now)
    found = session.scalars(select(Discussion).where(Discussion.case_id == case.id)).all()
    on_time, late, missing = rules.notes(
        [rules.DiscussionFact(d.started_at, d.record_due_at, d.recorded_at) for d in found],
        since=since,
        now=now,
    )
    action_rows = session.scalars(select(NoteAction).where(NoteAction.case_id == case.id)).all()
    completed, open_, overdue = rules.actions(
        [rules.ActionFact(a.status.value, a.due, a.created_at) for a in action_rows], since=since, today=today
    )
    captured = session.scalars(
        select(CapturedItem).where(CapturedItem.case_id == case.id, CapturedItem.withdrawn_at.is_(None))
    ).all()
    differences = len(open_differences(session, case.id))  # neither resolved nor escalated, whenever marked
    tagged = [rules.Tagged(a.text, a.owner_id or "", a.created_at) for a in action_rows] + [
        rules.Tagged(c.text or "", _author(session, c), c.marked_at) for c in captured
    ]
    matrix = schedule.current_agreement(case).responsibilities
    developing = [m.person_id for m in case.members if m.experience == Experience.DEVELOPING]
    learning = 0
    if developing:
        learning = len(
            session.scalars(
                select(LearningEvidence).where(
                    LearningEvidence.person_id.in_(developing),
                    LearningEvidence.case_reference == case.reference,
                    LearningEvidence.recorded_at >= since,
                )
            ).all()
        )
    return rules.Facts(
        since=since,
        discussions_held=held,
        discussions_planned=planned,
        notes_on_time=on_time,
        notes_late=late,
        notes_missing=missing,
        actions_completed=completed,
        actions_open=open_,
        actions_overdue=overdue,
        differences_open=differences,
        responsibilities=rules.responsibilities(matrix, LABELS, tagged, since=since),
        learning_entries=learning,
        days_since_supervision=rules.days_since(last_supervision(session, case), now),
    )


def _author(session: Session, item: CapturedItem) -> str:
    message = session.get(ThreadMessage, item.message_id) if item.message_id else None
    return message.author_id if message else item.marked_by


def _modal(deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime) -> dict[str, Any]:
    tz = zone(deps, repo.get_person(session, team_id=case.team_id, slack_user_id=user_id))
    facts = measure(session, case, now=now, today=now.astimezone(tz).date())
    since = _since(session, case)
    return blocks.review_modal(
        reference=case.reference,
        case_id=case.id,
        facts=rules.fact_lines(facts),
        told=told_side_by_side(told(session, case, since), tz),
        next_review=None,
        differences=open_differences(session, case.id),
    )


def submit(deps: Deps, body: dict[str, Any]) -> dict[str, Any]:
    """What to acknowledge with: field errors; for *change*, the agreement change form in the review's
    place (response_action "update": no trigger_id, so nothing expires); otherwise nothing."""
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    try:
        case_id = int(json.loads(view.get("private_metadata") or "")["case_id"])
    except (ValueError, KeyError, TypeError):
        return _errors({blocks.OUTCOME: EXPIRED})
    form = blocks.read_form(view["state"]["values"])
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=case_id)
        if case is None or case.team_id != team_id:
            return _errors({blocks.OUTCOME: "I can't find that case any more."})
        if not may_manage(deps, session, case, user_id=user_id):
            access.deny(session, case, user_id=user_id, action="review.record", now=now)
            return _errors({blocks.OUTCOME: MANAGERS_ONLY})
        tz = zone(deps, repo.get_person(session, team_id=team_id, slack_user_id=user_id))
        today = now.astimezone(tz).date()
        if found := rules.problems(form, today=today):
            return _errors({blocks.block_for(key): message for key, message in found.items()})
        key = f"review:{view['id']}"
        if not repo.claim_once(session, team_id=team_id, key=key, kind="view", now=now):
            return {}
        facts = measure(session, case, now=now, today=today)
        _save(deps, session, case, form, facts, key=key, user_id=user_id, now=now)
        if form.outcome == "change":
            return {"response_action": "update", "view": change_view(deps, session, case, now=now)}
        if form.outcome == "end" and (
            closing_view := closing.view_for_review(deps, session, case, user_id=user_id)
        ):
            return {"response_action": "update", "view": closing_view}
    return {}


def _errors(errors: dict[str, str]) -> dict[str, Any]:
    return {"response_action": "errors", "errors": errors}


def _save(
    deps: Deps,
    session: Session,
    case: Case,
    form: rules.ReviewForm,
    facts: rules.Facts,
    *,
    key: str,
    user_id: str,
    now: datetime,
) -> None:
    assert form.outcome is not None
    lines = rules.fact_lines(facts)
    sections = [SectionText(k, q, form.answers.get(k, "")) for k, q in rules.QUESTIONS]
    sections.append(SectionText("facts", "Measured facts", "\n".join(lines)))
    note = record_decision(
        deps,
        session,
        case,
        user_id=user_id,
        kind="review",
        outcome=form.outcome,
        event_at=now,
        participants=(user_id,),
        sections=sections,
        actions=(),
        now=now,
    )
    open_review = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.REVIEW)
    if open_review is not None:
        open_review.status, open_review.held_at, open_review.next_check_at = ItemStatus.HELD, now, None
    nxt = form.next_review if form.outcome != "end" else None
    if nxt is not None:
        schedule.plan_review(deps, session, case, nxt, now)
    record = ReviewRecord(
        team_id=case.team_id,
        case_id=case.id,
        note_id=note.id,
        view_key=key[:80],
        reviewed_at=now,
        reviewed_by=user_id,
        outcome=form.outcome,
        facts=list(lines),
        next_review=nxt,
        created_at=now,
    )
    session.add(record)
    session.flush()
    access.record(
        session,
        case,
        user_id=user_id,
        action="review.record",
        now=now,
        object_type="review",
        object_id=record.id,
        detail={"note": note.number, "outcome": form.outcome},
    )
    thread.note(
        session, case, rules.thread_summary(case.reference, user_id, form.outcome, note.number, nxt), now
    )
    repo.enqueue_card_update(session, case=case, now=now)
    log.info("review recorded", extra={"case_id": case.id, "user_id": user_id})
