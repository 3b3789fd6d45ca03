"""Loading drift facts for many cases at once: a constant number of statements, whatever the count.

The cases come with their members, people, agreements and manager (selectin loads: one statement
each), then one statement per kind of fact for all of them together. Only ids, dates, statuses and
authorship are read: no case text is decrypted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from bot.config_checks import drift_threshold_values
from bot.deps import Deps
from bot.drift.rules import CaseDrift, signals
from bot.drift.rules_facts import (
    ActionFact,
    CaseFacts,
    DisagreementFact,
    DiscussionFact,
    ItemFact,
    Thresholds,
)
from storage import differences as open_ones
from storage.models import (
    ActionStatus,
    Agreement,
    CapturedItem,
    Case,
    CaseMember,
    CaseStatus,
    Discussion,
    DiscussionStatus,
    Experience,
    ItemStatus,
    LearningEvidence,
    Note,
    NoteAction,
    Person,
    ScheduleItem,
    SlackPost,
    ThreadMessage,
)
from storage.review_dates import review_dates


def thresholds(deps: Deps) -> Thresholds:
    """The signals' thresholds: the defaults (bot/drift/rules.py), overridden by CASEBOT_DRIFT_THRESHOLDS."""
    return Thresholds(**drift_threshold_values(deps.settings.drift_thresholds))


def cases_for(session: Session, *, team_id: str, person: Person, managed: bool) -> Sequence[Case]:
    """Open cases the person manages (managed) or co-works, with what facts_for needs loaded."""
    if managed:
        where = Case.manager_id == person.id
    else:
        where = Case.id.in_(select(CaseMember.case_id).where(CaseMember.person_id == person.id))
    return session.scalars(
        select(Case)
        .where(Case.team_id == team_id, Case.status == CaseStatus.OPEN, where)
        .options(
            selectinload(Case.members).selectinload(CaseMember.person),
            selectinload(Case.agreements).selectinload(Agreement.acceptances),
            selectinload(Case.manager),
        )
        .order_by(Case.id)
    ).all()


def history_weeks(t: Thresholds) -> int:
    """The longest look-back any signal needs: only that much history is read."""
    return max(t.missed_window_weeks, t.quiet_weeks, t.responsibility_weeks) + 1


