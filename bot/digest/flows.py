"""The weekly digest by DM to each manager with open cases: what changed, drift signals, what is due,
and a chart of the last 12 weeks uploaded with files upload v2 (alt text says the same in words).

Exactly once per manager per week across restarts and replicas: a FollowUpClaim (subject "digest",
the manager, round = the ISO week of the digest moment) is committed before the upload, so a second
sweeper loses on the unique key. After downtime only the latest week's moment is claimed. If the upload
fails the claim is withdrawn and a later pass tries again. `/case digest off` is remembered as a
ProcessedEvent row (kind "digest_off"); `on` deletes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.deps import Deps, NotInstalled
from bot.digest import chart
from bot.digest.blocks import NextWeek, ThisWeek, digest_text
from bot.digest.rules import Due, Planned, Recorded, alt_text, latest_due, parse_at, week_key, weeks
from bot.drift import flows as drift
from bot.kernel.rules_working_time import next_working_moment
from bot.reminders.flows_schedule import calendar
from storage import repository as repo
from storage.models import (
    ActionStatus,
    Case,
    CaseStatus,
    Discussion,
    FollowUpClaim,
    ItemKind,
    ItemStatus,
    NoteAction,
    Person,
    ProcessedEvent,
    Role,
    ScheduleItem,
)

log = logging.getLogger(__name__)
SUBJECT = "digest"
OFF = "digest_off"
NO_CASES = "You manage no open cases, so there is no digest to send."


@dataclass(frozen=True)
class Digest:
    text: str
    png: bytes
    alt: str
    filename: str


def _off_key(user_id: str) -> str:
    return f"digest-off:{user_id}"


def build(session: Session, deps: Deps, person: Person, *, now: datetime) -> Digest | None:
    """The digest for the week ending `now`; None for a manager with no open cases."""
    cases = drift.cases_for(session, team_id=person.team_id, person=person, managed=True)
    if not cases:
        return None
    ids = [c.id for c in cases]
    since = now - timedelta(weeks=12)
    items = session.execute(
        select(ScheduleItem.kind, ScheduleItem.status, ScheduleItem.due_at).where(
            ScheduleItem.case_id.in_(ids),
            ScheduleItem.due_at >= since,
            ScheduleItem.due_at < now + timedelta(days=7),
            ScheduleItem.status != ItemStatus.CANCELLED,
        )
    ).all()
    summaries = session.execute(
        select(Discussion.record_due_at, Discussion.recorded_at).where(
            Discussion.case_id.in_(ids), Discussion.record_due_at >= since
        )
    ).all()
    actions = session.execute(
        select(NoteAction.due, NoteAction.status, NoteAction.status_at).where(
            NoteAction.case_id.in_(ids),
            NoteAction.due >= since.date(),
            NoteAction.due < (now + timedelta(days=7)).date(),
        )
    ).all()
    past = [(k, s, d) for k, s, d in items if d < now]
    series = weeks(
        now,
        [Planned(d, s == ItemStatus.HELD) for k, s, d in past if k == ItemKind.DISCUSSION],
        [Recorded(due, at) for due, at in summaries if due is not None],
        [Due(due, status == ActionStatus.DONE) for due, status, _ in actions if due and due < now.date()],
    )
    week_ago = now - timedelta(days=7)
    upcoming = [(k, s) for k, s, d in items if d >= now and s in (ItemStatus.SCHEDULED, ItemStatus.STARTED)]
    this = ThisWeek(
        held=sum(
            1 for k, s, d in past if k == ItemKind.DISCUSSION and s == ItemStatus.HELD and d >= week_ago
        ),
        notes=sum(1 for _, at in summaries if at is not None and at >= week_ago),
        actions_done=sum(
            1 for _, s, at in actions if s == ActionStatus.DONE and at is not None and at >= week_ago
        ),
    )
    nxt = NextWeek(
        discussions=sum(1 for k, _ in upcoming if k == ItemKind.DISCUSSION),
        supervisions=sum(1 for k, _ in upcoming if k == ItemKind.SUPERVISION),
        reviews=sum(1 for k, _ in upcoming if k == ItemKind.REVIEW),
        actions=sum(1 for due, s, _ in actions if due and due >= now.date() and s == ActionStatus.OPEN),
    )
    found = drift.drift_for(
        session, cases, now=now, thresholds=drift.thresholds(deps), default_tz=deps.settings.default_timezone
    )
    local = now.astimezone(ZoneInfo(person.tz or deps.settings.default_timezone))
    text = digest_text(
        cases=len(cases),
        week_to=f"{local:%a} {local.day} {local:%b %Y}",
        this=this,
        nxt=nxt,
        drifts=found,
        latest=series[-1],
    )
    return Digest(
        text=text,
        png=chart.render_png(series, cases=len(cases)),
        alt=alt_text(series, len(cases))[:1000],
        filename=f"casebot-digest-{now:%Y-%m-%d}.png",
    )


def send(client: WebClient, user_id: str, digest: Digest) -> None:
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=dm,
        content=digest.png,
        filename=digest.filename,
        title="Co-working health, last 12 weeks",
        alt_txt=digest.alt,
        initial_comment=digest.text,
    )


Clients = WebClient | Callable[[str], WebClient]


def _client(clients: Clients, team_id: str) -> WebClient:
    return clients if isinstance(clients, WebClient) else clients(team_id)


def sweep(deps: Deps, clients: Clients) -> int:
    """Send each manager's digest once for the latest week whose moment has passed; how many were sent."""
    now = deps.clock()
    weekday, at = parse_at(deps.settings.digest_at)
    with deps.sessions.begin() as session:
        managers = session.scalars(
            select(Person).where(
                Person.id.in_(select(Case.manager_id).where(Case.status == CaseStatus.OPEN)),
                Person.deactivated.is_(False),
            )
        ).all()
        off = set(
            session.execute(
                select(ProcessedEvent.team_id, ProcessedEvent.key).where(ProcessedEvent.kind == OFF)
            )
        )
        wanted = {}
        for m in managers:
            if (m.team_id, _off_key(m.slack_user_id)) in off:
                continue
            moment = latest_due(now, m.tz or deps.settings.default_timezone, weekday, at)
            # A moment outside the manager's working time (a weekend, a public holiday, before hours)
            # waits for the start of their next working window.
            if next_working_moment(calendar(deps, m), moment) <= now:
                wanted[m.id] = (m, week_key(moment))
        claimed = set(
            session.execute(
                select(FollowUpClaim.subject_id, FollowUpClaim.round).where(
                    FollowUpClaim.subject == SUBJECT,
                    FollowUpClaim.subject_id.in_(list(wanted) or [-1]),
                )
            )
        )
        due = [(m.team_id, m.slack_user_id, m.id, r) for m, r in wanted.values() if (m.id, r) not in claimed]
    sent = 0
    for team_id, user_id, person_id, round_ in due:
        with deps.sessions.begin() as session:
            claim = FollowUpClaim(
                team_id=team_id,
                subject=SUBJECT,
                subject_id=person_id,
                level=0,
                round=round_,
                claimed_at=now,
                recipients=[user_id],
            )
            if not repo.insert_once(session, claim):
                continue  # another sweeper has it
        if _deliver(deps, clients, team_id=team_id, user_id=user_id, now=now):
            sent += 1
        else:
            with deps.sessions.begin() as session:
                session.execute(
                    delete(FollowUpClaim).where(
                        FollowUpClaim.subject == SUBJECT,
                        FollowUpClaim.subject_id == person_id,
                        FollowUpClaim.round == round_,
                    )
                )
    return sent


