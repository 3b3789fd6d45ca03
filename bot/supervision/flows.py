"""Recording a joint supervision check-in: `/case supervision [REF]` or *Record supervision* on the
agenda opens the form pre-filled from the agenda; saving it writes, in ONE transaction, the supervision
record, each worker's wellbeing check on that worker's record only, the decisions as a management
decision note with its actions (followed up like any other), learning evidence for the developing
worker, the check-in marked held, the next one planned for the chosen day, and a short confirmation
in the thread with no wellbeing in it. Only the case's manager and admins; refusals are audited.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, time
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.capture.flows_differences import open_differences
from bot.deps import Deps
from bot.kernel import access, thread
from bot.kernel.zones import zone
from bot.notes.flows_management import MANAGERS_ONLY, may_manage, record_decision
from bot.notes.rules import ActionText, SectionText
from bot.reminders import flows_schedule as schedule
from bot.reminders.flows_agenda import agenda
from bot.reminders.rules_agenda import day
from bot.supervision import blocks, rules
from bot.supervision import flows_wellbeing as wellbeing
from storage import repository as repo
from storage.models import (
    Case,
    Experience,
    ItemKind,
    ItemStatus,
    LearningEvidence,
    MemberRole,
    SupervisionRecord,
    WellbeingCheck,
)

log = logging.getLogger(__name__)

USAGE = "Use `/case supervision [REF]` in the case's channel to record a joint supervision check-in."
EXPIRED = "This form has expired. Close it and run `/case supervision` again."


def from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    now = deps.clock()
    first = args[0].lower() if args else ""
    starting = first == "start"
    if first == "wellbeing":
        thread.tell(client, channel_id, user_id, wellbeing.from_command(deps, body, args[1:]))
        return
    with deps.sessions.begin() as session:
        words = args[1:] if starting else args
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=words, usage=USAGE
        )
        problem, view = found.problem, None
        if found.case is not None and problem is None and starting:
            problem = _start_date(deps, session, found.case, found.rest, user_id=user_id, now=now)
        elif found.case is not None and problem is None:
            problem, view = _form_or_refusal(deps, session, found.case, user_id=user_id, now=now)
    if view is None:
        thread.tell(client, channel_id, user_id, problem or USAGE)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _start_date(
    deps: Deps, session: Session, case: Case, words: tuple[str, ...], *, user_id: str, now: datetime
) -> str:
    """`/case supervision start @worker YYYY-MM-DD`: a newly qualified worker's own start date, from
    which their supervision cadence counts (weekly, then fortnightly, then monthly)."""
    if not may_manage(deps, session, case, user_id=user_id):
        access.deny(session, case, user_id=user_id, action="supervision.start_date", now=now)
        return MANAGERS_ONLY
    chosen = rules.start_date(words, members={m.person.slack_user_id for m in case.members})
    if isinstance(chosen, str):
        return chosen
    worker_id, started_on = chosen
    member = next(m for m in case.members if m.person.slack_user_id == worker_id)
    member.person.started_on = started_on
    session.flush()
    item = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.SUPERVISION)
    if item is not None and item.status == ItemStatus.SCHEDULED:
        schedule.replan_supervision(deps, item, now)
    access.record(session, case, user_id=user_id, action="supervision.start_date", now=now)
    repo.enqueue_card_update(session, case=case, now=now)
    tz = schedule.case_calendar(deps, case).tz
    then = f" The next check-in is {day(item.due_at, tz)}." if item is not None else ""
    return f"Recorded <@{worker_id}>'s start date, {started_on:%-d %B %Y}: supervision counts from it.{then}"


def open_from_button(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> str | None:
    """*Record supervision* under the agenda: the same form. Returns what to tell the person, if anything."""
    if not value.isdigit():
        return EXPIRED
    user_id, now = body["user"]["id"], deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=int(value))
        if case is None or case.team_id != body["team"]["id"]:
            return "I can't find that case any more."
        problem, view = _form_or_refusal(deps, session, case, user_id=user_id, now=now)
    if view is None:
        return problem
    client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


def _form_or_refusal(
    deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime
) -> tuple[str | None, dict[str, Any] | None]:
    if not may_manage(deps, session, case, user_id=user_id):
        access.deny(session, case, user_id=user_id, action="supervision.open", now=now)
        return MANAGERS_ONLY, None
    tz = zone(deps, repo.get_person(session, team_id=case.team_id, slack_user_id=user_id))
    item = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.SUPERVISION)
    next_day = None
    if item is not None:
        cal = schedule.case_calendar(deps, case)
        next_day = schedule.following_due(deps, item, now).astimezone(cal.tz).date()
    view = blocks.supervision_modal(
        reference=case.reference,
        case_id=case.id,
        item_id=item.id if item else None,
        agenda=agenda(session, case, now=now, tz=tz, exclude_item=item.id if item else None),
        attendees=[case.manager.slack_user_id, *(m.person.slack_user_id for m in case.members)],
        workers=[(m.person.slack_user_id, _role(m.role, m.experience)) for m in case.members],
        has_developing=any(m.experience == Experience.DEVELOPING for m in case.members),
        next_day=next_day,
        differences=open_differences(session, case.id),
    )
    return None, view


def _role(role: MemberRole, experience: Experience) -> str:
    who = "lead worker" if role == MemberRole.LEAD else "co-worker"
    return f"{who} ({'developing' if experience == Experience.DEVELOPING else 'experienced'})"


def submit(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    """Save the check-in; field-by-field errors for the modal, or None (saved, or saved already)."""
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    try:
        meta = json.loads(view.get("private_metadata") or "")
        case_id, item_id = int(meta["case_id"]), meta.get("item_id")
    except (ValueError, KeyError, TypeError):
        return {blocks.DECISIONS: EXPIRED}
    form = blocks.read_form(view["state"]["values"])
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=case_id)
        if case is None or case.team_id != team_id:
            return {blocks.DECISIONS: "I can't find that case any more."}
        if not may_manage(deps, session, case, user_id=user_id):
            access.deny(session, case, user_id=user_id, action="supervision.record", now=now)
            return {blocks.DECISIONS: MANAGERS_ONLY}
        manager = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
        tz = zone(deps, manager)
        members = [m.person.slack_user_id for m in case.members]
        if found := rules.problems(form, today=now.astimezone(tz).date(), members=members):
            return {blocks.block_for(key): message for key, message in found.items()}
        key = f"supervision:{view['id']}"
        if not repo.claim_once(session, team_id=team_id, key=key, kind="view", now=now):
            return None  # a double submission: the first one saved it
        _save(deps, session, case, form, item_id=item_id, key=key, user_id=user_id, tz=tz, now=now)
    return None


def _save(
    deps: Deps,
    session: Session,
    case: Case,
    form: rules.SupervisionForm,
    *,
    item_id: int | None,
    key: str,
    user_id: str,
    tz,
    now: datetime,
) -> None:
    actions = tuple(
        ActionText(n, row.text, row.owner_id, row.due, row.done_looks_like or None)
        for n, row in enumerate((r for r in form.actions if r.text), start=1)
    )
    sections = [SectionText("decisions", "Decisions", form.decisions)]
    note = record_decision(
        deps,
        session,
        case,
        user_id=user_id,
        kind="supervision",
        outcome=None,
        event_at=now,
        participants=form.attendees,
        sections=sections,
        actions=actions,
        now=now,
    )
    item = _held_item(session, case, item_id, now)
    next_at = _next_at(deps, session, case, item, form, tz, now)
    record = SupervisionRecord(
        team_id=case.team_id,
        case_id=case.id,
        schedule_item_id=item.id if item else None,
        note_id=note.id,
        view_key=key[:80],
        held_at=now,
        recorded_by=user_id,
        attendees=list(form.attendees),
        decisions=form.decisions,
        learning=form.learning or None,
        next_at=next_at,
        created_at=now,
    )
    session.add(record)
    session.flush()
    for member in case.members:
        said = form.wellbeing.get(member.person.slack_user_id)
        if said:
            session.add(
                WellbeingCheck(
                    team_id=case.team_id,
                    supervision_id=record.id,
                    person_id=member.person_id,
                    text=said,
                    recorded_by=user_id,
                    recorded_at=now,
                )
            )
    if form.learning:
        for member in case.members:
            if member.experience == Experience.DEVELOPING:
                session.add(
                    LearningEvidence(
                        team_id=case.team_id,
                        person_id=member.person_id,
                        case_reference=case.reference,
                        note_id=note.id,
                        recorded_at=now,
                    )
                )
    access.record(
        session,
        case,
        user_id=user_id,
        action="supervision.record",
        now=now,
        object_type="supervision",
        object_id=record.id,
        detail={"note": note.number, "actions": len(actions), "wellbeing_checks": len(form.wellbeing)},
    )
    text = rules.confirmation(case.reference, user_id, note.number, len(actions), next_at, tz)
    thread.note(session, case, text, now)
    repo.enqueue_card_update(session, case=case, now=now)
    log.info("supervision recorded", extra={"case_id": case.id, "user_id": user_id})


def _held_item(session: Session, case: Case, item_id: Any, now: datetime):
    """The check-in this records, marked held: the one the form was opened for, else the open one."""
    item = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.SUPERVISION)
    if item is None:
        return None
    item.status, item.held_at, item.next_check_at = ItemStatus.HELD, now, None
    return item


def _next_at(deps: Deps, session: Session, case: Case, item, form: rules.SupervisionForm, tz, now: datetime):
    """The next check-in, on the day the manager chose, at the time of day the plan would have used."""
    assert form.next_day is not None
    planned = schedule.plan_next(deps, session, item, now) if item is not None else None
    cal = schedule.case_calendar(deps, case)
    at_time = planned.due_at.astimezone(cal.tz).timetz() if planned else time(10, tzinfo=cal.tz)
    due = datetime.combine(form.next_day, at_time.replace(tzinfo=None), tzinfo=cal.tz).astimezone(now.tzinfo)
    if planned is not None:
        schedule.move_to(deps, planned, due)
    return due
