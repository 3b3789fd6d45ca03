"""All settings, read in ONE place: environment variables, optionally over a TOML file.

Nothing else in casebot reads ``os.environ``. A missing or malformed setting raises ConfigError
with one line naming the variable and how to get it; the CLI prints that line and exits non-zero.
"""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from bot.config_checks import validate
from bot.config_settings import DEFAULT_REFERENCE_PATTERN, ConfigError, Settings
from storage.crypto import generate_key

__all__ = [
    "DEFAULT_REFERENCE_PATTERN",
    "ConfigError",
    "as_environment",
    "child_environment",
    "Settings",
    "ephemeral_data_keys",
    "load_settings",
    "toml_key",
]

log = logging.getLogger("casebot.config")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if path := env.get("CASEBOT_CONFIG"):
        values, extra = _toml_settings(Path(path), _read_toml(Path(path)))
    known = {f.name for f in fields(Settings)}
    for name in known - {"extra"}:
        raw = env.get(env_name(name))
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
    validate(settings)
    return settings


def as_environment(settings: Settings) -> dict[str, str]:
    """The variables `load_settings` reads back as these settings (those not at their default): for a
    casebot process started beside a sandbox or a benchmark, on its database, emulator and data keys."""
    env = {}
    for each in fields(Settings):
        value = getattr(settings, each.name)
        if each.name == "extra" or value == each.default:
            continue
        if isinstance(value, tuple):
            value = ",".join(value)
        env[env_name(each.name)] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def child_environment(settings: Settings) -> dict[str, str]:
    """This process's environment (PATH and the rest), casebot's own variables taken from `settings`."""
    own = ("SLACK_", "CASEBOT_", "DATABASE_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(own)} | as_environment(settings)


def env_name(field_name: str) -> str:
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
    return env_name(field_name).lower().removeprefix("casebot_").removeprefix("slack_")


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
    names = [env_name(name) for name in sorted(known - {"extra"})] + ["CASEBOT_CONFIG"]
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


_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _coerce(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    named = env_name(name)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() not in _BOOLS:
            raise ConfigError(f"{named} must be true or false, not {value!r}.")
        return _BOOLS[str(value).lower()]
    if kind == "int":
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{named} must be a whole number, not {value!r}.") from None
        if number < 0:
            raise ConfigError(f"{named} must not be negative, not {value!r}.")
        return number
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"{named} must be a number of seconds, not {value!r}.") from None
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
