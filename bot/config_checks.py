"""Checks on a loaded Settings record: each problem is one ConfigError line saying what to do."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config_settings import BOTH_MODES, HOW_TO_SET, TOKEN_PREFIX, ConfigError, Settings
from storage.crypto import check_key
from storage.vocabulary import CaptureKind


def validate(settings: Settings) -> None:
    for name, prefix in TOKEN_PREFIX.items():
        value = getattr(settings, name.lower())
        if value and not value.startswith(prefix):
            raise ConfigError(f"{name} should start with {prefix}: {HOW_TO_SET[name]}.")
    if settings.slack_bot_token and (settings.slack_client_id or settings.slack_client_secret):
        raise ConfigError(BOTH_MODES + ".")
    if settings.slack_redirect_uri and not settings.slack_redirect_uri.startswith("https://"):
        raise ConfigError(
            "SLACK_REDIRECT_URI must be the https:// Redirect URL listed on the app's OAuth & Permissions "
            "page, like https://casebot.example.org/slack/oauth_redirect, not "
            f"{settings.slack_redirect_uri!r}."
        )
    for admin in settings.admins:
        if not re.fullmatch(r"[UW][A-Z0-9]{2,}", admin):
            raise ConfigError(
                f"CASEBOT_ADMINS must be Slack user ids separated by commas (like U012AB3CD), not {admin!r}."
            )
    try:
        re.compile(settings.reference_pattern)
    except re.error as exc:
        raise ConfigError(f"CASEBOT_REFERENCE_PATTERN is not a valid regular expression: {exc}.") from None
    if not settings.command.startswith("/"):
        raise ConfigError(f"CASEBOT_COMMAND must start with '/', like /case, not {settings.command!r}.")
    try:
        ZoneInfo(settings.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"CASEBOT_DEFAULT_TIMEZONE must be an IANA time zone like Europe/London, "
            f"not {settings.default_timezone!r}."
        ) from None
    _validate_working_time(settings)
    if settings.urgent_duty_contact and not re.fullmatch(r"[UW][A-Z0-9]{2,}", settings.urgent_duty_contact):
        raise ConfigError(
            "CASEBOT_URGENT_DUTY_CONTACT must be one Slack user id (like U012AB3CD), "
            f"not {settings.urgent_duty_contact!r}."
        )
    if settings.urgent_ack_minutes < 1:
        raise ConfigError("CASEBOT_URGENT_ACK_MINUTES must be at least 1 (minutes to acknowledge an alert).")
    if not re.fullmatch(
        r"(?i)(mon|tue|wed|thu|fri|sat|sun)[a-z]* ([01]\d|2[0-3]):[0-5]\d", settings.digest_at
    ):
        raise ConfigError(
            f"CASEBOT_DIGEST_AT must be a day and a time like Mon 09:00, not {settings.digest_at!r}."
        )
    _validate_drift_thresholds(settings.drift_thresholds)
    for number, key in enumerate(settings.data_keys, start=1):
        if not check_key(key):  # the message never holds the key
            raise ConfigError(
                f"CASEBOT_DATA_KEYS: key {number} of {len(settings.data_keys)} is not a Fernet key (44 "
                "characters of URL-safe base64); make one with `casebot keys generate`."
            )
    if not settings.slack_api_url.endswith("/"):
        raise ConfigError("SLACK_API_URL must end with '/', like https://slack.com/api/.")
    if not re.match(r"^[a-z0-9+]+://", settings.database_url):
        raise ConfigError(
            "DATABASE_URL must be a SQLAlchemy URL such as sqlite:///casebot.db or "
            "postgresql+psycopg://user@host/db."
        )


def _validate_working_time(settings: Settings) -> None:
    try:
        hours = settings.hours()
    except ValueError:
        raise ConfigError(
            "CASEBOT_WORKING_HOURS must be a start and end time like 09:00-17:00, and CASEBOT_WORKING_DAYS "
            f"day names like Mon,Tue,Wed,Thu,Fri; got {settings.working_hours!r} and "
            f"{settings.working_days!r}."
        ) from None
    if not hours.days:
        raise ConfigError("CASEBOT_WORKING_DAYS must name at least one day, like Mon,Tue,Wed,Thu,Fri.")
    try:
        settings.public_holidays()
    except NotImplementedError:
        raise ConfigError(
            f"CASEBOT_HOLIDAY_COUNTRY {settings.holiday_country!r} with CASEBOT_HOLIDAY_REGION "
            f"{settings.holiday_region!r} is not known to the holidays package: use an ISO country code like "
            "GB or NZ and one of its subdivisions (e.g. ENG, AUK), or an empty region."
        ) from None
    if settings.escalate_after_working_days <= settings.remind_after_working_days:
        raise ConfigError(
            "CASEBOT_ESCALATE_AFTER_WORKING_DAYS must be more than CASEBOT_REMIND_AFTER_WORKING_DAYS, so "
            "co-workers are reminded before their manager is asked to help."
        )
    _validate_capture(settings)
    if settings.sweep_every_seconds < 5:
        raise ConfigError("CASEBOT_SWEEP_EVERY_SECONDS must be at least 5.")
    if not 1 <= settings.outbox_claim_batch <= 100:
        raise ConfigError("CASEBOT_OUTBOX_CLAIM_BATCH must be between 1 and 100.")
    _validate_record_keeping(settings)


MAX_RECORD_WITHIN_WORKING_DAYS = 20
MAX_RAW_TEXT_RETENTION_DAYS = 365
MAX_EXPORT_FILE_KEEP_DAYS = 90


def _validate_record_keeping(settings: Settings) -> None:
    # Negative numbers are already refused by _coerce; these bounds catch a typo such as 300 for 3.
    if settings.record_within_working_days > MAX_RECORD_WITHIN_WORKING_DAYS:
        raise ConfigError(
            f"CASEBOT_RECORD_WITHIN_WORKING_DAYS must be at most {MAX_RECORD_WITHIN_WORKING_DAYS} working "
            f"days (practice is 0 to 5; 1 means by the end of the next working day), not "
            f"{settings.record_within_working_days}."
        )
    if not 0 <= settings.export_file_keep_days <= MAX_EXPORT_FILE_KEEP_DAYS:
        raise ConfigError(
            f"CASEBOT_EXPORT_FILE_KEEP_DAYS must be between 0 and {MAX_EXPORT_FILE_KEEP_DAYS} days: an "
            "exported file holds the whole case record, so it leaves Slack soon; "
            f"got {settings.export_file_keep_days}."
        )
    if settings.raw_text_retention_days > MAX_RAW_TEXT_RETENTION_DAYS:
        raise ConfigError(
            f"CASEBOT_RAW_TEXT_RETENTION_DAYS must be at most {MAX_RAW_TEXT_RETENTION_DAYS} days: raw thread "
            f"text is a working copy and the signed-off note is the record; got "
            f"{settings.raw_text_retention_days}."
        )


CAPTURE_KINDS = tuple(kind.value for kind in CaptureKind)


def _validate_capture(settings: Settings) -> None:
    for pair in settings.capture_reactions.split(","):
        name, sep, kind = pair.partition("=")
        if pair.strip() and (not sep or not name.strip() or kind.strip().lower() not in CAPTURE_KINDS):
            raise ConfigError(
                "CASEBOT_CAPTURE_REACTIONS must be reaction=kind pairs separated by commas, like "
                f"pushpin=action,seedling=learning, with kinds from {', '.join(CAPTURE_KINDS)}; "
                f"got {pair.strip()!r}."
            )
    if settings.bank_folder and not Path(settings.bank_folder).is_dir():
        raise ConfigError(
            f"CASEBOT_BANK_FOLDER {settings.bank_folder!r} is not a folder. Point it at a folder of "
            "question-bank .toml files, or leave it empty to use the shipped banks."
        )


# The names of bot/drift/rules_facts.py's Thresholds (a test keeps the two in step; importing the rules here
# would make an import cycle through bot.deps).
DRIFT_THRESHOLDS = (
    "discussion_late_days",
    "missed_window_weeks",
    "quiet_weeks",
    "responsibility_weeks",
    "disagreement_days",
    "learning_days",
    "supervision_late_days",
)


def drift_threshold_values(text: str) -> dict[str, int]:
    """ "quiet_weeks=4, disagreement_days=21" -> {"quiet_weeks": 4, ...}; ConfigError for anything else."""
    values: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, number = (piece.strip() for piece in item.partition("="))
        if name not in DRIFT_THRESHOLDS or not number.isdigit() or int(number) < 1:
            raise ConfigError(
                f"CASEBOT_DRIFT_THRESHOLDS must be name=number pairs (numbers from 1) separated by commas, "
                f"like quiet_weeks=4,disagreement_days=21, with names from {', '.join(DRIFT_THRESHOLDS)}; "
                f"{item!r} is not one."
            )
        values[name] = int(number)
    return values


def _validate_drift_thresholds(text: str) -> None:
    drift_threshold_values(text)
