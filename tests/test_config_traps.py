"""Configuration traps (issue 14): TOML keys as documented, misspelt names warned about, a country's own
holidays, postgres:// URLs. The CLI's one-line errors for unusable config files are in test_cli_errors.py."""

from __future__ import annotations

import logging

import pytest

from bot.config import ConfigError, load_settings, toml_key


def _toml(tmp_path, text: str) -> dict[str, str]:
    path = tmp_path / "casebot.toml"
    path.write_text(text, encoding="utf-8")
    return {"CASEBOT_CONFIG": str(path)}


def test_toml_keys_are_the_variables_in_lower_case_without_their_prefix(tmp_path):
    env = _toml(
        tmp_path,
        'bot_token = "xoxb-1"\napp_token = "xapp-1"\nsigning_secret = "s3"\napi_url = "http://127.0.0.1:1/api/"\n'
        'timeout_seconds = 3\ndatabase_url = "sqlite:///x.db"\nadmins = ["U0A"]\nholiday_country = "NZ"\n',
    )
    settings = load_settings(env)
    assert (settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret) == (
        "xoxb-1",
        "xapp-1",
        "s3",
    )
    assert settings.slack_api_url == "http://127.0.0.1:1/api/" and settings.slack_timeout_seconds == 3.0
    assert settings.database_url == "sqlite:///x.db" and settings.admins == ("U0A",)
    assert [toml_key(n) for n in ("slack_bot_token", "database_url", "holiday_region")] == [
        "bot_token",
        "database_url",
        "holiday_region",
    ]


def test_the_older_slack_prefixed_toml_keys_still_work(tmp_path):
    assert load_settings(_toml(tmp_path, 'slack_bot_token = "xoxb-2"\n')).slack_bot_token == "xoxb-2"


def test_a_misspelt_toml_key_is_warned_about_with_the_closest_known_key(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="casebot.config"):
        settings = load_settings(_toml(tmp_path, 'holiday_contry = "NZ"\nbot_tokn = "xoxb-1"\n'))
    assert settings.holiday_country == "GB"
    warnings = [r.getMessage() for r in caplog.records]
    assert any(
        "unknown key 'holiday_contry'" in w and "did you mean 'holiday_country'" in w for w in warnings
    )
    assert any("unknown key 'bot_tokn'" in w and "did you mean 'bot_token'" in w for w in warnings)


def test_a_misspelt_environment_variable_is_warned_about(caplog):
    with caplog.at_level(logging.WARNING, logger="casebot.config"):
        load_settings({"CASEBOT_HOLIDAY_CONTRY": "NZ", "CASEBOT_TEST_ANYTHING": "1"})
    (warning,) = [r.getMessage() for r in caplog.records]
    assert (
        "CASEBOT_HOLIDAY_CONTRY is ignored" in warning and "did you mean 'CASEBOT_HOLIDAY_COUNTRY'" in warning
    )


def test_known_names_warn_about_nothing(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="casebot.config"):
        load_settings({**_toml(tmp_path, 'command = "/cowork"\n'), "CASEBOT_ADMINS": "U0A"})
    assert caplog.records == []


@pytest.mark.parametrize("source", ["env", "toml"])
def test_a_country_alone_uses_that_countrys_national_holidays(tmp_path, source):
    env = (
        {"CASEBOT_HOLIDAY_COUNTRY": "NZ"} if source == "env" else _toml(tmp_path, 'holiday_country = "NZ"\n')
    )
    settings = load_settings(env)
    assert (settings.holiday_country, settings.holiday_region) == ("NZ", "")
    assert (
        load_settings({"CASEBOT_HOLIDAY_COUNTRY": "NZ", "CASEBOT_HOLIDAY_REGION": "AUK"}).holiday_region
        == "AUK"
    )
    assert load_settings({"CASEBOT_HOLIDAY_COUNTRY": "GB"}).holiday_region == "ENG"
    with pytest.raises(ConfigError, match="CASEBOT_HOLIDAY_REGION"):
        load_settings({"CASEBOT_HOLIDAY_COUNTRY": "NZ", "CASEBOT_HOLIDAY_REGION": "ENG"})


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://casebot@db:5432/casebot", "postgresql+psycopg://casebot@db:5432/casebot"),
        ("postgresql://casebot@db/casebot", "postgresql+psycopg://casebot@db/casebot"),
        ("postgresql+psycopg://casebot@db/casebot", "postgresql+psycopg://casebot@db/casebot"),
        ("sqlite:///casebot.db", "sqlite:///casebot.db"),
    ],
)
def test_postgres_urls_use_the_psycopg_driver(given, used):
    assert load_settings({"DATABASE_URL": given}).database_url == used


def test_the_readmes_config_file_example_loads_without_warnings(tmp_path, caplog):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (example,) = re.findall(r"```\n(# casebot\.toml\n.*?)```", readme, flags=re.DOTALL)
    with caplog.at_level(logging.WARNING, logger="casebot.config"):
        settings = load_settings(_toml(tmp_path, example))
    assert caplog.records == []
    assert (settings.slack_bot_token, settings.slack_app_token) == ("xoxb-…", "xapp-…")
    assert (settings.holiday_country, settings.holiday_region, settings.admins) == (
        "NZ",
        "AUK",
        ("U012ABCDEF",),
    )
