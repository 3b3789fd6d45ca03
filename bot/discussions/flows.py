"""Reflective discussions under way: *Next question*, *Another lens*, *Skip* and *Wrap up*.

Everything lives in the database (the discussion, each question asked and which one is current), so a
discussion can run over days and survive restarts. Buttons carry "discussion:question": a press on a
question that is no longer current changes nothing and says so. Starting one is ``flows_start``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.cases.presenters import recorders_of
from bot.deps import Deps
from bot.discussions import blocks
from bot.discussions import flows_questions as questions
from bot.discussions.flows_start import LINK_WINDOW, start_from_command
from bot.kernel import access, thread
from bot.kernel.rules_text import slack_date
from bot.notes import flows_timeliness as timeliness
from bot.reminders import flows_schedule as schedule
from storage import discussions as store
from storage import repository as repo
from storage.models import (
    CaptureKind,
    Case,
    Discussion,
    DiscussionPrompt,
    DiscussionStatus,
    ItemStatus,
    PromptOutcome,
    ScheduleItem,
)

# Other features start a discussion (the `/case discuss` command) and link a note to the occurrence it
# held (the window) through this module.
__all__ = ["LINK_WINDOW", "move", "start_from_command", "wrap_up"]

STALE = "That question has already moved on. The current one is the latest question in the case thread."
GONE = access.GONE
MOVES = {"next": PromptOutcome.MOVED_ON, "another": PromptOutcome.MOVED_ON, "skip": PromptOutcome.SKIPPED}


def move(deps: Deps, *, team_id: str, user_id: str, value: str, how: str) -> str | None:
    """*Next question*, *Another lens* or *Skip* on the current question."""

    def change(
        session: Session, case: Case, discussion: Discussion, current: DiscussionPrompt, now: datetime
    ):
        current.outcome = MOVES[how]
        questions.refresh(session, case, current, now)
        questions.ask_next(deps, session, case, discussion, how=how, user_id=user_id, now=now)

    return _on_current(deps, team_id, user_id, value, f"discussion.{how}", change)


def wrap_up(deps: Deps, *, team_id: str, user_id: str, value: str) -> str | None:
    def change(
        session: Session, case: Case, discussion: Discussion, current: DiscussionPrompt, now: datetime
    ):
        current.outcome = PromptOutcome.WRAPPED
        discussion.status, discussion.ended_at, discussion.current_prompt_id = (
            DiscussionStatus.WRAPPED,
            now,
            None,
        )
        questions.refresh(session, case, current, now)
        following = _hold_occurrence(deps, session, discussion, now)
        timeliness.start(deps, session, discussion, now)  # its summary is due from now
        counts = {kind.value: 0 for kind in CaptureKind}
        for item in store.captured(session, discussion_id=discussion.id):
            counts[item.kind.value] += 1
        asked = len(store.prompts_of(session, discussion_id=discussion.id))
        text = blocks.wrapped_text(user_id, asked, counts, recorders_of(session, case, discussion))
        if following is not None:
            text += f" The next discussion is planned for {slack_date(following.due_at)}."
        thread.note(session, case, text, now)
        repo.enqueue_card_update(session, case=case, now=now)

    return _on_current(deps, team_id, user_id, value, "discussion.wrap_up", change)


def _hold_occurrence(
    deps: Deps, session: Session, discussion: Discussion, now: datetime
) -> ScheduleItem | None:
    """A wrapped-up discussion holds the occurrence it started from; the next one is planned."""
    item = session.get(ScheduleItem, discussion.schedule_item_id) if discussion.schedule_item_id else None
    if item is None or item.status not in repo.OPEN_ITEM:
        return None
    item.status, item.held_at, item.next_check_at = ItemStatus.HELD, now, None
    return schedule.plan_next(deps, session, item, now)


def _on_current(deps: Deps, team_id: str, user_id: str, value: str, action: str, change) -> str | None:
    discussion_id, _, prompt_id = value.partition(":")
    if not discussion_id.isdigit() or not prompt_id.isdigit():
        return STALE
    now = deps.clock()
    try:
        with deps.sessions.begin() as session:
            discussion = session.get(Discussion, int(discussion_id))
            case = repo.load_case(session, case_id=discussion.case_id) if discussion else None
            if discussion is None or case is None or case.team_id != team_id:
                return GONE
            if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
                return access.deny(
                    session,
                    case,
                    user_id=user_id,
                    action=action,
                    now=now,
                    object_type="discussion",
                    object_id=discussion.id,
                )
            if discussion.status != DiscussionStatus.ACTIVE or discussion.current_prompt_id != int(prompt_id):
                return STALE
            current = session.get(DiscussionPrompt, int(prompt_id))
            assert current is not None
            change(session, case, discussion, current, now)
            access.audit(session, case, user_id, action, discussion.id, now, {"question": current.id})
    except StaleDataError:
        return (
            "Someone else moved the discussion on at the same moment. The latest question is in the thread."
        )
    return None
