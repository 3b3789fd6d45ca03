"""The Settings record and what it can work out from itself (working hours, holidays, reactions).

Read and checked in bot/config.py (the one place that reads the environment); import from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

import holidays
from holidays import HolidayBase

from bot.kernel.rules_working_time import WorkingHours

_DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

DEFAULT_REFERENCE_PATTERN = r"^[A-Z0-9][A-Z0-9/-]{2,23}$"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the person installing."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    # Installation by OAuth (many workspaces, HTTP only): the app's credentials instead of SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_redirect_uri: str = ""  # optional: the Redirect URL, if the app lists more than one
    slack_api_url: str = "https://slack.com/api/"
    slack_timeout_seconds: float = 10.0
    database_url: str = "sqlite:///casebot.db"
    admins: tuple[str, ...] = ()
    command: str = "/case"
    reference_pattern: str = DEFAULT_REFERENCE_PATTERN
    allow_public_channels: bool = False
    allow_shared_channels: bool = False
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    # Working time: reminders are only delivered inside it, in each person's own Slack time zone.
    working_hours: str = "09:00-17:00"
    working_days: str = "Mon,Tue,Wed,Thu,Fri"
    holiday_country: str = "GB"
    holiday_region: str = "ENG"
    # The reminder ladder, in working days after a discussion or check-in falls due.
    remind_after_working_days: int = 2
    escalate_after_working_days: int = 5
    sweep_every_seconds: int = 60
    # Outbox rows a sender leases in one statement on PostgreSQL (FOR UPDATE SKIP LOCKED); 1 leases each
    # row on its own, as on SQLite.
    outbox_claim_batch: int = 20
    # Discussions: an organisation's own question banks (added to, or replacing by id, the shipped ones),
    # and the reactions that mark a thread message for the record.
    bank_folder: str = ""
    capture_reactions: str = (
        "white_check_mark=decision,pushpin=action,warning=concern,seedling=learning,"
        "thinking_face=disagree,handshake=shared"
    )
    # Notes: a wrapped-up discussion's summary is due by the end of the working day this many working
    # days later; raw thread text is deleted this many days after the note that used it is signed off.
    record_within_working_days: int = 1
    raw_text_retention_days: int = 30
    # Exports: whether /case export may send the notes as a Slack file at all (the CLI always can), and
    # how many days such a file stays in Slack before the sweep deletes it.
    exports_by_slack: bool = True
    export_file_keep_days: int = 7
    # Urgent concerns: the duty contact (a Slack user id) alerted after the manager or their cover, and
    # the minutes an alert waits to be acknowledged before it goes to the next person.
    urgent_duty_contact: str = ""
    urgent_ack_minutes: int = 60
    # The weekly digest to each manager: the day and time, in the manager's own time zone.
    digest_at: str = "Mon 09:00"
    # Drift signals' thresholds, overriding the defaults by name, e.g. "quiet_weeks=4,disagreement_days=21".
    drift_thresholds: str = ""
    # People in a case's channel who are not on the case can read its thread: by default the manager is
    # warned and the card says so; true refuses to open a case in such a channel.
    refuse_exposed_channels: bool = False
    # Keys that encrypt case text at rest (Fernet keys, newest first). Never shown: not in repr or str.
    data_keys: tuple[str, ...] = field(default=(), repr=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def hours(self) -> WorkingHours:
        start, _, end = self.working_hours.partition("-")
        days = frozenset(_DAY_NAMES.index(d.strip().lower()[:3]) for d in self.working_days.split(","))
        return WorkingHours(
            start=time.fromisoformat(start.strip()), end=time.fromisoformat(end.strip()), days=days
        )

    def public_holidays(self) -> HolidayBase:
        return holidays.country_holidays(self.holiday_country, subdiv=self.holiday_region or None)

    def reactions(self) -> dict[str, str]:
        """Reaction name -> capture kind, e.g. {"pushpin": "action"}."""
        pairs = (pair.partition("=") for pair in self.capture_reactions.split(",") if pair.strip())
        return {name.strip().strip(":"): kind.strip().lower() for name, _, kind in pairs}

    def require_bot_token(self) -> str:
        return _require(self.slack_bot_token, "SLACK_BOT_TOKEN", HOW_TO_SET["SLACK_BOT_TOKEN"])

    def require_token_mode(self) -> str:
        """The token mode, "oauth" or "token", when exactly one way of getting bot tokens is set."""
        if self.slack_bot_token and (self.slack_client_id or self.slack_client_secret):
            raise ConfigError(BOTH_MODES + ".")
        if self.slack_bot_token:
            return "token"
        if not (self.slack_client_id or self.slack_client_secret):
            raise ConfigError(NEITHER_MODE + ".")
        _require(self.slack_client_id, "SLACK_CLIENT_ID", HOW_TO_SET["SLACK_CLIENT_ID"])
        _require(self.slack_client_secret, "SLACK_CLIENT_SECRET", HOW_TO_SET["SLACK_CLIENT_ID"])
        return "oauth"

    def require_app_token(self) -> str:
        return _require(self.slack_app_token, "SLACK_APP_TOKEN", HOW_TO_SET["SLACK_APP_TOKEN"])

    def require_signing_secret(self) -> str:
        return _require(self.slack_signing_secret, "SLACK_SIGNING_SECRET", HOW_TO_SET["SLACK_SIGNING_SECRET"])

    def require_data_keys(self) -> tuple[str, ...]:
        if not self.data_keys:
            raise ConfigError(f"CASEBOT_DATA_KEYS is not set: {HOW_TO_SET['CASEBOT_DATA_KEYS']}.")
        return self.data_keys


HOW_TO_SET = {
    "SLACK_BOT_TOKEN": "install the app from manifest.yml and copy the Bot User OAuth Token (xoxb-...) "
    "from OAuth & Permissions",
    "SLACK_APP_TOKEN": "in the app's Basic Information, generate an App-Level Token (xapp-...) with the "
    "connections:write scope",
    "SLACK_CLIENT_ID": "for installation by OAuth, copy the Client ID and Client Secret from the app's "
    "Basic Information page (App Credentials)",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from the app's Basic Information page",
    "CASEBOT_DATA_KEYS": "case text is encrypted at rest; make a key with `casebot keys generate`, keep "
    "it in your secret store and set it here (see docs/security.md)",
}

BOTH_MODES = (
    "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: set SLACK_BOT_TOKEN for one "
    "workspace, or the client id and secret to install by OAuth in many workspaces, not both"
)
NEITHER_MODE = (
    "SLACK_BOT_TOKEN is not set: for one workspace, install the app from manifest.yml and copy the Bot "
    "User OAuth Token (xoxb-...) from OAuth & Permissions; to install casebot in many workspaces by OAuth, "
    "set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead"
)

TOKEN_PREFIX = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}


def _require(value: str | None, name: str, how: str) -> str:
    if not value:
        raise ConfigError(f"{name} is not set: {how}.")
    return value
