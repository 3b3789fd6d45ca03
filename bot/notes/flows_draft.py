"""What the summary form is pre-filled with: a discussion's facts from the database, drafted.

Reads the questions asked, the replies stored with each and the items marked, and hands them to the
pure drafting (`bot.notes.rules_drafting`), rendered with plain templates (the text goes into text boxes,
where Slack shows it as typed, so it is not Slack-escaped).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capture.rules import Kind
from bot.deps import Deps
from bot.discussions import flows_questions as questions
from bot.kernel import zones
from bot.kernel.blocks_limits import slack_length
from bot.notes import rules_drafting as drafting
from bot.notes import rules_drafting_texts as texts
from bot.notes import rules_sharing
from bot.notes.blocks import ActionRow
from bot.notes.rules_actions import bare_action
from storage import discussions as store
from storage import repository as repo
from storage.models import (
    CaptureKind,
    Case,
    Discussion,
    ItemKind,
    MemberRole,
    ThreadMessage,
)

OFFLINE = "Met outside Slack"

# Lines of the draft that only prompt the recorder ("(nothing recorded yet — …)", "Observed: (what was
# seen …)"): left as they are, they are not part of the note.
_PROMPT_LINE = re.compile(
    r"^(?:(?:Observed|Reported|Judgement): \((?:what|professional)[^()]*\)"
    r"|\((?:nothing recorded yet|none recorded|no focus question was set|not set yet|sorted by casebot)"
    r"[^()]*\))$"
)


def without_prompts(text: str) -> str:
    """The recorder's text without the draft's unfilled prompt lines ("" if nothing else is left)."""
    kept = [line for line in text.splitlines() if not _PROMPT_LINE.match(line.strip())]
    return "\n".join(kept).strip()


def render(deps: Deps) -> drafting.Render:
    return lambda name, context: deps.content.render_plain(name, **context)


def facts(
    deps: Deps,
    session: Session,
    case: Case,
    discussion: Discussion | None,
    *,
    recorder_id: str,
    now: datetime,
) -> drafting.DiscussionFacts:
    roles = roles_of(case)
    members = tuple(m.person.slack_user_id for m in case.members)
    following = repo.open_item_of_kind(session, case_id=case.id, kind=ItemKind.DISCUSSION)
    base: dict[str, Any] = {
        "reference": case.reference,
        "recorder_id": recorder_id,
        "roles": roles,
        "next_discussion": following.due_at if following else None,
    }
    if discussion is None or discussion.mode == "offline":
        started = discussion.started_at if discussion else now
        return drafting.DiscussionFacts(
            framework_name=OFFLINE,
            focus=None,
            started_at=started,
            ended_at=discussion.ended_at if discussion else None,
            participant_ids=members,
            mode="outside Slack",
            **base,
        )
    captured = store.captured(session, discussion_id=discussion.id)
    # A message marked whole (a reaction, the shortcut) is drafted as its item, not again as a reply.
    marked = {item.message_id for item in captured if item.source != "prefix" and item.message_id}
    replies = _replies(session, discussion.id, marked)
    asked = []
    for prompt in store.prompts_of(session, discussion_id=discussion.id):
        title, scaling = questions.heading(deps, discussion.framework, prompt)
        asked.append(
            drafting.QuestionAsked(
                heading=title,
                text=prompt.text,
                replies=tuple(replies.get(prompt.id, ())),
                lens="risk" if scaling else prompt.lens,
            )
        )
    authors = {r.author_id for rs in replies.values() for r in rs}
    items = tuple(
        drafting.Item(
            kind=Kind(item.kind.value),
            text=item.text or "",
            author_id=item.marked_by,
            owner_ids=tuple(item.owner_ids or ()),
            due=item.due,
        )
        for item in captured
        if item.text
    )
    framework = deps.content.banks.frameworks.get(discussion.framework)
    return drafting.DiscussionFacts(
        framework_name=framework.name if framework else discussion.framework,
        focus=discussion.focus,
        started_at=discussion.started_at,
        ended_at=discussion.ended_at,
        participant_ids=members + tuple(sorted(authors - set(members))),
        questions=tuple(asked),
        items=items,
        **base,
    )


def _replies(session: Session, discussion_id: int, marked: set[int]) -> Mapping[int, list[drafting.Reply]]:
    rows = session.scalars(
        select(ThreadMessage)
        .where(
            ThreadMessage.discussion_id == discussion_id,
            ThreadMessage.deleted_at.is_(None),
            ThreadMessage.text.is_not(None),
        )
        .order_by(ThreadMessage.ts)
    ).all()
    found: dict[int, list[drafting.Reply]] = {}
    for row in rows:
        if row.prompt_id is not None and row.text:
            reply = drafting.Reply(row.author_id, row.text, marked=row.id in marked)
            found.setdefault(row.prompt_id, []).append(reply)
    return found


def sharing_entries(facts_: drafting.DiscussionFacts, names: Mapping[str, str]) -> list[dict[str, str]]:
    """Each marked Shared: item read into the fields of an information-sharing decision."""
    short = {user: texts.short_name(name) for user, name in names.items()}
    return [
        rules_sharing.parse_shared(texts.plain(item.text, short))
        for item in facts_.items
        if item.kind == CaptureKind.SHARED.value
    ]


def roles_of(case: Case) -> dict[str, str]:
    """Each member's role in the case, as a note says it."""
    return {
        m.person.slack_user_id: "lead worker" if m.role == MemberRole.LEAD else "co-worker"
        for m in case.members
    }


def action_rows(facts_: drafting.DiscussionFacts, names: Mapping[str, str]) -> list[ActionRow]:
    """Each marked action as a row of the form: what, the first owner named, the date read."""
    short = {user: texts.short_name(name) for user, name in names.items()}
    return [
        ActionRow(
            # The owner and the date have fields of their own: the words say only what is to be done.
            text=_plain_action(
                bare_action(item.text, has_owner=bool(item.owner_ids), has_due=item.due is not None), short
            ),
            owner_id=item.owner_ids[0] if item.owner_ids else None,
            due=item.due,
        )
        for item in facts_.items
        if item.kind == CaptureKind.ACTION.value
    ]


_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def _plain_action(text: str, names: Mapping[str, str]) -> str:
    # The form shows text as typed: Slack's <@U…> and &amp; would appear literally.
    plain = _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    plain = plain[: drafting.MAX_FIELD]
    while slack_length(plain) > drafting.MAX_FIELD:  # Slack counts UTF-16 units: emoji are two
        plain = plain[:-1]
    return plain


def tz_for(deps: Deps, session: Session, case: Case, user_id: str):
    person = repo.get_person(session, team_id=case.team_id, slack_user_id=user_id)
    return zones.zone(deps, person)
