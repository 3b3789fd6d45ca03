"""A manager's caseload with history, built directly with the ORM (tests and benchmarks/manager_views.py).

Each case: a lead and a developing co-worker, an agreement, a weekly discussion for `weeks` weeks (every
fifth missed, staggered by case; the rest held, with two replies each, every third summary recorded
late), a fortnightly supervision, an action a fortnight (most done; the newest overdue), a difference of
view and learning entries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from storage.models import (
    ActionStatus,
    Agreement,
    CapturedItem,
    Case,
    CaseMember,
    Discussion,
    DiscussionStatus,
    Experience,
    ItemKind,
    ItemStatus,
    LearningEvidence,
    MemberRole,
    Note,
    NoteAction,
    NoteType,
    Person,
    Role,
    ScheduleItem,
    SlackPost,
    ThreadMessage,
    Workspace,
)
from storage.vocabulary import CaptureKind

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 2 December, 14:00 in Auckland
TEAM = "TDRIFT01"
MANAGER = "UMANAGER1"
RESPONSIBILITIES = {"visits": "lead", "reports": "co_worker", "plans": "shared"}


def person(
    session: Session, slack_id: str, role: Role = Role.MEMBER, tz: str = "Pacific/Auckland", team: str = TEAM
) -> Person:
    found = session.query(Person).filter_by(team_id=team, slack_user_id=slack_id).one_or_none()
    if found:
        return found
    made = Person(team_id=team, slack_user_id=slack_id, role=role, tz=tz)
    session.add(made)
    session.flush()
    return made


def seed(
    session: Session,
    cases: int,
    *,
    weeks: int = 12,
    now: datetime = NOW,
    start: int = 0,
    team: str = TEAM,
    manager_id: str = MANAGER,
) -> list[int]:
    """`cases` open cases managed by `manager_id`, with `weeks` of history before `now`; their ids."""
    if session.get(Workspace, team) is None:
        session.add(Workspace(team_id=team, created_at=now - timedelta(weeks=weeks + 1)))
        session.flush()
    manager = person(session, manager_id, Role.MANAGER, team=team)
    opened = now - timedelta(weeks=weeks, days=1)
    ids = []
    for n in range(start, start + cases):
        lead = person(session, f"ULEAD{n:04d}", team=team)
        dev = person(session, f"UDEV{n:04d}", team=team)
        case = Case(
            team_id=team,
            reference=f"DRIFT-{n:04d}",
            channel_id=f"C{n:08d}",
            thread_ts="1.000001",
            manager_id=manager.id,
            created_at=opened,
        )
        session.add(case)
        session.flush()
        ids.append(case.id)
        session.add_all(
            [
                CaseMember(
                    team_id=team,
                    case_id=case.id,
                    person_id=lead.id,
                    role=MemberRole.LEAD,
                    experience=Experience.EXPERIENCED,
                ),
                CaseMember(
                    team_id=team,
                    case_id=case.id,
                    person_id=dev.id,
                    role=MemberRole.CO_WORKER,
                    experience=Experience.DEVELOPING,
                ),
                SlackPost(
                    team_id=team,
                    case_id=case.id,
                    purpose="card",
                    channel_id=case.channel_id,
                    ts="1.000001",
                    permalink=f"https://example.slack.com/archives/{case.channel_id}/p1000001",
                ),
            ]
        )
        agreement = Agreement(
            team_id=team,
            case_id=case.id,
            version=1,
            created_at=opened,
            created_by_id=manager.id,
            change_reason="",
            reasons=["complexity"],
            responsibilities=RESPONSIBILITIES,
            discussion_frequency="weekly",
            recorder="lead",
            supervision_frequency="fortnightly",
            review_date=(now + timedelta(days=30 - n % 60)).date(),
        )
        session.add(agreement)
        session.flush()
        _history(session, case, agreement, lead, dev, weeks=weeks, now=now, team=team)
    session.flush()
    return ids


def _history(session, case, agreement, lead, dev, *, weeks, now, team) -> None:
    rows: list = []
    note_number = 0
    for week in range(weeks, 0, -1):
        due = now - timedelta(weeks=week)
        n = case.id  # cases differ a little, so a chart of many is not one line drawn many times
        missed = (week + n) % 5 == 0
        rows.append(
            ScheduleItem(
                team_id=team,
                case_id=case.id,
                agreement_id=agreement.id,
                kind=ItemKind.DISCUSSION,
                status=ItemStatus.MISSED if missed else ItemStatus.HELD,
                due_at=due,
                created_at=due - timedelta(weeks=1),
                held_at=None if missed else due,
            )
        )
        if week % 2 == 0:
            rows.append(
                ScheduleItem(
                    team_id=team,
                    case_id=case.id,
                    agreement_id=agreement.id,
                    kind=ItemKind.SUPERVISION,
                    status=ItemStatus.HELD,
                    due_at=due,
                    created_at=due - timedelta(weeks=2),
                    held_at=due,
                )
            )
        if missed:
            continue
        record_due = due + timedelta(days=1)
        recorded = record_due + timedelta(days=2) if (week + n) % 3 == 0 else due + timedelta(hours=3)
        discussion = Discussion(
            team_id=team,
            case_id=case.id,
            status=DiscussionStatus.RECORDED,
            framework="critical_friend",
            seed=week,
            started_by_id=lead.id,
            started_at=due,
            ended_at=due + timedelta(hours=1),
            record_due_at=record_due,
            recorded_at=recorded,
        )
        session.add(discussion)
        session.flush()
        note_number += 1
        note = Note(
            team_id=team,
            case_id=case.id,
            number=note_number,
            note_type=NoteType.DISCUSSION,
            discussion_id=discussion.id,
            event_at=due,
            created_at=recorded,
        )
        session.add(note)
        session.flush()
        for i, author in enumerate((lead, dev)):
            rows.append(
                ThreadMessage(
                    team_id=team,
                    case_id=case.id,
                    discussion_id=discussion.id,
                    channel_id=case.channel_id,
                    ts=f"{int(due.timestamp())}.{case.id:04d}{i}",
                    author_id=author.slack_user_id,
                    text=None,
                    received_at=due + timedelta(minutes=i),
                )
            )
        if week % 2 == 1:  # an action every other week: done a day early, except every third, and the newest
            done = week > 2 and (week + n) % 3 != 0
            rows.append(
                NoteAction(
                    status=ActionStatus.DONE if done else ActionStatus.OPEN,
                    status_at=due + timedelta(days=4) if done else None,
                    team_id=team,
                    case_id=case.id,
                    note_id=note.id,
                    number=1,
                    text="Ring the school",
                    owner_id=dev.slack_user_id,
                    due=(due + timedelta(days=5)).date(),
                    created_at=recorded,
                )
            )
        if week % 6 == 2:
            rows.append(
                LearningEvidence(
                    team_id=team,
                    person_id=dev.id,
                    case_reference=case.reference,
                    note_id=note.id,
                    recorded_at=recorded,
                )
            )
    # A difference of view marked in a discussion still waiting for its summary.
    open_one = Discussion(
        team_id=team,
        case_id=case.id,
        status=DiscussionStatus.WRAPPED,
        framework="critical_friend",
        seed=0,
        started_by_id=lead.id,
        started_at=now - timedelta(days=20),
        ended_at=now - timedelta(days=20),
        record_due_at=now - timedelta(days=19),
    )
    session.add(open_one)
    session.flush()
    rows.append(
        CapturedItem(
            team_id=team,
            case_id=case.id,
            discussion_id=open_one.id,
            key="disagree:1",
            source="prefix",
            kind=CaptureKind.DISAGREE,
            text="We see the risk differently",
            owner_ids=[],
            marked_by=dev.slack_user_id,
            marked_at=now - timedelta(days=20),
        )
    )
    rows.append(
        ScheduleItem(
            team_id=team,
            case_id=case.id,
            agreement_id=agreement.id,
            kind=ItemKind.DISCUSSION,
            status=ItemStatus.SCHEDULED,
            due_at=now + timedelta(days=5),
            created_at=now,
        )
    )
    session.add_all(rows)
