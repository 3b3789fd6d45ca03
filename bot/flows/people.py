"""Who someone is to casebot: their Person row, their role, and what Slack says about them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.services.agreements import UserFacts
from bot.services.permissions import Actor
from storage import repository as repo
from storage.models import Person, Role

log = logging.getLogger(__name__)


def actor(session: Session, settings: Settings, *, team_id: str, user_id: str) -> Actor:
    person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
    role = person.role if person else Role.MEMBER
    is_admin = user_id in settings.admins or role == Role.ADMIN
    return Actor(user_id=user_id, is_admin=is_admin, is_manager=role == Role.MANAGER)


def look_up_users(client: WebClient, user_ids: list[str]) -> dict[str, tuple[UserFacts, str | None]]:
    """users.info for each id: the facts validation needs, and the user's time zone for later."""
    found: dict[str, tuple[UserFacts, str | None]] = {}
    for user_id in dict.fromkeys(user_ids):
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.info("users.info failed", extra={"user_id": user_id, "error": exc.response.get("error")})
            found[user_id] = (UserFacts(exists=False), None)
            continue
        facts = UserFacts(exists=True, is_bot=bool(user.get("is_bot")), deleted=bool(user.get("deleted")))
        found[user_id] = (facts, user.get("tz"))
    return found


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
    session: Session, *, team_id: str, zones: dict[str, str | None], now: datetime
) -> None:
    for user_id, tz in zones.items():
        person = repo.ensure_person(session, team_id=team_id, slack_user_id=user_id)
        if tz:
            person.tz = tz
            person.tz_fetched_at = now


ZONE_TTL = timedelta(days=1)


def refresh_zones(deps, client: WebClient, *, now: datetime, limit: int = 50) -> int:
    """Re-read time zones (and deactivation) from users.info for people on open cases, at most daily.

    People move, travel and change their Slack time zone; reminders follow the zone Slack has now.
    """
    with deps.sessions.begin() as session:
        stale = {
            p.slack_user_id: p.id
            for p in repo.people_needing_zone(session, older_than=now - ZONE_TTL, limit=limit)
        }
    if not stale:
        return 0
    found = look_up_users(client, list(stale))
    with deps.sessions.begin() as session:
        for user_id, (facts, tz) in found.items():
            person = session.get(Person, stale[user_id])
            assert person is not None
            person.tz_fetched_at = now  # also when the lookup failed: try again tomorrow, not every sweep
            if facts.exists:
                person.tz = tz or person.tz
                person.deactivated = facts.deleted
    return len(found)
