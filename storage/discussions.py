"""Queries for discussions, the questions asked, the thread messages stored and what was captured."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from storage.models import (
    CapturedItem,
    Case,
    CaseMember,
    CaseStatus,
    Discussion,
    DiscussionPrompt,
    DiscussionStatus,
    ThreadMessage,
)

RECENT_DISCUSSIONS = 3  # a bank question used in any of these is not asked again


def open_cases_in_channel(session: Session, *, team_id: str, channel_id: str) -> Sequence[Case]:
    return session.scalars(
        select(Case)
        .where(Case.team_id == team_id, Case.channel_id == channel_id, Case.status == CaseStatus.OPEN)
        .order_by(Case.id)
    ).all()


def case_of_thread(session: Session, *, team_id: str, channel_id: str, thread_ts: str | None) -> Case | None:
    if not thread_ts:
        return None
    return session.scalar(
        select(Case)
        .where(
            Case.team_id == team_id,
            Case.channel_id == channel_id,
            Case.thread_ts == thread_ts,
            Case.status == CaseStatus.OPEN,
        )
        # Who may take part is read for every reply: the members and the manager come with the case.
        .options(selectinload(Case.members).selectinload(CaseMember.person), joinedload(Case.manager))
    )


def current_discussion(session: Session, *, case_id: int) -> Discussion | None:
    """The discussion captures go to: the one under way, or the latest wrapped one not yet recorded."""
    return session.scalar(
        select(Discussion)
        .where(
            Discussion.case_id == case_id,
            Discussion.status.in_((DiscussionStatus.ACTIVE, DiscussionStatus.WRAPPED)),
        )
        .order_by(Discussion.id.desc())
        .limit(1)
    )


def active_discussion(session: Session, *, case_id: int) -> Discussion | None:
    return session.scalar(
        select(Discussion).where(Discussion.case_id == case_id, Discussion.status == DiscussionStatus.ACTIVE)
    )


def prompts_of(session: Session, *, discussion_id: int) -> Sequence[DiscussionPrompt]:
    return session.scalars(
        select(DiscussionPrompt)
        .where(DiscussionPrompt.discussion_id == discussion_id)
        .order_by(DiscussionPrompt.position)
    ).all()


def discussion_count(session: Session, *, case_id: int, up_to: int | None = None) -> int:
    """How many discussions the case has had (up to and including discussion `up_to`)."""
    query = select(func.count()).select_from(Discussion).where(Discussion.case_id == case_id)
    if up_to is not None:
        query = query.where(Discussion.id <= up_to)
    return session.scalar(query) or 0


def discussion_ids(session: Session, *, case_id: int) -> list[int]:
    """The case's discussion ids, oldest first: discussion number n (counting from 1) is ids[n - 1]."""
    return list(
        session.scalars(select(Discussion.id).where(Discussion.case_id == case_id).order_by(Discussion.id))
    )


def case_history(
    session: Session, *, case_id: int, excluding: int | None = None
) -> tuple[frozenset[str], frozenset[str]]:
    """Question ids used in the case's last three discussions (and single questions asked since the
    first of them), and every lens the case has been asked about, leaving out `excluding`."""
    earlier = select(Discussion.id, Discussion.started_at).where(Discussion.case_id == case_id)
    if excluding is not None:
        earlier = earlier.where(Discussion.id != excluding)
    recent = session.execute(earlier.order_by(Discussion.id.desc()).limit(RECENT_DISCUSSIONS)).all()
    recent_ids = {row.id for row in recent}
    since = min(row.started_at for row in recent) if len(recent) == RECENT_DISCUSSIONS else None
    rows = session.execute(
        select(
            DiscussionPrompt.discussion_id,
            DiscussionPrompt.question_id,
            DiscussionPrompt.lens,
            DiscussionPrompt.asked_at,
        ).where(DiscussionPrompt.case_id == case_id)
    ).all()
    used: set[str] = set()
    lenses: set[str] = set()
    for discussion_id, question_id, lens, asked_at in rows:
        if excluding is not None and discussion_id == excluding:
            continue
        if lens:
            lenses.add(lens)
        if discussion_id is None:
            in_recent = since is None or asked_at >= since
        else:
            in_recent = discussion_id in recent_ids
        if question_id and in_recent:
            used.add(question_id)
    return frozenset(used), frozenset(lenses)


def reply_counts(session: Session, *, discussion_id: int) -> dict[int, int]:
    rows = session.execute(
        select(ThreadMessage.prompt_id, func.count())
        .where(ThreadMessage.discussion_id == discussion_id, ThreadMessage.deleted_at.is_(None))
        .group_by(ThreadMessage.prompt_id)
    ).all()
    return {prompt_id: n for prompt_id, n in rows if prompt_id is not None}


def thread_message(session: Session, *, team_id: str, channel_id: str, ts: str) -> ThreadMessage | None:
    return session.scalar(
        select(ThreadMessage).where(
            ThreadMessage.team_id == team_id, ThreadMessage.channel_id == channel_id, ThreadMessage.ts == ts
        )
    )


def items_of_message(session: Session, *, message_id: int) -> Sequence[CapturedItem]:
    return session.scalars(
        select(CapturedItem).where(CapturedItem.message_id == message_id).order_by(CapturedItem.id)
    ).all()


def captured(
    session: Session, *, discussion_id: int, include_withdrawn: bool = False
) -> Sequence[CapturedItem]:
    query = select(CapturedItem).where(CapturedItem.discussion_id == discussion_id)
    if not include_withdrawn:
        query = query.where(CapturedItem.withdrawn_at.is_(None))
    return session.scalars(query.order_by(CapturedItem.id)).all()


def item_by_key(session: Session, *, discussion_id: int, key: str) -> CapturedItem | None:
    return session.scalar(
        select(CapturedItem).where(CapturedItem.discussion_id == discussion_id, CapturedItem.key == key)
    )


def discussion_holding(session: Session, *, item_id: int) -> Discussion | None:
    """The latest discussion that held scheduled occurrence `item_id`."""
    return session.scalar(
        select(Discussion)
        .where(Discussion.schedule_item_id == item_id)
        .order_by(Discussion.id.desc())
        .limit(1)
    )


def reply_authors(session: Session, *, discussion_id: int) -> list[str]:
    """Everyone whose reply is stored for the discussion (deleted replies included: they took part)."""
    return sorted(
        set(
            session.scalars(
                select(ThreadMessage.author_id).where(ThreadMessage.discussion_id == discussion_id)
            )
        )
    )