def _deliver(deps: Deps, clients: Clients, *, team_id: str, user_id: str, now: datetime) -> bool:
    with deps.reads.begin() as session:
        person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
        digest = build(session, deps, person, now=now) if person else None
    if digest is None:
        return True  # nothing to send (the last case closed meanwhile): the week is done
    try:
        send(_client(clients, team_id), user_id, digest)
    except NotInstalled:
        return True  # the team uninstalled casebot: nothing is sent there, and the week is done
    except (SlackClientError, OSError) as exc:
        log.warning("weekly digest not delivered", extra={"user_id": user_id, "error": type(exc).__name__})
        return False
    log.info("weekly digest sent", extra={"user_id": user_id})
    return True


USAGE = "Use `/case digest off`, `/case digest on` or `/case digest now`."


def command(deps: Deps, *, team_id: str, user_id: str, args: tuple[str, ...]) -> tuple[str, bool]:
    """What `/case digest ...` answers, and whether to send one now (after the ack)."""
    word = args[0].lower() if len(args) == 1 else ""
    if word not in {"off", "on", "now"}:
        return USAGE, False
    now = deps.clock()
    with deps.sessions.begin() as session:
        person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
        if person is None or person.role not in (Role.MANAGER, Role.ADMIN):
            return "The weekly digest is for managers: it covers the cases they manage.", False
        if word == "off":
            repo.claim_once(session, team_id=team_id, key=_off_key(user_id), kind=OFF, now=now)
            return "Your weekly digest is off. `/case digest on` turns it back on.", False
        if word == "on":
            session.execute(
                delete(ProcessedEvent).where(
                    ProcessedEvent.team_id == team_id, ProcessedEvent.key == _off_key(user_id)
                )
            )
            return f"Your weekly digest is on: every {deps.settings.digest_at} in your own time zone.", False
        if not drift.cases_for(session, team_id=team_id, person=person, managed=True):
            return NO_CASES, False
    return "I'm putting your digest together; it will arrive by DM in a moment.", True


def send_now(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    """`/case digest now`: the digest for the week ending now, not counted against the weekly one."""
    return _deliver(deps, client, team_id=team_id, user_id=user_id, now=deps.clock())
