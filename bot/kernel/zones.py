"""Whose clock a date is read on: a person's Slack time zone (cached from users.info), or the configured
default. Every feature that turns `now` into someone's day or reads a date they typed starts here."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.deps import Deps
from storage.models import Person


def zone(deps: Deps, person: Person | None) -> ZoneInfo:
    """The person's Slack time zone (cached from users.info), or the configured default."""
    name = (person.tz if person else None) or deps.settings.default_timezone
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo(deps.settings.default_timezone)


def today_for(deps: Deps, person: Person | None, now: datetime) -> date:
    """The day it is for the person (or in the configured zone): late Thursday in Auckland is Friday."""
    return now.astimezone(zone(deps, person)).date()
