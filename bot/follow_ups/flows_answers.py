"""The buttons on an action's follow-up DM: *Done*, *Need more time* (a new date), *Can't do it* (a reason).

Each button carries "action_id:round". A press from an earlier round, or on an action already done or
handed back, changes nothing and says so, which also makes double clicks harmless (a click racing
another is caught by the action's optimistic lock); a modal submitted twice acts once (its view id is
claimed). Who may answer is checked for every action (`follow_ups.rules.can_answer`), and refusals
are audited. Every change is audited with ids only, noted in the case thread, re-renders the card and
replaces the pressed DM's buttons with what happened. *Can't do it* tells the case's other co-worker(s)
by DM, with the reason, rendered from the action when it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.deps import Deps
from bot.follow_ups import blocks, rules
from bot.follow_ups import flows_answer_finding as finding
from bot.follow_ups import flows_sweep as follow_ups
from bot.ids import Block
from bot.kernel import access, thread
from bot.kernel.clicks import Clicked
from bot.kernel.rules_text import mention
from bot.reminders import flows_sweep as reminders
from bot.reminders.blocks import answered
from storage import follow_ups as store
from storage import repository as repo
from storage.models import ActionStatus, Case, NoteAction, OutboxKind

RACE = "That action changed at the same moment. Please try again."
EXPIRED = "This form has expired. Close it and press the button on the DM again."


Change = Callable[[Session, Case, NoteAction, datetime], str]  # applies the answer; returns the outcome


def done(deps: Deps, *, team_id: str, user_id: str, value: str, clicked: Clicked | None) -> str | None:
    def change(session: Session, case: Case, action: NoteAction, now: datetime) -> str:
        action.status, action.status_at, action.status_by = ActionStatus.DONE, now, user_id
        action.next_check_at = None
        number = store.note_number(session, note_id=action.note_id)
        thread.note(session, case, blocks.done_text(user_id, action.number, number), now)
        return f"Marked done by {mention(user_id)}."

    try:
        with deps.sessions.begin() as session:
            now = deps.clock()
            found = finding.still_open(deps, session, team_id, user_id, value, "done", now)
            if isinstance(found, str):
                return found
            _apply(deps, session, "done", user_id, *found, clicked, change, now)
    except StaleDataError:
        return RACE
    return None


def open_extend(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    value: str,
    trigger_id: str,
    clicked: Clicked | None,
) -> str | None:
    def modal(view: blocks.FollowUpView, answer: blocks.AnswerContext, today: date) -> dict[str, Any]:
        initial = min(max(today, view.due) + timedelta(days=7), rules.latest_due(today))
        return blocks.extend_modal(view, answer, initial=initial)

    return _open(deps, client, "extend", team_id, user_id, value, trigger_id, clicked, modal)


def open_cannot(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    value: str,
    trigger_id: str,
    clicked: Clicked | None,
) -> str | None:
    return _open(
        deps,
        client,
        "cannot",
        team_id,
        user_id,
        value,
        trigger_id,
        clicked,
        lambda view, answer, _today: blocks.cannot_modal(view, answer),
    )


def submit_extend(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    chosen = blocks.read_due(body["view"]["state"]["values"])
    user_id = body["user"]["id"]

    def check(session: Session, action: NoteAction, now: datetime) -> str | None:
        return rules.extension_problem(chosen, today=finding.owner_today(deps, session, action, now))

    def change(session: Session, case: Case, action: NoteAction, now: datetime) -> str:
        assert chosen is not None
        action.due, action.round, action.level_sent = chosen, action.round + 1, -1
        follow_ups.plan_action(deps, session, action, now)
        noon = follow_ups.noon_of(follow_ups.owner_calendar(deps, session, action), chosen)
        number = store.note_number(session, note_id=action.note_id)
        thread.note(session, case, blocks.extended_text(user_id, action.number, number, chosen, noon), now)
        return f"Given more time by {mention(user_id)}: now due {blocks.due_day(chosen, noon)}."

    return _submit(deps, "extend", Block.ACTION_DUE, body, check, change)


def submit_cannot(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    reason = blocks.read_reason(body["view"]["state"]["values"])
    user_id = body["user"]["id"]

    def change(session: Session, case: Case, action: NoteAction, now: datetime) -> str:
        action.status, action.status_reason = ActionStatus.CANNOT, reason
        action.status_at, action.status_by, action.next_check_at = now, user_id, None
        told = _tell_coworkers(deps, session, case, action, user_id, now)
        number = store.note_number(session, note_id=action.note_id)
        thread.note(session, case, blocks.cannot_text(user_id, action.number, number, told), now)
        return f"{mention(user_id)} said it can't be done" + (
            f"; {' and '.join(mention(t) for t in told)} {'has' if len(told) == 1 else 'have'} been told why."
            if told
            else "."
        )

    return _submit(deps, "cannot", Block.ACTION_REASON, body, lambda *_: rules.reason_problem(reason), change)


Modal = Callable[[blocks.FollowUpView, blocks.AnswerContext, date], dict[str, Any]]


def _open(
    deps: Deps,
    client: WebClient,
    how: str,
    team_id: str,
    user_id: str,
    value: str,
    trigger_id: str,
    clicked: Clicked | None,
    modal: Modal,
) -> str | None:
    """Check, then open the modal for *Need more time* or *Can't do it* (it changes nothing yet)."""
    with deps.sessions.begin() as session:
        now = deps.clock()
        found = finding.still_open(deps, session, team_id, user_id, value, how, now)
        if isinstance(found, str):
            return found
        case, action = found
        answer = blocks.AnswerContext(
            action.id, action.round, clicked.channel_id if clicked else None, clicked.ts if clicked else None
        )
        shown = follow_ups.view(deps, session, case, action, now, recipient_id=user_id)
        spec = modal(shown, answer, finding.owner_today(deps, session, action, now))
    client.views_open(trigger_id=trigger_id, view=spec)
    return None


