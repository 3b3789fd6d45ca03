"""Starting a reflective discussion: from `/case discuss`, the card's button or a reminder's *Start now*,
through the start form, to the opening post and the first question in the case thread.

The opening post asks people to describe relationships, not names (``blocks.started_text``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.deps import Deps
from bot.discussions import blocks
from bot.discussions import flows_questions as questions
from bot.discussions.rules_banks import DEFAULT_FRAMEWORK
from bot.discussions.rules_picker_text import framework_from_text
from bot.ids import Block
from bot.kernel import access, thread
from bot.kernel.rules_text import slack_escape
from storage import discussions as store
from storage import repository as repo
from storage.models import Case, CaseStatus, Discussion, DiscussionStatus, ItemKind, ItemStatus, ScheduleItem

USAGE_DISCUSS = "Use `/case discuss [REF] [framework]`, e.g. `/case discuss CASE-1 gibbs`."
UNDER_WAY = (
    "A reflective discussion is already under way in the case thread. Carry on there, or press "
    "*Wrap up* on its current question before starting another."
)
GONE = access.GONE
# A scheduled discussion this close (or already due) is the one being held when a discussion starts.
LINK_WINDOW = timedelta(days=2)


def start_from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    now = deps.clock()
    team_id, user_id = body["team_id"], body["user_id"]
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=body["channel_id"], words=args, usage=USAGE_DISCUSS
        )
        problem, framework = found.problem, DEFAULT_FRAMEWORK
        if found.case is not None and found.rest:
            framework = framework_from_text(" ".join(found.rest), deps.content.banks) or ""
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
    if case.status != CaseStatus.OPEN:  # a Start button on an old message of a closed case
        return access.closed_line(case.reference)
    if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
        return access.deny(session, case, user_id=user_id, action="discussion.start", now=now)
    if store.active_discussion(session, case_id=case.id) is not None:
        return UNDER_WAY
    return None


def _unknown_framework(deps: Deps, text: str) -> str:
    names = ", ".join(f"`{fid}`" for fid in deps.content.banks.frameworks)
    typed = slack_escape(text[:40])  # echoed as mrkdwn: `<!channel>` typed must stay literal
    return f"I don't know a framework called '{typed}'. Choose one of {names}. {USAGE_DISCUSS}"


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
    questions.ask_next(deps, session, case, discussion, how="next", user_id=user_id, now=now)
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
