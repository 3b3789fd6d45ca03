"""Who someone is to casebot: their Person row, their role, and what Slack says about them."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.services.agreements import UserFacts
from bot.services.permissions import Actor
from storage import repository as repo
from storage.models import Role

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


def remember_time_zones(
    session: Session, *, team_id: str, zones: dict[str, str | None], now: datetime
) -> None:
    for user_id, tz in zones.items():
        person = repo.ensure_person(session, team_id=team_id, slack_user_id=user_id)
        if tz:
            person.tz = tz
            person.tz_fetched_at = now
