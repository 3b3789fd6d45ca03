"""Who can read a case thread: the channel's members against the people on the case.

A case lives in a team channel, so everyone in that channel reads its thread. casebot counts the
members who are not on the case (its co-workers, its manager, casebot's admins) when the case opens,
when someone joins the channel and daily. The count is on the card; the manager is told who they are.
With CASEBOT_REFUSE_EXPOSED_CHANNELS=true a case cannot be opened in a channel with such people: the
members read when the form opened are kept in the database (channel_members), so whichever process
the form's submission reaches checks them; a join re-reads them, and after 30 minutes they are read
again before the form is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cases.rules_agreements import others_in_channel
from bot.deps import Clients, Deps, NotInstalled, pick
from bot.kernel import thread
from bot.kernel.blocks import sections
from bot.kernel.rules_conversations import is_direct_message
from bot.kernel.rules_text import mention, slack_escape
from storage import repository as repo
from storage.models import Case, CaseMember, CaseStatus, ChannelMembers, Person, Role, Workspace

log = logging.getLogger("casebot.cases.channel")

MEMBERS_TTL = timedelta(minutes=30)  # long enough to fill in the form opened after they were read
DIRECT_MESSAGE = "Open cases in a private case channel, not in a direct message."
STILL_READING = "I'm still reading who is in this channel: press *Save agreement* again in a moment."
REFUSED = (
    "{n} in this channel {verb} not on this case and would read its thread ({who}). Open the case in a "
    "channel with only its co-workers and manager, or add them to the case if they work it."
)


def problem(deps: Deps, client: WebClient, channel_id: str) -> str | None:
    """Why a case can't be opened in this channel (checked when the form opens), or None."""
    invite = (
        "I'm not a member of this channel yet, so I can't start the case thread. In the channel, type "
        "`/invite @casebot`, then run `/case open` again."
    )
    if is_direct_message(channel_id):  # reading a DM needs im:read, which casebot does not ask for
        return DIRECT_MESSAGE
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as exc:
        if exc.response.get("error") in {"channel_not_found", "not_in_channel"}:
            return invite
        raise
    if channel.get("is_archived"):
        return "This channel is archived. Open the case in an active private case channel."
    if channel.get("is_im") or channel.get("is_mpim"):
        return "Open cases in a private case channel, not in a direct message."
    if not channel.get("is_member"):
        return invite
    if not channel.get("is_private") and not deps.settings.allow_public_channels:
        return (
            "This is a public channel. Case details belong in a private channel: open the case "
            "from your team's private case channel."
        )
    shared = channel.get("is_ext_shared") or channel.get("is_shared") or channel.get("is_org_shared")
    if shared and not deps.settings.allow_shared_channels:
        return (
            "This channel is shared with people outside your organisation. Open the case in a "
            "private channel that only your team can see."
        )
    return None


def channel_members(deps: Deps, client: WebClient, channel_id: str) -> list[str]:
    """Every member of the channel but casebot itself (conversations.members, 200 a page)."""
    bot = deps.bot_user_id or _bot_user(deps, client)
    members: list[str] = []
    cursor = None
    while True:
        page = client.conversations_members(channel=channel_id, limit=200, cursor=cursor)
        members += [m for m in page.get("members") or [] if m != bot]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return members


def _bot_user(deps: Deps, client: WebClient) -> str | None:
    """casebot's own user id in this client's workspace (auth.test, once per token)."""
    known: dict[str, str | None] = deps.slack_cache.setdefault("bot_user_by_token", {})
    token = client.token or ""
    if token not in known:
        known[token] = client.auth_test().get("user_id")
    return known[token]


def remember_members(deps: Deps, client: WebClient, channel_id: str, now: datetime) -> None:
    """Read the channel's members into the database when the form opens (refuse mode answers before the
    ack, in whichever process the submission reaches)."""
    try:
        members = channel_members(deps, client, channel_id)
    except SlackApiError as exc:
        log.warning("conversations.members failed: %s (channel %s)", exc.response.get("error"), channel_id)
        return
    with deps.sessions.begin() as session:
        _store(session, channel_id, members, now)


