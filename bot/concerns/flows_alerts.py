"""Sending one alert in an urgent concern's chain, exactly once, and rendering it at send time.

Sending means inserting the unique ("urgent", concern, level, 0) claim, its outbox row and an audit
entry in ONE transaction: a retried event, an overlapping sweep or a second replica that reaches the
same level fails on the claim and sends nothing. The DM is rendered when it goes (`concerns/outbox.py`):
it is not held for working hours (it is urgent), and it is cancelled if the concern was acknowledged
before it went.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.concerns import rules
from bot.concerns.blocks import AlertView
from bot.deps import Deps
from bot.kernel import access, zones
from bot.reminders import flows_sweep as reminders
from storage import concerns as store
from storage import repository as repo
from storage.models import Case, FollowUpClaim, OutboxKind, UrgentConcern


def duty_contact(deps: Deps) -> str | None:
    return deps.settings.urgent_duty_contact or None


def manager_today(deps: Deps, session: Session, case: Case, now: datetime) -> rules.ManagerToday:
    """The manager as the chain needs them: away today (with whoever covers), or deactivated."""
    facts = reminders.routing_facts(deps, session, [case.manager], now)[0]
    today = zones.today_for(deps, case.manager, now)
    away = any(
        span.first_day <= today <= span.last_day
        for span in repo.leave_from(session, person_ids=[case.manager_id], day=today)
    )
    return rules.ManagerToday(
        case.manager.slack_user_id, away=away, deactivated=facts.deactivated, cover_id=facts.cover_user_id
    )


def contacts_of(concern: UrgentConcern) -> tuple[rules.Contact, ...]:
    return tuple(rules.Contact(user_id, role) for user_id, role in concern.contacts)


def send_alert(session: Session, case: Case, concern: UrgentConcern, level: int, now: datetime) -> bool:
    """Claim, queue and audit the alert to the chain's person at `level`; False if it was already sent."""
    contact = contacts_of(concern)[level]
    claim = FollowUpClaim(
        team_id=case.team_id,
        subject=store.SUBJECT,
        subject_id=concern.id,
        level=level,
        round=0,
        claimed_at=now,
        recipients=[contact.user_id],
    )
    if not repo.insert_once(session, claim):
        return False
    repo.enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.URGENT_ALERT,
        payload={"concern_id": concern.id, "level": level, "user_id": contact.user_id},
        now=now,
    )
    access.record(
        session,
        case,
        user_id=None,  # casebot sends it
        action="urgent.alert",
        now=now,
        object_type="urgent_concern",
        object_id=concern.id,
        detail={"case_id": case.id, "level": level, "to": contact.user_id, "role": contact.role},
    )
    concern.level_sent = level
    return True


def alert_view(deps: Deps, session: Session, case: Case, payload: dict) -> AlertView | None:
    """What a queued alert says now; None once the concern is acknowledged (or gone)."""
    concern = session.get(UrgentConcern, payload["concern_id"])
    if concern is None or concern.acknowledged_at is not None:
        return None
    contacts = contacts_of(concern)
    level = int(payload["level"])
    earlier = tuple(
        (claim.recipients[0], claim.claimed_at)
        for claim in store.alerts_sent(session, concern_id=concern.id)
        if claim.level < level and claim.recipients
    )
    card = repo.slack_post(session, case_id=case.id, purpose="card")
    return AlertView(
        concern_id=concern.id,
        reference=case.reference,
        channel_id=case.channel_id,
        raised_by=concern.raised_by,
        raised_at=concern.raised_at,
        recipient=contacts[level],
        manager_id=case.manager.slack_user_id,
        earlier=earlier,
        next_contact=contacts[level + 1].user_id if level + 1 < len(contacts) else None,
        ack_minutes=deps.settings.urgent_ack_minutes,
        permalink=card.permalink if card else None,
    )