def facts_for(
    session: Session,
    cases: Sequence[Case],
    *,
    now: datetime,
    default_tz: str = "UTC",
    history_weeks: int = 7,
) -> list[CaseFacts]:
    if not cases:
        return []
    ids = [c.id for c in cases]
    since = now - timedelta(weeks=history_weeks)
    items = session.execute(
        select(ScheduleItem.case_id, ScheduleItem.kind, ScheduleItem.status, ScheduleItem.due_at).where(
            ScheduleItem.case_id.in_(ids),
            or_(
                ScheduleItem.due_at >= since,
                ScheduleItem.status.in_((ItemStatus.SCHEDULED, ItemStatus.STARTED)),
            ),
        )
    ).all()
    discussions = session.execute(
        select(
            Discussion.id,
            Discussion.case_id,
            Discussion.started_at,
            Discussion.record_due_at,
            Discussion.recorded_at,
        ).where(
            Discussion.case_id.in_(ids),
            or_(Discussion.started_at >= since, Discussion.status != DiscussionStatus.RECORDED),
        )
    ).all()
    authors = session.execute(
        select(ThreadMessage.discussion_id, ThreadMessage.author_id)
        .join(Discussion, Discussion.id == ThreadMessage.discussion_id)
        .where(
            Discussion.case_id.in_(ids),
            Discussion.started_at >= since,
            ThreadMessage.deleted_at.is_(None),
        )
        .distinct()
    ).all()
    owner = aliased(Person)
    actions = session.execute(
        select(
            NoteAction.case_id,
            Note.number,
            NoteAction.number,
            NoteAction.owner_id,
            NoteAction.due,
            NoteAction.status,
            owner.tz,
        )
        .join(Note, Note.id == NoteAction.note_id)
        .outerjoin(
            owner, and_(owner.team_id == NoteAction.team_id, owner.slack_user_id == NoteAction.owner_id)
        )
        .where(NoteAction.case_id.in_(ids), NoteAction.status == ActionStatus.OPEN)
    ).all()
    disagreements = session.execute(
        select(CapturedItem.case_id, CapturedItem.marked_at).where(
            CapturedItem.case_id.in_(ids), open_ones.unresolved()
        )  # neither resolved nor escalated
    ).all()
    developing = {m.person_id for c in cases for m in c.members if m.experience == Experience.DEVELOPING}
    learning = session.execute(
        select(
            LearningEvidence.person_id,
            LearningEvidence.case_reference,
            func.max(LearningEvidence.recorded_at),
        )
        .where(LearningEvidence.person_id.in_(developing or {-1}))
        .group_by(LearningEvidence.person_id, LearningEvidence.case_reference)
    ).all()
    links = dict(
        session.execute(
            select(SlackPost.case_id, SlackPost.permalink).where(
                SlackPost.case_id.in_(ids), SlackPost.purpose == "card"
            )
        ).all()
    )

    by_case: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for case_id, kind, status, due_at in items:
        by_case[case_id]["items"].append(ItemFact(kind.value, status.value, due_at))
    spoke: dict[int, set[str]] = defaultdict(set)
    for discussion_id, author in authors:
        spoke[discussion_id].add(author)
    for d_id, case_id, started, record_due, recorded in discussions:
        by_case[case_id]["discussions"].append(
            DiscussionFact(started, record_due, recorded, frozenset(spoke.get(d_id, ())))
        )
    for case_id, note_number, number, owner_id, due, action_status, tz in actions:
        by_case[case_id]["actions"].append(
            ActionFact(note_number, number, owner_id, due, action_status.value, tz or default_tz)
        )
    for case_id, marked_at in disagreements:
        by_case[case_id]["disagreements"].append(
            DisagreementFact(marked_at, False)  # open until resolved or escalated, recorded or not
        )
    latest = {(person_id, reference): at for person_id, reference, at in learning}

    current = {case.id: max(case.agreements, key=lambda a: a.version) for case in cases}
    in_force = review_dates(session, current.values())
    out = []
    for case in cases:
        agreement = current[case.id]
        found = by_case[case.id]
        dev = [m for m in case.members if m.experience == Experience.DEVELOPING]
        out.append(
            CaseFacts(
                case_id=case.id,
                reference=case.reference,
                channel_id=case.channel_id,
                link=links.get(case.id),
                manager_id=case.manager.slack_user_id,
                member_ids=tuple(m.person.slack_user_id for m in case.members),
                developing_ids=tuple(m.person.slack_user_id for m in dev),
                agreed_at=agreement.created_at,
                review_date=in_force[case.id],
                manager_tz=case.manager.tz or default_tz,
                items=tuple(sorted(found["items"], key=lambda i: i.due_at)),
                discussions=tuple(found["discussions"]),
                actions=tuple(sorted(found["actions"], key=lambda a: (a.note_number, a.number))),
                disagreements=tuple(found["disagreements"]),
                responsibilities=tuple(sorted(agreement.responsibilities)),
                tagged={},  # nothing is tagged with a responsibility yet: see the README
                learning={
                    m.person.slack_user_id: at
                    for m in dev
                    if (at := latest.get((m.person_id, case.reference))) is not None
                },
            )
        )
    return out


def drift_for(
    session: Session,
    cases: Sequence[Case],
    *,
    now: datetime,
    thresholds: Thresholds,
    default_tz: str = "UTC",
) -> list[CaseDrift]:
    """Each case's signals, most in need of attention first (then by reference)."""
    found = [
        CaseDrift(f, tuple(signals(f, now, thresholds)))
        for f in facts_for(
            session, cases, now=now, default_tz=default_tz, history_weeks=history_weeks(thresholds)
        )
    ]
    return sorted(found, key=lambda d: (-d.attention, d.facts.reference))
