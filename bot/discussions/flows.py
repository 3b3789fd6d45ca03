"""Reflective discussions: starting one (command, card or reminder), moving through its questions,
wrapping up, and single questions with `/case ask`.

Everything lives in the database (the discussion, each question asked and which one is current), so a
discussion can run over days and survive restarts. Buttons carry "discussion:question": a press on a
question that is no longer current changes nothing and says so.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.cases.presenters import recorders_for
from bot.deps import Deps
from bot.discussions import blocks
from bot.discussions import flows_questions as questions
from bot.discussions import rules_picker as picker
from bot.discussions.rules_banks import DEFAULT_FRAMEWORK
from bot.ids import Block
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
    Experience,
    ItemKind,
    ItemStatus,
    PromptOutcome,
    ScheduleItem,
)

USAGE_DISCUSS = "Use `/case discuss [REF] [framework]`, e.g. `/case discuss CASE-1 gibbs`."
STALE = "That question has already moved on. The current one is the latest question in the case thread."
UNDER_WAY = (
    "A reflective discussion is already under way in the case thread. Carry on there, or press "
    "*Wrap up* on its current question before starting another."
)
GONE = access.GONE
# A scheduled discussion this close (or already due) is the one being held when a discussion starts.
LINK_WINDOW = timedelta(days=2)
MOVES = {"next": PromptOutcome.MOVED_ON, "another": PromptOutcome.MOVED_ON, "skip": PromptOutcome.SKIPPED}


# ---------------------------------------------------------------- starting


def start_from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    now = deps.clock()
    team_id, user_id = body["team_id"], body["user_id"]
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=body["channel_id"], words=args, usage=USAGE_DISCUSS
        )
        problem, framework = found.problem, DEFAULT_FRAMEWORK
        if found.case is not None and found.rest:
            framework = picker.framework_from_text(" ".join(found.rest), deps.content.banks) or ""
            if not framework:
                problem = _unknown_framework(deps, " ".join(found.rest))
        if found.case is not None and problem is None:
            problem = _refusal(deps, session, found.case, user_id=user_id, now=now)
        context = blocks.StartContext(found.case.id) if found.case else None
        reference = found.case.reference if found.case else ""
    if problem or context is None:
        thread.tell(client, body["channel_id"], user_id, problem or USAGE_DISCUSS)
        return
    _open_modal(deps, client, body["trigger_id"], reference, framework, context)


def start_from_card(deps: Deps, client: WebClient, body: dict[str, Any], case_id: str) -> None:
    def found(session: Session) -> tuple[Case | None, str | None]:
        return (repo.load_case(session, case_id=int(case_id)) if case_id.isdigit() else None), None

    _start_from_button(deps, client, body, found, item_value=None)


def start_from_reminder(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> None:
    """The reminder's *Start now*: the same discussion, tied to the reminded occurrence."""

    def found(session: Session) -> tuple[Case | None, str | None]:
        item_id, _, _round = value.partition(":")
        item = session.get(ScheduleItem, int(item_id)) if item_id.isdigit() else None
        case = repo.load_case(session, case_id=item.case_id) if item else None
        if case is not None and _still_open(session, value) is None:
            return case, "That reminder has already been dealt with. The latest one is in the case thread."
        return case, None

    _start_from_button(deps, client, body, found, item_value=value)


def _start_from_button(
    deps: Deps,
    client: WebClient,
    body: dict[str, Any],
    found: Callable[[Session], tuple[Case | None, str | None]],
    *,
    item_value: str | None,
) -> None:
    """A *Start* button (on the card, or on a reminder): the start modal opens, unless the case is gone,
    the reminder overtaken (`found` says why), the person may not start one, or one is under way."""
    now = deps.clock()
    user_id = body["user"]["id"]
    with deps.sessions.begin() as session:
        case, stale = found(session)
        if case is None or case.team_id != body["team"]["id"]:
            problem: str | None = GONE
        else:
            problem = stale or _refusal(deps, session, case, user_id=user_id, now=now)
        reference = case.reference if case else ""
    if problem or case is None:
        thread.tell(client, body["channel"]["id"], user_id, problem or GONE)
        return
    context = blocks.StartContext(case.id, item_value=item_value)
    _open_modal(deps, client, body["trigger_id"], reference, DEFAULT_FRAMEWORK, context)


def _refusal(deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime) -> str | None:
    if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
        return access.deny(session, case, user_id=user_id, action="discussion.start", now=now)
    if store.active_discussion(session, case_id=case.id) is not None:
        return UNDER_WAY
    return None


def _unknown_framework(deps: Deps, text: str) -> str:
    names = ", ".join(f"`{fid}`" for fid in deps.content.banks.frameworks)
    return f"I don't know a framework called {text[:40]!r}. Choose one of {names}. {USAGE_DISCUSS}"


def _open_modal(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    reference: str,
    framework: str,
    context: blocks.StartContext,
) -> None:
    frameworks = {fid: f.name for fid, f in deps.content.banks.frameworks.items()}
    client.views_open(
        trigger_id=trigger_id,
        view=blocks.start_modal(
            reference=reference, frameworks=frameworks, chosen=framework, context_=context
        ),
    )


