"""All settings, read in ONE place: environment variables, optionally over a TOML file.

Nothing else in casebot reads ``os.environ``. A missing or malformed setting raises ConfigError
with one line naming the variable and how to get it; the CLI prints that line and exits non-zero.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from holidays import HolidayBase

from bot.kernel.rules_working_time import WorkingHours
from storage.crypto import check_key, generate_key

DEFAULT_REFERENCE_PATTERN = r"^[A-Z0-9][A-Z0-9/-]{2,23}$"

log = logging.getLogger("casebot.config")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the person installing."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
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
        return _require(self.slack_bot_token, "SLACK_BOT_TOKEN", _HOW["SLACK_BOT_TOKEN"])

    def require_app_token(self) -> str:
        return _require(self.slack_app_token, "SLACK_APP_TOKEN", _HOW["SLACK_APP_TOKEN"])

    def require_signing_secret(self) -> str:
        return _require(self.slack_signing_secret, "SLACK_SIGNING_SECRET", _HOW["SLACK_SIGNING_SECRET"])

    def require_data_keys(self) -> tuple[str, ...]:
        if not self.data_keys:
            raise ConfigError(f"CASEBOT_DATA_KEYS is not set: {_HOW['CASEBOT_DATA_KEYS']}.")
        return self.data_keys


_HOW = {
    "SLACK_BOT_TOKEN": "install the app from manifest.yml and copy the Bot User OAuth Token (xoxb-...) "
    "from OAuth & Permissions",
    "SLACK_APP_TOKEN": "in the app's Basic Information, generate an App-Level Token (xapp-...) with the "
    "connections:write scope",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from the app's Basic Information page",
    "CASEBOT_DATA_KEYS": "case text is encrypted at rest; make a key with `casebot keys generate`, keep "
    "it in your secret store and set it here (see docs/security.md)",
}

_PREFIX = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}


def _require(value: str | None, name: str, how: str) -> str:
    if not value:
        raise ConfigError(f"{name} is not set: {how}.")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if path := env.get("CASEBOT_CONFIG"):
        values, extra = _toml_settings(Path(path), _read_toml(Path(path)))
    known = {f.name for f in fields(Settings)}
    for name in known - {"extra"}:
        raw = env.get(_env_name(name))
        if raw is not None and raw != "":
            values[name] = raw
    _warn_unknown_environment(env, known)
    if "holiday_country" in values and "holiday_region" not in values:
        # The default region (ENG) belongs to the default country: another country starts national-only.
        national = str(values["holiday_country"]).upper() != "GB"
        values["holiday_region"] = "" if national else Settings.holiday_region
    if "database_url" in values:
        values["database_url"] = _with_driver(str(values["database_url"]))
    settings = Settings(**{k: _coerce(k, v) for k, v in values.items()}, extra=extra)
    _validate(settings)
    return settings


def _env_name(field_name: str) -> str:
    if field_name.startswith("slack_") or field_name == "database_url":
        return field_name.upper()
    return "CASEBOT_" + field_name.upper()


def _with_driver(url: str) -> str:
    """postgres:// (as some hosts write it) and postgresql:// mean PostgreSQL through psycopg."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def toml_key(field_name: str) -> str:
    """A setting's key in the CASEBOT_CONFIG file: its variable in lower case, less CASEBOT_ or SLACK_."""
    return _env_name(field_name).lower().removeprefix("casebot_").removeprefix("slack_")


def _toml_settings(path: Path, table: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(settings by field name, unknown keys): each unknown key is warned about with the closest known one."""
    names = [f.name for f in fields(Settings) if f.name != "extra"]
    keys = {toml_key(name): name for name in names}
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in table.items():
        name = keys.get(key) or (key if key in names else None)  # slack_bot_token still means bot_token
        if name is None:
            extra[key] = value
            _warn_unknown(f"CASEBOT_CONFIG file {path}: unknown key {key!r} is ignored", key, list(keys))
        else:
            values[name] = value
    return values, extra


def _warn_unknown_environment(env: Mapping[str, str], known: set[str]) -> None:
    names = [_env_name(name) for name in sorted(known - {"extra"})] + ["CASEBOT_CONFIG"]
    for variable in env:
        ours = variable.startswith("CASEBOT_") and not variable.startswith("CASEBOT_TEST_")
        if ours and variable not in names:
            _warn_unknown(f"unknown setting {variable} is ignored", variable, names)


def _warn_unknown(what: str, key: str, candidates: list[str]) -> None:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    log.warning("casebot: warning: %s%s.", what, hint)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"CASEBOT_CONFIG points at {path}, which does not exist.") from None
    except IsADirectoryError:
        raise ConfigError(f"CASEBOT_CONFIG points at {path}, which is a folder: name a .toml file.") from None
    except OSError as exc:
        raise ConfigError(
            f"CASEBOT_CONFIG file {path} cannot be read ({exc.strerror or exc}): check the path and its "
            "permissions."
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"CASEBOT_CONFIG file {path} is not UTF-8 text (byte {exc.start} is "
            f"{exc.object[exc.start]:#04x}): save it as UTF-8."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"CASEBOT_CONFIG file {path} is not valid TOML: {exc}.") from None


_DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _coerce(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    env_name = _env_name(name)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() not in _BOOLS:
            raise ConfigError(f"{env_name} must be true or false, not {value!r}.")
        return _BOOLS[str(value).lower()]
    if kind == "int":
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{env_name} must be a whole number, not {value!r}.") from None
        if number < 0:
            raise ConfigError(f"{env_name} must not be negative, not {value!r}.")
        return number
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"{env_name} must be a number of seconds, not {value!r}.") from None
    if kind == "tuple[str, ...]":
        items = value if isinstance(value, list) else str(value).split(",")
        return tuple(item.strip() for item in items if item.strip())
    return str(value)


def ephemeral_data_keys() -> tuple[str, ...]:
    """A data key made up for this process: for the demo, the sandbox and tests, never for real data."""
    global _EPHEMERAL
    if _EPHEMERAL is None:
        _EPHEMERAL = (generate_key(),)
    return _EPHEMERAL


_EPHEMERAL: tuple[str, ...] | None = None


def _validate(settings: Settings) -> None:
    for name, prefix in _PREFIX.items():
        value = getattr(settings, name.lower())
        if value and not value.startswith(prefix):
            raise ConfigError(f"{name} should start with {prefix}: {_HOW[name]}.")
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


CAPTURE_KINDS = ("decision", "action", "concern", "learning", "disagree", "shared")


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