def _submit(
    deps: Deps,
    how: str,
    field: str,
    body: dict[str, Any],
    check: Callable[[Session, NoteAction, datetime], str | None],
    change: Change,
) -> dict[str, str] | None:
    """Field errors for a follow-up modal, or None once the answer is saved (or already was)."""
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    answer = blocks.AnswerContext.loads(view.get("private_metadata"))
    if answer is None:
        return {field: EXPIRED}
    try:
        with deps.sessions.begin() as session:
            now = deps.clock()
            found = finding.find(deps, session, team_id, user_id, answer.action_id, how, now)
            if isinstance(found, str):
                return {field: found}
            case, action = found
            if problem := check(session, action, now):
                return {field: problem}
            if not repo.claim_once(
                session, team_id=team_id, key=f"action.{how}:{view['id']}", kind="view", now=now
            ):
                return None  # submitted twice: the first one did it
            if problem := finding.closed(case, action, answer.round):
                return {field: problem}
            clicked = Clicked(answer.channel_id, answer.ts) if answer.channel_id and answer.ts else None
            _apply(deps, session, how, user_id, case, action, clicked, change, now)
    except StaleDataError:
        return {field: RACE}
    return None


def _apply(
    deps: Deps,
    session: Session,
    how: str,
    user_id: str,
    case: Case,
    action: NoteAction,
    clicked: Clicked | None,
    change: Change,
    now: datetime,
) -> None:
    """Apply the answer; audit it (ids only), update the card, and replace the pressed DM's buttons."""
    before = follow_ups.view(deps, session, case, action, now, recipient_id=user_id)
    outcome = change(session, case, action, now)
    detail: dict[str, Any] = {"round": action.round, "note_id": action.note_id}
    if how == "extend" and action.due is not None:
        detail["due"] = action.due.isoformat()
    access.record(
        session,
        case,
        user_id=user_id,
        action=f"action.{how}",
        now=now,
        object_type="note_action",
        object_id=action.id,
        detail=detail,
    )
    session.flush()  # the optimistic lock: a racing answer fails here, before anything is queued
    repo.enqueue_card_update(session, case=case, now=now)
    if clicked is None:
        return
    shown = clicked.blocks if clicked.blocks is not None else blocks.follow_up_message(before)[1]
    repo.enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.REPLACE_MESSAGE,
        payload={
            "channel": clicked.channel_id,
            "ts": clicked.ts,
            "text": outcome,
            "blocks": answered(shown, outcome),
        },
        now=now,
    )


def _tell_coworkers(
    deps: Deps, session: Session, case: Case, action: NoteAction, user_id: str, now: datetime
) -> tuple[str, ...]:
    """Queue the *Can't do it* notice for the case's other members (re-routed for leave and deactivated
    accounts, never to the person who pressed it); the ids of who will receive it."""
    others = [
        m.person.slack_user_id
        for m in case.members
        if m.person.slack_user_id not in (action.owner_id, user_id)
    ]
    told = []
    for route in follow_ups.routes_for(deps, session, case, case.team_id, others, now):
        if route.user_id == user_id:
            continue
        payload = {
            "audience": "coworkers",
            "user_id": route.user_id,
            "for_others": [list(pair) for pair in route.for_others],
            "action_id": action.id,
            "round": action.round,
        }
        repo.enqueue(
            session,
            team_id=case.team_id,
            case_id=case.id,
            kind=OutboxKind.ACTION_CANNOT_NOTICE,
            payload=payload,
            now=now,
            not_before=reminders.timing(deps, session, case, payload, now),
        )
        told.append(route.user_id)
    return tuple(told)
