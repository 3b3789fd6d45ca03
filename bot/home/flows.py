"""App Home: what a person sees, loaded in a fixed number of statements; and the coalesced refresh.

A person's tab is published when they open it, and again by the outbox when something it shows
changes: each jobs pass looks at the cases whose outbox rows were queued since the last refresh and
queues one PUBLISH_HOME per person who has opened the tab (at most one pending per person), so a busy
case costs one publish a pass, not one per change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.cases.presenters import recorders_for
from bot.deps import Deps
from bot.drift import flows as drift
from bot.drift.rules import is_action_overdue
from bot.drift.rules_facts import ActionFact
from bot.home.blocks import AgreementWaiting, Home, MyAction, MyCase, SummaryWaiting, home_view
from storage import repository as repo
from storage.models import (
    ActionStatus,
    Case,
    CaseMember,
    CaseStatus,
    Discussion,
    DiscussionStatus,
    ItemKind,
    MemberRole,
    Note,
    NoteAction,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Person,
    ProcessedEvent,
    Role,
    SlackPost,
    Workspace,
)

OPENED = "home_opened"  # ProcessedEvent kind: this person has opened the tab (key "home:<user>")
REFRESHED = "home_refresh"  # ProcessedEvent kind: a refresh pass looked at changes up to processed_at
REFRESH_KEY = "home-refresh"  # that row's key (under the first workspace it was written for)


def model(session: Session, deps: Deps, *, team_id: str, user_id: str, now: datetime) -> Home:
    person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
    if person is None:
        return Home()
    mine = drift.cases_for(session, team_id=team_id, person=person, managed=False)
    team = None
    if person.role in (Role.MANAGER, Role.ADMIN):
        managed = drift.cases_for(session, team_id=team_id, person=person, managed=True)
        team = tuple(
            drift.drift_for(
                session,
                managed,
                now=now,
                thresholds=drift.thresholds(deps),
                default_tz=deps.settings.default_timezone,
            )
        )
    return Home(
        cases=_cases(session, mine, person),
        actions=_actions(
            session, team_id=team_id, person=person, now=now, default_tz=deps.settings.default_timezone
        ),
        summaries=_summaries(session, mine, person),
        agreements=_agreements(session, mine, person),
        team=team,
    )


def _links(session: Session, ids: list[int]) -> dict[int, str | None]:
    rows = session.execute(
        select(SlackPost.case_id, SlackPost.permalink).where(
            SlackPost.case_id.in_(ids or [-1]), SlackPost.purpose == "card"
        )
    ).all()
    return {case_id: link for case_id, link in rows}


def _cases(session: Session, cases: Sequence[Case], person: Person) -> tuple[MyCase, ...]:
    ids = [c.id for c in cases]
    soonest: dict[tuple[int, ItemKind], datetime] = {}  # grouped once, not scanned per case
    for i in repo.open_items(session, case_ids=ids):
        key = (i.case_id, i.kind)
        soonest[key] = min(soonest.get(key, i.due_at), i.due_at)
    links = _links(session, ids)

    def next_of(case_id: int, kind: ItemKind) -> datetime | None:
        return soonest.get((case_id, kind))

    out = []
    for case in cases:
        member = next(m for m in case.members if m.person_id == person.id)
        out.append(
            MyCase(
                case.reference,
                case.channel_id,
                links.get(case.id),
                "lead" if member.role == MemberRole.LEAD else "co-worker",
                next_of(case.id, ItemKind.DISCUSSION),
                next_of(case.id, ItemKind.SUPERVISION),
            )
        )
    return tuple(out)


def _actions(
    session: Session, *, team_id: str, person: Person, now: datetime, default_tz: str
) -> tuple[MyAction, ...]:
    rows = session.execute(
        select(
            NoteAction.id, NoteAction.round, NoteAction.number, NoteAction.due, Note.number, Case.reference
        )
        .join(Note, Note.id == NoteAction.note_id)
        .join(Case, Case.id == NoteAction.case_id)
        .where(
            NoteAction.team_id == team_id,
            NoteAction.owner_id == person.slack_user_id,
            NoteAction.status == ActionStatus.OPEN,
            Case.status == CaseStatus.OPEN,
        )
        .order_by(NoteAction.due.is_(None), NoteAction.due, NoteAction.id)
    ).all()
    tz = person.tz or default_tz
    return tuple(
        MyAction(
            reference,
            note_number,
            number,
            due,
            is_action_overdue(ActionFact(note_number, number, person.slack_user_id, due, "open", tz), now),
            f"{action_id}:{round_}",
        )
        for action_id, round_, number, due, note_number, reference in rows
    )


def _summaries(session: Session, cases: Sequence[Case], person: Person) -> tuple[SummaryWaiting, ...]:
    """Wrapped-up discussions whose summary the agreement expects this person to record."""
    by_id = {c.id: c for c in cases}
    rows = session.execute(
        select(Discussion.id, Discussion.case_id, Discussion.record_due_at)
        .where(
            Discussion.case_id.in_(list(by_id) or [-1]),
            Discussion.status == DiscussionStatus.WRAPPED,
            Discussion.recorded_at.is_(None),
        )
        .order_by(Discussion.id)
    ).all()
    if not rows:
        return ()
    earlier = aliased(Discussion)
    turns = dict(
        session.execute(  # each discussion's number in its case: who records it follows the turn
            select(Discussion.id, func.count(earlier.id))
            .join(earlier, (earlier.case_id == Discussion.case_id) & (earlier.id <= Discussion.id))
            .where(Discussion.id.in_([d_id for d_id, _, _ in rows]))
            .group_by(Discussion.id)
        ).all()
    )
    return tuple(
        SummaryWaiting(by_id[case_id].reference, d_id, due)
        for d_id, case_id, due in rows
        if person.slack_user_id in recorders_for(session, by_id[case_id], turns.get(d_id, 1))
    )


def _agreements(session: Session, cases: Sequence[Case], person: Person) -> tuple[AgreementWaiting, ...]:
    waiting = []
    for case in cases:
        current = max(case.agreements, key=lambda a: a.version)
        if all(a.person_id != person.id for a in current.acceptances):
            waiting.append((case, current))
    links = _links(session, [c.id for c, _ in waiting])
    return tuple(AgreementWaiting(c.reference, a.version, links.get(c.id)) for c, a in waiting)


def view_for(deps: Deps, *, team_id: str, user_id: str) -> dict[str, Any]:
    now = deps.clock()
    with deps.reads.begin() as session:
        return home_view(model(session, deps, team_id=team_id, user_id=user_id, now=now))


def opened(deps: Deps, *, team_id: str, user_id: str) -> None:
    """Remember that this person uses the tab, so changes refresh it."""
    with deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=team_id, now=deps.clock())
        repo.claim_once(session, team_id=team_id, key=f"home:{user_id}", kind=OPENED, now=deps.clock())


def refresh(deps: Deps) -> int:
    """Queue one publish per person whose tab shows a case that changed since the last pass; how many."""
    now = deps.clock()
    queued = 0
    with deps.sessions.begin() as session:
        mark = _mark(session)
        since = mark.processed_at if mark is not None else now - timedelta(minutes=10)
        changed = session.execute(
            select(OutboxMessage.team_id, OutboxMessage.case_id)
            .where(
                OutboxMessage.created_at > since,
                OutboxMessage.created_at <= now,
                OutboxMessage.case_id.is_not(None),
                OutboxMessage.kind != OutboxKind.PUBLISH_HOME,
            )
            .distinct()
        ).all()
        if not changed:
            return 0
        case_ids = {case_id for _, case_id in changed}
        teams = {team for team, _ in changed}
        members = session.execute(
            select(Case.team_id, Case.id, Person.slack_user_id)
            .join(CaseMember, CaseMember.case_id == Case.id)
            .join(Person, Person.id == CaseMember.person_id)
            .where(Case.id.in_(case_ids))
        ).all()
        managers = session.execute(
            select(Case.team_id, Case.id, Person.slack_user_id)
            .join(Person, Person.id == Case.manager_id)
            .where(Case.id.in_(case_ids))
        ).all()
        # Looked up by key (the (team, key) index): only the people on the changed cases, not everyone
        # in the workspace who ever opened the tab.
        keys = {f"home:{user}" for _team, _case, user in [*members, *managers]}
        users_home = {
            (team, key.removeprefix("home:"))
            for team, key in session.execute(
                select(ProcessedEvent.team_id, ProcessedEvent.key).where(
                    ProcessedEvent.team_id.in_(teams),
                    ProcessedEvent.key.in_(keys),
                    ProcessedEvent.kind == OPENED,
                )
            ).all()
        }
        pending = {
            (row.team_id, row.payload.get("user_id"))
            for row in session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == OutboxKind.PUBLISH_HOME,
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
            )
        }
        wanted: dict[tuple[str, str], int] = {}
        for team, case_id, user in [*members, *managers]:
            if (team, user) in users_home and (team, user) not in pending:
                wanted.setdefault((team, user), case_id)
        for (team, user), case_id in sorted(wanted.items()):
            repo.enqueue(
                session,
                team_id=team,
                case_id=case_id,
                kind=OutboxKind.PUBLISH_HOME,
                payload={"case_id": case_id, "user_id": user},
                now=now,
            )
            queued += 1
        _mark_refreshed(session, mark, team_id=next(iter(sorted(teams))), now=now)
    return queued


def _mark(session: Session) -> ProcessedEvent | None:
    """The row holding how far refreshes have looked, found by its key through the (team, key) index: a
    look per workspace, where filtering on its kind read every processed event (Slack's event ids
    included) on every pass."""
    return session.scalar(
        select(ProcessedEvent)
        .where(
            ProcessedEvent.team_id.in_(select(Workspace.team_id)),
            ProcessedEvent.key == REFRESH_KEY,
            ProcessedEvent.kind == REFRESHED,
        )
        .order_by(ProcessedEvent.processed_at.desc())
        .limit(1)
    )


def _mark_refreshed(session: Session, mark: ProcessedEvent | None, *, team_id: str, now: datetime) -> None:
    """One row holds how far refreshes have looked (moved on, not added to, each pass)."""
    if mark is None:
        repo.claim_once(session, team_id=team_id, key=REFRESH_KEY, kind=REFRESHED, now=now)
    elif mark.processed_at < now:
        mark.processed_at = now
