"""The questions casebot asks in a case thread: one row each, posted and re-rendered by the outbox.

A question in a discussion is asked by the discussions flow; `/case ask` and the card's *Ask a
question* post a single one outside any discussion. Either way the row records the bank question, so
the picker never repeats it in the case's next discussions.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.discussions import blocks
from bot.discussions import rules_picker as picker
from bot.discussions.rules_banks import DEFAULT_FRAMEWORK, LENS_TITLES, Stage
from bot.discussions.rules_banks_vocabulary import in_words
from bot.kernel import access
from storage import discussions as store
from storage import repository as repo
from storage.models import (
    Case,
    CaseStatus,
    Discussion,
    DiscussionPrompt,
    DiscussionStatus,
    Experience,
    OutboxKind,
    PromptOutcome,
    ThreadMessage,
)

USAGE = "Use `/case ask [REF] [lens]`, e.g. `/case ask CASE-1 risk`."


def add(
    deps: Deps,
    session: Session,
    case: Case,
    pick: picker.Pick,
    *,
    discussion_id: int | None,
    position: int,
    user_id: str,
    now: datetime,
) -> DiscussionPrompt:
    """Record the picked question, in the organisation's words, and queue its post in the case thread."""
    prompt = DiscussionPrompt(
        team_id=case.team_id,
        case_id=case.id,
        discussion_id=discussion_id,
        position=position,
        question_id=pick.question_id,
        stage_id=pick.stage_id,
        lens=pick.lens,
        reason=pick.reason[:40],
        text=in_words(pick.text, deps.content.banks.vocabulary),
        outcome=PromptOutcome.CURRENT if discussion_id else PromptOutcome.SINGLE,
        asked_by=user_id,
        asked_at=now,
    )
    session.add(prompt)
    session.flush()
    _queue(session, case, OutboxKind.POST_PROMPT, prompt, now)
    return prompt


def refresh(session: Session, case: Case, prompt: DiscussionPrompt, now: datetime) -> None:
    """Re-render a posted question in place (e.g. its buttons go once the discussion moves on)."""
    _queue(session, case, OutboxKind.UPDATE_PROMPT, prompt, now)


def _queue(session: Session, case: Case, kind: OutboxKind, prompt: DiscussionPrompt, now: datetime) -> None:
    repo.enqueue(
        session, team_id=case.team_id, case_id=case.id, kind=kind, payload={"prompt_id": prompt.id}, now=now
    )


# ---------------------------------------------------------------- in a discussion


def ask_next(
    deps: Deps, session: Session, case: Case, discussion: Discussion, *, how: str, user_id: str, now: datetime
) -> DiscussionPrompt:
    """Pick the discussion's next question (or one from another lens), record it and make it current."""
    asked = store.prompts_of(session, discussion_id=discussion.id)
    recent, lenses = store.case_history(session, case_id=case.id, excluding=discussion.id)
    situation = picker.Situation(
        framework_id=_framework_id(deps, discussion.framework),
        asked=tuple(
            picker.Asked(p.question_id, p.stage_id, p.lens, skipped=p.outcome == PromptOutcome.SKIPPED)
            for p in asked
        ),
        recent_question_ids=recent,
        lenses_in_case=lenses,
        has_developing_worker=any(m.experience == Experience.DEVELOPING for m in case.members),
        seed=discussion.seed,
        has_focus=bool(discussion.focus),
        scores_given=scores_given(session, discussion),
    )
    banks = deps.content.banks
    pick = (
        picker.another_lens(banks, situation) if how == "another" else picker.next_question(banks, situation)
    )
    prompt = add(
        deps,
        session,
        case,
        pick,
        discussion_id=discussion.id,
        position=len(asked) + 1,
        user_id=user_id,
        now=now,
    )
    discussion.current_prompt_id = prompt.id
    return prompt


def scores_given(session: Session, discussion: Discussion) -> bool:
    """Whether a reply in this discussion gave a 0-10 number (a question comparing numbers needs one)."""
    replies = session.scalars(
        select(ThreadMessage.text).where(
            ThreadMessage.discussion_id == discussion.id, ThreadMessage.deleted_at.is_(None)
        )
    )
    return any(picker.gives_a_score(text or "") for text in replies)