def _store(session: Session, channel_id: str, members: list[str], now: datetime) -> None:
    try:
        with session.begin_nested():
            row = session.get(ChannelMembers, channel_id)
            if row is None:
                session.add(ChannelMembers(channel_id=channel_id, members=members, read_at=now))
            elif row.read_at <= now:
                row.members, row.read_at = members, now
    except IntegrityError:  # another process stored them at the same moment: theirs are as fresh
        pass


def _known(deps: Deps, channel_id: str, now: datetime) -> list[str] | None:
    """The channel's members as last read, if read within MEMBERS_TTL; None: read them again."""
    with deps.reads.begin() as session:
        row = session.get(ChannelMembers, channel_id)
        if row is None or now - row.read_at > MEMBERS_TTL:
            return None
        return list(row.members)


def refusal(deps: Deps, channel_id: str, case_people: Iterable[str], now: datetime) -> str | None:
    """In refuse mode, why the case can't open here yet (None: it can). Members not read lately (or
    never, or someone joined since) are read after the ack, and the form asks to save again."""
    if not deps.settings.refuse_exposed_channels:
        return None
    members = _known(deps, channel_id, now)
    if members is None:
        return STILL_READING
    others = others_in_channel(members, allowed=_allowed(deps, case_people), bot_user_id=deps.bot_user_id)
    if not others:
        return None
    who = ", ".join(mention(u) for u in others[:5]) + (" and others" if len(others) > 5 else "")
    people = f"{len(others)} {'person' if len(others) == 1 else 'people'}"
    return REFUSED.format(n=people, verb="is" if len(others) == 1 else "are", who=who)


def refresh_if_stale(deps: Deps, client: WebClient, channel_id: str, now: datetime) -> None:
    """After the ack of a form refused as STILL_READING: read the members, so the next Save is answered."""
    if deps.settings.refuse_exposed_channels and _known(deps, channel_id, now) is None:
        remember_members(deps, client, channel_id, now)


def check_case(
    deps: Deps, client: WebClient, case_id: int, *, joined: str | None = None, in_channel: bool = False
) -> int | None:
    """Count the people who can read the case's thread without being on it; store it on the case (the
    card shows it), and tell the manager who they are when there are more than before: in the channel
    (ephemeral) right after they opened the case there, else by DM."""
    now = deps.clock()
    with deps.reads.begin() as session:
        case = session.get(Case, case_id)
        if case is None or case.status != CaseStatus.OPEN:
            return None
        channel_id = case.channel_id
    try:
        members = channel_members(deps, client, channel_id)
    except SlackApiError as exc:
        log.warning("conversations.members failed: %s (case %s)", exc.response.get("error"), case_id)
        return None
    # One short write: on SQLite it holds the one write lock that acks wait for, so the case's people
    # are read with two queries rather than a lazy load per member.
    with deps.sessions.begin() as session:
        _store(session, channel_id, members, now)
        case = session.get(Case, case_id)
        assert case is not None
        manager = session.scalars(select(Person.slack_user_id).where(Person.id == case.manager_id)).one()
        on_case = select(Person.slack_user_id).join(CaseMember, CaseMember.person_id == Person.id)
        people = [*session.scalars(on_case.where(CaseMember.case_id == case_id)), manager]
        allowed = _allowed(deps, people) | team_admins(session, case.team_id)
        others = others_in_channel(members, allowed=allowed, bot_user_id=deps.bot_user_id)
        before, case.channel_others = case.channel_others, len(others)
        if before != len(others):
            if before is not None:  # the first count is read by the card's own first render
                repo.enqueue_card_update(session, case=case, now=now)
            repo.add_audit(
                session,
                team_id=case.team_id,
                now=now,
                actor=joined,
                action="case.channel_others",
                object_type="case",
                object_id=case.id,
                detail={"others": len(others), "before": before},
            )
        reference = case.reference
    if others and (before is None or len(others) > before):
        _warn(client, manager, reference, channel_id, others, in_channel=in_channel)
    return len(others)


