"""Raising an urgent concern (from capture, in its transaction) and acknowledging one (the DM's button).

casebot never gives false assurance: whoever raises a concern is told at once that Slack does not
replace their organisation's safeguarding procedure and to follow it now, and exactly what casebot did
(who was alerted, or that nobody was). The concern is one row per Slack message, so an edit, a retried
event, a second mark or a second replica never raises it twice, and editing or deleting the message
neither withdraws nor repeats the alert. Audited with ids only; no case text is logged or sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.concerns import blocks, rules
from bot.concerns import flows_alerts as alerts
from bot.deps import Deps
from bot.kernel import access, zones
from bot.kernel.blocks import sections
from bot.kernel.clicks import Clicked
from bot.reminders.blocks import answered
from storage import concerns as store
from storage import repository as repo
from storage.models import Case, OutboxKind, UrgentConcern

GONE = "I can't find that urgent concern any more."
RACE = "That concern changed at the same moment. Please look at the case card and try again."


def raise_concern(
    deps: Deps,
    session: Session,
    case: Case,
    *,
    channel_id: str,
    message_ts: str,
    raised_by: str,
    now: datetime,
    tell_again: bool = True,
) -> str | None:
    """Raise the concern a message carries (once per message) and alert the first person in its chain.

    Returns what to tell `raised_by` now; for a concern already raised, the same advice and its status
    when `tell_again` (a second mark by hand), else None (an edit of the same message)."""
    existing = store.concern_for_message(
        session, team_id=case.team_id, channel_id=channel_id, message_ts=message_ts
    )
    if existing is not None:
        return _already(existing) if tell_again else None
    contacts = rules.chain(
        alerts.manager_today(deps, session, case, now),
        duty_contact=alerts.duty_contact(deps),
        raised_by=raised_by,
    )
    concern = UrgentConcern(
        team_id=case.team_id,
        case_id=case.id,
        channel_id=channel_id,
        message_ts=message_ts,
        raised_by=raised_by,
        raised_at=now,
        contacts=[[c.user_id, c.role] for c in contacts],
        level_sent=-1,
    )
    if not repo.insert_once(session, concern):  # raised meanwhile by another process
        raced = store.concern_for_message(
            session, team_id=case.team_id, channel_id=channel_id, message_ts=message_ts
        )
        return _already(raced) if tell_again and raced else None
    access.record(
        session,
        case,
        user_id=raised_by,
        action="urgent.raise",
        now=now,
        object_type="urgent_concern",
        object_id=concern.id,
        detail={"contacts": len(contacts)},
    )
    step = rules.first_step(contacts, now=now, ack_minutes=deps.settings.urgent_ack_minutes)
    if step.send_level is not None:
        alerts.send_alert(session, case, concern, step.send_level, now)
    else:  # nobody to alert: the manager raised it and no duty contact is configured; they know of it
        concern.acknowledged_at, concern.acknowledged_by = now, raised_by
    concern.next_check_at = step.next_check_at
    repo.enqueue_card_update(session, case=case, now=now)
    return blocks.raised_answer(contacts, ack_minutes=deps.settings.urgent_ack_minutes)


def _already(concern: UrgentConcern) -> str:
    return blocks.already_answer(concern.raised_at, concern.acknowledged_by, concern.acknowledged_at)


def acknowledge(deps: Deps, *, team_id: str, user_id: str, value: str, clicked: Clicked | None) -> str | None:
    """*Acknowledge* on an alert DM: checked for this concern, audited, the card and the DM updated, and
    whoever raised it told. A second press (or one on another person's copy) only says who did it."""
    try:
        with deps.sessions.begin() as session:
            now = deps.clock()
            concern = session.get(UrgentConcern, int(value)) if value.isdigit() else None
            case = repo.load_case(session, case_id=concern.case_id) if concern else None
            if concern is None or case is None or case.team_id != team_id:
                return GONE
            covering = repo.covered_by(
                session, cover_slack_user_id=user_id, team_id=team_id, day=zones.today_for(deps, None, now)
            )
            if not rules.may_acknowledge(
                user_id,
                contacts=alerts.contacts_of(concern),
                manager_id=case.manager.slack_user_id,
                duty_contact=alerts.duty_contact(deps),
                covering_for=covering,
            ):
                return access.deny(
                    session,
                    case,
                    user_id=user_id,
                    action="urgent.acknowledge",
                    now=now,
                    object_type="urgent_concern",
                    object_id=concern.id,
                )
            if concern.acknowledged_at is not None and concern.acknowledged_by is not None:
                _replace(
                    session,
                    case,
                    clicked,
                    blocks.acknowledged_note(concern.acknowledged_by, concern.acknowledged_at),
                    now,
                )
                return None
            concern.acknowledged_at, concern.acknowledged_by, concern.next_check_at = now, user_id, None
            access.record(
                session,
                case,
                user_id=user_id,
                action="urgent.acknowledge",
                now=now,
                object_type="urgent_concern",
                object_id=concern.id,
                detail={"level_sent": concern.level_sent},
            )
            session.flush()  # the optimistic lock: a racing sweep or second press fails here
            repo.enqueue_card_update(session, case=case, now=now)
            _replace(session, case, clicked, blocks.acknowledged_note(user_id, now), now)
            if concern.raised_by != user_id:
                text = blocks.raiser_notice(case.reference, user_id, now)
                repo.enqueue(
                    session,
                    team_id=case.team_id,
                    case_id=case.id,
                    kind=OutboxKind.DM,
                    payload={"user_id": concern.raised_by, "text": text, "blocks": sections(text)},
                    now=now,
                )
    except StaleDataError:
        return RACE
    return None


def _replace(session: Session, case: Case, clicked: Clicked | None, note: str, now: datetime) -> None:
    """The pressed DM with its button replaced by who acknowledged it."""
    if clicked is None or clicked.blocks is None:
        return
    repo.enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.REPLACE_MESSAGE,
        payload={
            "channel": clicked.channel_id,
            "ts": clicked.ts,
            "text": note,
            "blocks": answered(clicked.blocks, note),
        },
        now=now,
    )