def _framework_id(deps: Deps, framework: str) -> str:
    # An organisation may have removed a framework since this discussion began: carry on with the default.
    return framework if framework in deps.content.banks.frameworks else DEFAULT_FRAMEWORK


# ---------------------------------------------------------------- a single question


def ask(deps: Deps, *, team_id: str, user_id: str, channel_id: str, args: tuple[str, ...]) -> str:
    """`/case ask [REF] [lens]`: one question in the case thread, outside a discussion."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=args, usage=USAGE
        )
        if found.case is None:
            return found.problem or USAGE
        return _single(deps, session, found.case, user_id=user_id, lens=" ".join(found.rest) or None, now=now)


def ask_from_card(deps: Deps, *, team_id: str, user_id: str, case_id: str) -> str:
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=int(case_id)) if case_id.isdigit() else None
        if case is None or case.team_id != team_id:
            return access.GONE
        if case.status != CaseStatus.OPEN:  # *Ask a question* on an old card of a closed case
            return access.closed_line(case.reference)
        return _single(deps, session, case, user_id=user_id, lens=None, now=now)


def _single(
    deps: Deps, session: Session, case: Case, *, user_id: str, lens: str | None, now: datetime
) -> str:
    if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
        return access.deny(session, case, user_id=user_id, action="question.ask", now=now)
    recent, _lenses = store.case_history(session, case_id=case.id)
    try:
        pick = picker.one_question(
            deps.content.banks,
            lens=lens,
            recent_question_ids=recent,
            seed=zlib.crc32(f"{case.id}:{now.isoformat()}".encode()),
        )
    except ValueError as exc:
        return f"{exc} {USAGE}"
    prompt = add(deps, session, case, pick, discussion_id=None, position=0, user_id=user_id, now=now)
    access.audit(session, case, user_id, "question.ask", None, now, {"question": prompt.id})
    return "I've posted a question in the case thread."


def prompt_view(deps: Deps, session: Session, case: Case, prompt: DiscussionPrompt) -> blocks.PromptView:
    discussion = session.get(Discussion, prompt.discussion_id) if prompt.discussion_id else None
    stage = _stage(deps, discussion.framework if discussion else None, prompt.stage_id)
    developing = tuple(m.person.slack_user_id for m in case.members if m.experience == Experience.DEVELOPING)
    replies = store.reply_counts(session, discussion_id=discussion.id).get(prompt.id, 0) if discussion else 0
    return blocks.PromptView(
        discussion_id=discussion.id if discussion else None,
        prompt_id=prompt.id,
        number=prompt.position,
        text=prompt.text,
        heading=_heading(deps, stage, prompt),
        coworker_ids=tuple(m.person.slack_user_id for m in case.members),
        for_ids=developing if prompt.reason == "learning" else (),
        current=bool(
            discussion
            and discussion.status == DiscussionStatus.ACTIVE
            and discussion.current_prompt_id == prompt.id
        ),
        outcome=prompt.outcome.value,
        replies=replies,
        first=prompt.position == 1,
        scaling=bool(stage and stage.scaling),
        asked_by=prompt.asked_by if discussion is None else None,
    )


def heading(deps: Deps, framework: str | None, prompt: DiscussionPrompt) -> tuple[str, bool]:
    """A question's heading (its stage, else its lens) and whether it is a 0-10 scaling stage."""
    stage = _stage(deps, framework, prompt.stage_id)
    return _heading(deps, stage, prompt), bool(stage and stage.scaling)


def _heading(deps: Deps, stage: Stage | None, prompt: DiscussionPrompt) -> str:
    title = stage.title if stage else LENS_TITLES.get(prompt.lens or "", "Reflective question")
    return in_words(title, deps.content.banks.vocabulary)


def _stage(deps: Deps, framework: str | None, stage_id: str | None) -> Stage | None:
    chosen = deps.content.banks.frameworks.get(framework or "")
    if chosen is None or stage_id is None:
        return None
    return next((s for s in chosen.stages if s.id == stage_id), None)