def submit_start(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    """Field errors for the start modal, or None once the discussion has started (or already had)."""
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    context = blocks.StartContext.loads(view.get("private_metadata"))
    focus, framework = blocks.read_start(view["state"]["values"])
    if context is None:
        return {Block.FRAMEWORK: "This form has expired. Close it and start the discussion again."}
    if framework not in deps.content.banks.frameworks:
        return {Block.FRAMEWORK: "Choose one of the frameworks in the list."}
    if len(focus) > blocks.FOCUS_MAX:
        return {Block.FOCUS: f"Keep the focus question under {blocks.FOCUS_MAX} characters."}
    now = deps.clock()
    try:
        with deps.sessions.begin() as session:
            case = repo.load_case(session, case_id=context.case_id)
            if case is None or case.team_id != team_id or case.status.value != "open":
                return {Block.FRAMEWORK: "This case is closed or no longer exists."}
            if refusal := _refusal(deps, session, case, user_id=user_id, now=now):
                return {Block.FRAMEWORK: refusal}
            if not repo.claim_once(
                session, team_id=team_id, key=f"discussion.start:{view['id']}", kind="view", now=now
            ):
                return None  # a double submission: the first one started it
            _start(
                deps,
                session,
                case,
                user_id=user_id,
                focus=focus,
                framework=framework,
                item_value=context.item_value,
                now=now,
            )
    except StaleDataError:
        return {Block.FRAMEWORK: "The schedule changed at the same moment. Please press Start again."}
    return None


def _start(
    deps: Deps,
    session: Session,
    case: Case,
    *,
    user_id: str,
    focus: str,
    framework: str,
    item_value: str | None,
    now: datetime,
) -> Discussion:
    starter = repo.ensure_person(session, team_id=case.team_id, slack_user_id=user_id)
    count = store.discussion_count(session, case_id=case.id)
    item = _occurrence(session, case, item_value, now)
    if item is not None and item.status == ItemStatus.SCHEDULED:
        item.status, item.started_at = ItemStatus.STARTED, now
    discussion = Discussion(
        team_id=case.team_id,
        case_id=case.id,
        schedule_item_id=item.id if item else None,
        status=DiscussionStatus.ACTIVE,
        framework=framework,
        focus=focus or None,
        # Deterministic, so the same case history always gives the same questions (and tests can say so).
        # 31 bits: it is stored in an INTEGER column, which PostgreSQL keeps signed.
        seed=zlib.crc32(f"{case.id}:{count + 1}".encode()) & 0x7FFFFFFF,
        started_by_id=starter.id,
        started_at=now,
    )
    session.add(discussion)
    session.flush()
    chosen = deps.content.banks.frameworks[framework]
    thread.note(session, case, blocks.started_text(user_id, chosen.name, focus or None, chosen.roles), now)
    _ask(deps, session, case, discussion, how="next", user_id=user_id, now=now)
    access.audit(session, case, user_id, "discussion.start", discussion.id, now, {"framework": framework})
    repo.enqueue_card_update(session, case=case, now=now)
    return discussion


def _occurrence(session: Session, case: Case, item_value: str | None, now: datetime) -> ScheduleItem | None:
    """The scheduled discussion this one holds: the reminded one, or the case's next if it is (nearly) due."""
    if item_value:
        item = _still_open(session, item_value)
        return item if item is not None and item.case_id == case.id else None
    item = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.DISCUSSION)
    return item if item is not None and item.due_at <= now + LINK_WINDOW else None


def _still_open(session: Session, item_value: str) -> ScheduleItem | None:
    """The item a reminder's "item:round" names, if that round is still the open one."""
    item_id, _, round_text = item_value.partition(":")
    item = session.get(ScheduleItem, int(item_id)) if item_id.isdigit() else None
    if item is None or str(item.round) != round_text or item.status not in repo.OPEN_ITEM:
        return None
    return item


# ---------------------------------------------------------------- moving through it


def move(deps: Deps, *, team_id: str, user_id: str, value: str, how: str) -> str | None:
    """*Next question*, *Another lens* or *Skip* on the current question."""

    def change(
        session: Session, case: Case, discussion: Discussion, current: DiscussionPrompt, now: datetime
    ):
        current.outcome = MOVES[how]
        questions.refresh(session, case, current, now)
        _ask(deps, session, case, discussion, how=how, user_id=user_id, now=now)

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
        text = blocks.wrapped_text(user_id, asked, counts, recorders(session, case, discussion))
        if following is not None:
            text += f" The next discussion is planned for {slack_date(following.due_at)}."
        thread.note(session, case, text, now)
        repo.enqueue_card_update(session, case=case, now=now)

    return _on_current(deps, team_id, user_id, value, "discussion.wrap_up", change)


def recorders(session: Session, case: Case, discussion: Discussion) -> tuple[str, ...]:
    """Who the agreement expects to record this discussion (taking turns counts the case's discussions)."""
    return recorders_for(session, case, store.discussion_count(session, case_id=case.id, up_to=discussion.id))


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


def _ask(
    deps: Deps, session: Session, case: Case, discussion: Discussion, *, how: str, user_id: str, now: datetime
) -> DiscussionPrompt:
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
    )
    banks = deps.content.banks
    pick = (
        picker.another_lens(banks, situation) if how == "another" else picker.next_question(banks, situation)
    )
    prompt = questions.add(
        session, case, pick, discussion_id=discussion.id, position=len(asked) + 1, user_id=user_id, now=now
    )
    discussion.current_prompt_id = prompt.id
    return prompt


def _framework_id(deps: Deps, framework: str) -> str:
    # An organisation may have removed a framework since this discussion began: carry on with the default.
    return framework if framework in deps.content.banks.frameworks else DEFAULT_FRAMEWORK
