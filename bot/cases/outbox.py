"""The case card and the co-working agreement post, rendered from the case at send time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.cases.blocks import CaseView, agreement_post, case_card
from bot.cases.blocks_closed import OpenDifference
from bot.cases.presenters import card_notes, case_view
from bot.concerns.presenters import urgent_on_card
from bot.kernel.zones import zone
from bot.outbox.calls import Call, Renderers, Row, in_thread, post, update
from bot.reminders import flows_schedule as schedule
from storage import differences as open_ones
from storage import repository as repo
from storage.models import Case, CaseClosure, Note, OutboxKind
from storage.review_dates import review_date

MISSED_WITHIN = timedelta(days=91)  # how far back the card looks for discussions that were not held


def register(renderers: Renderers) -> None:
    renderers.add(_card, OutboxKind.POST_CARD, OutboxKind.UPDATE_CARD)
    renderers.add(_agreement, OutboxKind.POST_AGREEMENT, OutboxKind.UPDATE_AGREEMENT)


def _card(row: Row) -> Call:
    case = row.case
    notes = card_notes(row.deps, row.session, case, row.now)
    items = repo.open_items(row.session, case_ids=[case.id])
    induction = schedule.induction_until(row.deps, case, row.now)
    recent = repo.items_since(row.session, case_id=case.id, since=row.now - MISSED_WITHIN)
    view = case_view(case, items=items, now=row.now, notes=notes, induction_until=induction, recent=recent)
    # The card shows the review date in force (a review may have planned the next one), not only the
    # agreement's own, which the agreement post keeps showing as agreed.
    in_force = review_date(row.session, schedule.current_agreement(case))
    view = _closing(row, case, replace(view, agreement=replace(view.agreement, review_date=in_force)))
    text, blocks = case_card(view, urgent_on_card(row.session, case.id))
    if row.kind == OutboxKind.POST_CARD:
        return Call("chat.postMessage", post(case.channel_id, text, blocks, row.metadata), remember_as="card")
    return update(row.session, case, "card", text, blocks)


def _closing(row: Row, case: Case, view: CaseView) -> CaseView:
    """Closing's part of the card: a closed case's date and note, else the open differences of view and
    the earlier case a re-used reference belongs to."""
    session, tz = row.session, zone(row.deps, schedule.lead_of(case))
    if case.closed_at is not None:
        closure = session.scalar(select(CaseClosure).where(CaseClosure.case_id == case.id))
        note = session.get(Note, closure.note_id) if closure else None
        tz = zone(row.deps, schedule.lead_of(case))
        return replace(
            view, closed_on=case.closed_at.astimezone(tz).date(), closing_note=note.number if note else None
        )
    before = session.get(Case, case.previous_case_id) if case.previous_case_id else None
    closed_on = (
        before.closed_at.astimezone(zone(row.deps, schedule.lead_of(case))).date()
        if before and before.closed_at
        else None
    )
    return replace(
        view,
        differences=tuple(OpenDifference(*d) for d in open_ones.open_differences(session, case_id=case.id)),
        reopened=before is not None,
        previous_closed_on=closed_on,
    )


def _agreement(row: Row) -> Call:
    case = row.case
    items = repo.open_items(row.session, case_ids=[case.id])
    induction = schedule.induction_until(row.deps, case, row.now)
    view = case_view(case, items=items, now=row.now, notes=None, induction_until=induction)
    text, blocks = agreement_post(view, row.deps.content)
    purpose = f"agreement:{row.payload['agreement_id']}"
    if row.kind == OutboxKind.POST_AGREEMENT:
        return Call("chat.postMessage", in_thread(case, text, blocks, row.metadata), remember_as=purpose)
    return update(row.session, case, purpose, text, blocks)
