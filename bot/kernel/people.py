"""Who someone is to casebot: their Person row, their role, and what Slack says about them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.deps import Clients, Deps, NotInstalled, pick
from bot.kernel.rules_permissions import Actor, UserFacts
from storage import repository as repo
from storage.models import Person, Role

log = logging.getLogger(__name__)


def actor(
    session: Session, settings: Settings, *, team_id: str, user_id: str, person: Person | None = None
) -> Actor:
    """Who is acting; `person`, when the caller has already loaded them, saves the query."""
    if person is None or person.slack_user_id != user_id:
        person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
    return actor_with_role(settings, user_id=user_id, role=person.role if person else Role.MEMBER)


def actor_with_role(settings: Settings, *, user_id: str, role: Role) -> Actor:
    """Who is acting, given their stored role (a caller that read it with other things)."""
    is_admin = user_id in settings.admins or role == Role.ADMIN
    return Actor(user_id=user_id, is_admin=is_admin, is_manager=role == Role.MANAGER)


Looked = tuple[UserFacts, str | None]  # what validation needs, and the user's time zone for later


def look_up_users(
    client: WebClient, user_ids: list[str], *, deps: Deps | None = None, now: datetime | None = None
) -> dict[str, Looked]:
    """users.info for each id: the facts validation needs, and the user's time zone for later.

    With `deps` and `now`, each answer also goes into the look-up cache, and an id Slack was too busy
    to answer for (429 or 5xx) is left out and remembered as busy: "try again", never "not found".
    """
    cache = _cache(deps) if deps is not None and now is not None else None
    found: dict[str, Looked] = {}
    for user_id in dict.fromkeys(user_ids):
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.info("users.info failed", extra={"user_id": user_id, "error": error})
            busy = error == "ratelimited" or exc.response.status_code >= 500
            if cache is not None and now is not None and busy:
                cache.busy(user_id, now)
                continue
            found[user_id] = (UserFacts(exists=False), None)
        else:
            found[user_id] = _facts(user)
        if cache is not None and now is not None:
            cache.put(user_id, found[user_id], now)
    return found


def _facts(user: dict) -> Looked:
    facts = UserFacts(
        exists=True,
        is_bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
        is_restricted=bool(user.get("is_restricted")),
        is_ultra_restricted=bool(user.get("is_ultra_restricted")),
    )
    return facts, user.get("tz")


USER_TTL = timedelta(hours=1)  # long enough to fill in a form, short enough to notice a deactivation
BUSY_FOR = timedelta(minutes=1)
WARM_PAGES = 10  # users.list pages of 200 read when a form opens: teams of up to 2,000 people


@dataclass(frozen=True)
class Cached:
    found: dict[str, Looked]  # fresh answers
    unknown: tuple[str, ...]  # not looked up yet (or too long ago)
    busy: tuple[str, ...]  # Slack answered 429 (or failed) when we last asked


class _UserCache:
    """users.info answers for an hour, so a form can be answered without asking Slack first.

    Per process (in deps.slack_cache); filled by users.list when the agreement form opens and by
    every look_up_users(deps=..., now=...). Times come from deps.clock().
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Looked, datetime]] = {}
        self._busy: dict[str, datetime] = {}

    def put(self, user_id: str, looked: Looked, now: datetime) -> None:
        with self._lock:
            self._known[user_id] = (looked, now)
            self._busy.pop(user_id, None)

    def busy(self, user_id: str, now: datetime) -> None:
        with self._lock:
            self._busy[user_id] = now + BUSY_FOR

    def get(self, user_ids, now: datetime) -> Cached:
        found: dict[str, Looked] = {}
        unknown, busy = [], []
        with self._lock:
            for user_id in dict.fromkeys(user_ids):
                known = self._known.get(user_id)
                if known is not None and now - known[1] < USER_TTL:
                    found[user_id] = known[0]
                elif self._busy.get(user_id, now) > now:
                    busy.append(user_id)
                else:
                    unknown.append(user_id)
        return Cached(found, tuple(unknown), tuple(busy))


def _cache(deps: Deps) -> _UserCache:
    return deps.slack_cache.setdefault("users", _UserCache())


def cached_users(deps: Deps, user_ids, *, now: datetime) -> Cached:
    """What the cache knows about these people, without asking Slack."""
    return _cache(deps).get(user_ids, now)


def warm_users(deps: Deps, client: WebClient, *, now: datetime, pages: int = WARM_PAGES) -> int:
    """Read the workspace's people with users.list (a page of 200 per call) into the cache."""
    cursor, count = None, 0
    for _ in range(pages):
        try:
            answer = client.users_list(limit=200, cursor=cursor)
        except SlackApiError as exc:
            log.info("users.list failed", extra={"error": exc.response.get("error")})
            break
        for user in answer.get("members") or []:
            _cache(deps).put(user["id"], _facts(user), now)
            count += 1
        cursor = (answer.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return count


def display_names(client: WebClient | None, user_ids) -> dict[str, str]:
    """People's names as Slack shows them, best effort: an id Slack can't name is left out."""
    found: dict[str, str] = {}
    for user_id in dict.fromkeys(user_ids):
        if client is None:
            break
        try:
            user = client.users_info(user=user_id)["user"]
        except (SlackApiError, KeyError, TypeError):
            continue
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
        )
        if name:
            found[user_id] = str(name)
    return found


def remember_time_zones(
    session: Session, *, team_id: str, zones: dict[str, str | None], now: datetime, also: Iterable[str] = ()
) -> dict[str, Person]:
    """Store the zones Slack gave; returns those people, and the people in `also`, made if new."""
    people = repo.ensure_people(session, team_id=team_id, slack_user_ids=[*zones, *also])
    for user_id, tz in zones.items():
        if tz:
            people[user_id].tz = tz
            people[user_id].tz_fetched_at = now
    return people


ZONE_TTL = timedelta(days=1)


def refresh_zones(deps, client: Clients, *, now: datetime, limit: int = 50) -> int:
    """Re-read time zones (and deactivation) from users.info for people on open cases, at most daily.

    People move, travel and change their Slack time zone; reminders follow the zone Slack has now.
    Each team's people are looked up with that team's own client (a team no longer installed: skipped).
    """
    with deps.sessions.begin() as session:
        needing = [
            (p.team_id, p.slack_user_id, p.id)
            for p in repo.people_needing_zone(session, older_than=now - ZONE_TTL, limit=limit)
        ]
    refreshed = 0
    for team_id in dict.fromkeys(team for team, _user, _id in needing):
        try:
            team_client = pick(client, team_id)
        except NotInstalled:
            continue
        stale = {user_id: person_id for team, user_id, person_id in needing if team == team_id}
        found = look_up_users(team_client, list(stale), deps=deps, now=now)
        with deps.sessions.begin() as session:
            for user_id, (facts, tz) in found.items():
                person = session.get(Person, stale[user_id])
                assert person is not None
                person.tz_fetched_at = now  # also when the lookup failed: try again tomorrow, not every sweep
                if facts.exists:
                    person.tz = tz or person.tz
                    person.deactivated = facts.deleted
        refreshed += len(found)
    return refreshed
