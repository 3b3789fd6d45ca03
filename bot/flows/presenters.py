"""From stored rows to the plain data the Block Kit builders take."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks.messages import AgreementView, CaseLine, CaseView, MemberView, ScheduleView
from bot.services.agreements import TERMS
from storage import repository as repo
from storage.models import Agreement, Case, Experience, ItemKind, ItemStatus, ScheduleItem


def agreement_view(agreement: Agreement) -> AgreementView:
    terms = {name: getattr(agreement, name) for name in TERMS}
    return AgreementView(
        agreement_id=agreement.id,
        version=agreement.version,
        **terms | {"reasons": tuple(agreement.reasons), "responsibilities": dict(agreement.responsibilities)},
    )


def current_agreement(case: Case) -> Agreement:
    return max(case.agreements, key=lambda a: a.version)


def schedule_view(items: Sequence[ScheduleItem], now: datetime) -> ScheduleView:
    """Next discussion and supervision, and what is overdue (due, not yet held), from a case's open items."""

    def next_of(kind: ItemKind) -> datetime | None:
        return min((i.due_at for i in items if i.kind == kind), default=None)

    overdue = tuple(
        (i.kind.value, i.due_at) for i in sorted(items, key=lambda i: i.due_at) if i.due_at <= now
    )
    return ScheduleView(next_of(ItemKind.DISCUSSION), next_of(ItemKind.SUPERVISION), overdue)


def case_view(case: Case, *, items: Sequence[ScheduleItem] = (), now: datetime | None = None) -> CaseView:
    agreement = current_agreement(case)
    agreed = {acceptance.person_id for acceptance in agreement.acceptances}
    return CaseView(
        case_id=case.id,
        reference=case.reference,
        status=case.status.value,
        manager_id=case.manager.slack_user_id,
        members=tuple(
            MemberView(
                user_id=m.person.slack_user_id,
                role=m.role.value,
                developing=m.experience == Experience.DEVELOPING,
                agreed=m.person_id in agreed,
            )
            for m in case.members
        ),
        agreement=agreement_view(agreement),
        schedule=schedule_view(items, now) if now is not None else None,
    )


def case_line(case: Case, user_id: str, *, items: Sequence[ScheduleItem], now: datetime) -> CaseLine:
    view = case_view(case, items=items, now=now)
    roles = [m.role_label for m in view.members if m.user_id == user_id]
    role = roles[0] if roles else "manager"
    return CaseLine(
        reference=case.reference,
        channel_id=case.channel_id,
        role=role,
        everyone_agreed=view.everyone_agreed,
        schedule=view.schedule,
    )


def supervision_agenda(session: Session, case: Case, item: ScheduleItem, now: datetime) -> tuple[str, ...]:
    """Agenda lines built from the case's record since the last supervision check-in."""
    history = repo.items_since(session, case_id=case.id, since=None)
    last = max(
        (i.held_at for i in history if i.kind == ItemKind.SUPERVISION and i.held_at is not None), default=None
    )
    discussions = [
        i
        for i in history
        if i.kind == ItemKind.DISCUSSION and (last is None or i.due_at >= last) and i.due_at <= now
    ]
    held = sum(i.status == ItemStatus.HELD for i in discussions)
    missed = sum(i.status == ItemStatus.MISSED for i in discussions)
    overdue = [i for i in history if i.status in repo.OPEN_ITEM and i.due_at <= now and i.id != item.id]
    lines = [
        f"Reflective discussions since the last check-in: {held} held, {missed} missed"
        + (f", {len(discussions) - held - missed} still open." if len(discussions) > held + missed else ".")
    ]
    if overdue:
        lines.append("Overdue: " + ", ".join(f"{i.kind.value} due {i.due_at:%d %b}" for i in overdue) + ".")
    agreement = current_agreement(case)
    if agreement.learning_goals:
        lines.append(f"Learning goals agreed: {agreement.learning_goals}")
    if agreement.review_date:
        lines.append(f"The agreement is due for review on {agreement.review_date:%d %B %Y}.")
    return tuple(lines)