def after_open(deps: Deps, client: WebClient, case_id: int) -> None:
    check_case(deps, client, case_id, in_channel=True)


def check_channel(deps: Deps, client: WebClient, *, team_id: str, channel_id: str, joined: str) -> int:
    """Someone joined a channel: recount each open case there, and re-read the members of a channel a
    form may be open in (refuse mode). Returns how many cases were checked."""
    now = deps.clock()
    with deps.reads.begin() as session:
        read_before = session.get(ChannelMembers, channel_id) is not None
        ids = list(
            session.scalars(
                select(Case.id).where(
                    Case.team_id == team_id, Case.channel_id == channel_id, Case.status == CaseStatus.OPEN
                )
            )
        )
    if read_before and not ids:  # with open cases there, check_case reads the members anyway
        remember_members(deps, client, channel_id, now)
    for case_id in ids:
        check_case(deps, client, case_id, joined=joined)
    return len(ids)


def daily(deps: Deps, clients: Clients) -> int:
    """Once a day per workspace (the database decides, across processes), recount every open case:
    membership changes casebot was not told about. Returns how many cases were checked.

    The scheduled pass runs this every minute, so the day's claim comes first and a workspace's open
    cases are read only once it is won: the other passes cost a look per workspace, not per case."""
    now = deps.clock()
    with deps.reads.begin() as session:
        open_case = select(Case.id).where(Case.team_id == Workspace.team_id, Case.status == CaseStatus.OPEN)
        teams = list(session.scalars(select(Workspace.team_id).where(open_case.exists())))
    checked = 0
    for team_id in teams:
        with deps.sessions.begin() as session:
            key = f"channel_others:{now:%Y-%m-%d}"
            if not repo.claim_once(session, team_id=team_id, key=key, kind="daily", now=now):
                continue
        try:
            client = pick(clients, team_id)
        except NotInstalled:
            continue
        with deps.reads.begin() as session:
            open_cases = select(Case.id).where(Case.team_id == team_id, Case.status == CaseStatus.OPEN)
            ids = list(session.scalars(open_cases))
        for case_id in ids:
            try:
                check_case(deps, client, case_id)
            except (SlackApiError, OSError) as exc:  # the scheduled pass goes on; tomorrow tries again
                log.warning("channel check failed: %s (case %s)", type(exc).__name__, case_id)
            checked += 1
    return checked


def _allowed(deps: Deps, case_people: Iterable[str]) -> set[str]:
    return set(case_people) | set(deps.settings.admins)


def team_admins(session: Session, team_id: str) -> set[str]:
    """The workspace's admins, read by ix_people_role rather than among everyone casebot knows."""
    admins = select(Person.slack_user_id).where(Person.team_id == team_id, Person.role == Role.ADMIN)
    return set(session.scalars(admins))


def _warn(
    client: WebClient, manager: str, reference: str, channel_id: str, others: list[str], *, in_channel: bool
) -> None:
    who = ", ".join(mention(u) for u in others[:10]) + (" and others" if len(others) > 10 else "")
    count = f"{len(others)} {'person' if len(others) == 1 else 'people'}"
    text = (
        f"{count} in <#{channel_id}> {'is' if len(others) == 1 else 'are'} not on case "
        f"{slack_escape(reference)} and can read its thread: {who}. If they should not read it, remove them "
        "from the channel or move the case to a channel of its own; if they work the case, add them to it."
    )
    try:
        if in_channel:
            thread.tell(client, channel_id, manager, text)
            return
        client.chat_postMessage(
            channel=manager, text=text, blocks=sections(text), unfurl_links=False, unfurl_media=False
        )
    except SlackApiError as exc:
        log.warning("could not warn the manager: %s", exc.response.get("error"))
