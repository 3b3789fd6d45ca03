"""`/case away <date> [@cover]` and `/case away back`: leave that pauses or redirects reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select

from bot.deps import Deps
from bot.kernel import people, thread
from bot.kernel.rules_dates import DayProblem, parse_day
from bot.kernel.rules_permissions import GUEST_LINE
from bot.kernel.rules_text import mention, user_ids_in
from bot.reminders import flows_schedule as schedule
from storage import repository as repo
from storage.models import CoverApproval, Leave

USAGE = (
    "Use `/case away 2026-12-24` (reminders pause until you're back) or `/case away 2026-12-24 @colleague` "
    "(they receive your reminders meanwhile); `/case away back` when you return."
)
LONGEST = timedelta(days=366)


def reply(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    text = set_leave(deps, client, team_id=body["team_id"], user_id=body["user_id"], args=args)
    # Typed where casebot isn't a member (e.g. a DM with someone else), the answer comes by DM.
    thread.tell(client, body["channel_id"], body["user_id"], text)


def set_leave(deps: Deps, client: WebClient, *, team_id: str, user_id: str, args: tuple[str, ...]) -> str:
    if not args:
        return USAGE
    if args[0].lower() == "back":
        return _end_leave(deps, team_id=team_id, user_id=user_id)
    covers = user_ids_in(" ".join(args))
    day_text = " ".join(a for a in args if not a.startswith("<@"))
    if len(covers) > 1:
        return "Name one colleague to cover your reminders. " + USAGE
    cover = covers[0] if covers else None
    if cover == user_id:
        return "Name a colleague other than yourself to cover, or leave it out to pause your reminders."
    if cover and (problem := _cover_problem(client, cover)):
        return problem
    now = deps.clock()
    with deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=team_id, now=now)
        person = repo.ensure_person(session, team_id=team_id, slack_user_id=user_id)
        today = schedule.today_for(deps, person, now)
        try:
            last_day = parse_day(day_text, today=today)
        except DayProblem as exc:
            return f"{exc} {USAGE}"
        if last_day < today or last_day - today > LONGEST:
            return "Give the last day of your leave: today or later, and within a year."
        _end_current(session, person_id=person.id, today=today)
        cover_person = repo.ensure_person(session, team_id=team_id, slack_user_id=cover) if cover else None
        leave = Leave(
            team_id=team_id,
            person_id=person.id,
            first_day=today,
            last_day=last_day,
            cover_id=cover_person.id if cover_person else None,
            created_at=now,
        )
        session.add(leave)
        session.flush()
        repo.add_audit(
            session,
            team_id=team_id,
            now=now,
            actor=user_id,
            action="leave.set",
            object_type="leave",
            object_id=leave.id,
            detail={"cover": cover},
        )
    until = f"{last_day:%A %d %B %Y}"
    if cover:
        return f"Enjoy your leave. Until {until}, your case reminders go to {mention(cover)}."
    return f"Enjoy your leave. Your case reminders pause until {until} and resume when you're back."


def _cover_problem(client: WebClient, cover: str) -> str | None:
    facts, _tz = people.look_up_users(client, [cover])[cover]
    if not facts.exists or facts.deleted:
        return f"I can't find {mention(cover)} as a current member of this workspace. Name someone else."
    if facts.is_bot:
        return f"{mention(cover)} is an app. Name a colleague to cover your reminders."
    if facts.is_guest:
        return GUEST_LINE.format(who=mention(cover))
    return None


def _end_current(session, *, person_id: int, today) -> int:
    ended = 0
    for span in repo.leave_from(session, person_ids=[person_id], day=today):
        if span.first_day < today:
            span.last_day = today - timedelta(days=1)
        else:
            for approval in session.scalars(select(CoverApproval).where(CoverApproval.leave_id == span.id)):
                session.delete(approval)  # a cover's approval to read notes ends with its leave
            session.flush()
            session.delete(span)
        ended += 1
    return ended


def _end_leave(deps: Deps, *, team_id: str, user_id: str) -> str:
    now = deps.clock()
    with deps.sessions.begin() as session:
        person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
        today = schedule.today_for(deps, person, now)
        if person is None or not _end_current(session, person_id=person.id, today=today):
            return "You're not marked as away, so your reminders already come to you."
        repo.add_audit(
            session,
            team_id=team_id,
            now=now,
            actor=user_id,
            action="leave.end",
            object_type="person",
            object_id=user_id,
        )
    return "Welcome back. Your case reminders come to you again."
