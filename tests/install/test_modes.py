"""One SLACK_BOT_TOKEN or installation by OAuth, chosen by configuration: one clear line otherwise."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.cli import main
from bot.config import ConfigError, ephemeral_data_keys, load_settings
from bot.config_settings import Settings
from bot.install.oauth import manifest_scopes
from bot.sandbox.scopes import manifest_scopes as emulator_scopes

OAUTH = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "secret"}


def _one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def test_both_modes_at_once_is_refused_in_one_line():
    with pytest.raises(ConfigError) as error:
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1", **OAUTH})
    assert "not both" in _one_line(error)


def test_neither_mode_says_how_to_set_either():
    with pytest.raises(ConfigError) as error:
        Settings().require_token_mode()
    assert "SLACK_BOT_TOKEN is not set" in _one_line(error) and "SLACK_CLIENT_ID" in str(error.value)


def test_a_client_id_without_its_secret_is_named():
    with pytest.raises(ConfigError) as error:
        load_settings({"SLACK_CLIENT_ID": "1111.2222"}).require_token_mode()
    assert _one_line(error).startswith("SLACK_CLIENT_SECRET is not set")


def test_the_modes_are_told_apart():
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).require_token_mode() == "token"
    assert load_settings(OAUTH).require_token_mode() == "oauth"


def test_a_redirect_url_must_be_https():
    with pytest.raises(ConfigError) as error:
        load_settings({**OAUTH, "SLACK_REDIRECT_URI": "http://casebot.example.org/slack/oauth_redirect"})
    assert "https://" in _one_line(error)


def test_socket_mode_with_oauth_stops_with_one_line(monkeypatch, tmp_path, capsys):
    for name, value in {
        **OAUTH,
        "SLACK_APP_TOKEN": "xapp-1",
        "CASEBOT_DATA_KEYS": ",".join(ephemeral_data_keys()),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'casebot.db'}",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("casebot: Socket Mode serves one workspace")


def test_the_install_asks_for_the_manifests_scopes(slack):
    url, _cookie = slack.start_install()
    asked = parse_qs(urlsplit(url).query)["scope"][0].split(",")
    assert sorted(asked) == sorted(manifest_scopes()) == sorted(emulator_scopes())
