from datetime import date

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_need_no_environment():
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite")
    assert settings.command == "/case"


def test_admins_are_a_comma_separated_list():
    assert load_settings({"CASEBOT_ADMINS": "U01ABC, U02DEF"}).admins == ("U01ABC", "U02DEF")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SLACK_BOT_TOKEN": "abc"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        ({"CASEBOT_ADMINS": "alice"}, "CASEBOT_ADMINS"),
        ({"CASEBOT_ALLOW_PUBLIC_CHANNELS": "perhaps"}, "CASEBOT_ALLOW_PUBLIC_CHANNELS"),
        ({"CASEBOT_REFERENCE_PATTERN": "(["}, "CASEBOT_REFERENCE_PATTERN"),
        ({"CASEBOT_DEFAULT_TIMEZONE": "Mars/Olympus"}, "CASEBOT_DEFAULT_TIMEZONE"),
        ({"DATABASE_URL": "casebot.db"}, "DATABASE_URL"),
        ({"CASEBOT_CONFIG": "/nonexistent/casebot.toml"}, "CASEBOT_CONFIG"),
        ({"CASEBOT_WORKING_HOURS": "nine to five"}, "CASEBOT_WORKING_HOURS"),
        ({"CASEBOT_WORKING_HOURS": "17:00-09:00"}, "CASEBOT_WORKING_HOURS"),
        ({"CASEBOT_WORKING_DAYS": "Mon,Funday"}, "CASEBOT_WORKING_DAYS"),
        ({"CASEBOT_HOLIDAY_COUNTRY": "XX"}, "CASEBOT_HOLIDAY_COUNTRY"),
        ({"CASEBOT_HOLIDAY_COUNTRY": "NZ", "CASEBOT_HOLIDAY_REGION": "ENG"}, "CASEBOT_HOLIDAY_REGION"),
        ({"CASEBOT_REMIND_AFTER_WORKING_DAYS": "two"}, "CASEBOT_REMIND_AFTER_WORKING_DAYS"),
        ({"CASEBOT_ESCALATE_AFTER_WORKING_DAYS": "1"}, "CASEBOT_ESCALATE_AFTER_WORKING_DAYS"),
        ({"CASEBOT_SWEEP_EVERY_SECONDS": "1"}, "CASEBOT_SWEEP_EVERY_SECONDS"),
    ],
)
def test_malformed_settings_name_the_variable_in_one_line(env, names):
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert names in str(raised.value) and "\n" not in str(raised.value)


def test_missing_tokens_say_how_to_get_them():
    settings = load_settings({})
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set: install the app"):
        settings.require_bot_token()
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        settings.require_signing_secret()


def test_toml_file_is_read_and_environment_wins(tmp_path):
    path = tmp_path / "casebot.toml"
    path.write_text('command = "/cowork"\nallow_public_channels = true\nadmins = ["U0A"]\n')
    settings = load_settings({"CASEBOT_CONFIG": str(path), "CASEBOT_COMMAND": "/casework"})
    assert settings.command == "/casework"
    assert settings.allow_public_channels is True
    assert settings.admins == ("U0A",)


def test_cli_prints_one_line_and_exits_non_zero(capsys, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("casebot: SLACK_APP_TOKEN is not set") and "\n" not in err


def test_schedule_settings_are_read_into_working_hours_and_holidays():
    settings = load_settings(
        {
            "CASEBOT_WORKING_HOURS": "08:30-16:30",
            "CASEBOT_WORKING_DAYS": "Mon,Tue,Wed,Thu",
            "CASEBOT_HOLIDAY_COUNTRY": "NZ",
            "CASEBOT_HOLIDAY_REGION": "AUK",
            "CASEBOT_REMIND_AFTER_WORKING_DAYS": "1",
            "CASEBOT_ESCALATE_AFTER_WORKING_DAYS": "3",
        }
    )
    hours = settings.hours()
    assert (hours.start.isoformat(), hours.end.isoformat(), hours.days) == (
        "08:30:00",
        "16:30:00",
        {0, 1, 2, 3},
    )
    assert date(2027, 2, 6) in settings.public_holidays()  # Waitangi Day
    assert (settings.remind_after_working_days, settings.escalate_after_working_days) == (1, 3)


# ---------------------------------------------------------------- question banks and reactions
def test_an_organisations_bank_folder_adds_and_replaces_questions(tmp_path):
    from bot.deps import load_content

    (tmp_path / "ours.toml").write_text(
        '[[question]]\nid = "risk.our_own"\nlens = "risk"\ntext = "What does our own safety tool say here?"\n'
        'stages = []\naudience = ["coworkers"]\n'
    )
    settings = load_settings({"CASEBOT_BANK_FOLDER": str(tmp_path)})
    banks = load_content(settings).banks
    assert banks.questions["risk.our_own"].text == "What does our own safety tool say here?"
    assert len([q for q in banks.questions.values() if q.lens == "clarifying"]) >= 8


def test_a_bad_bank_file_stops_start_up_with_a_message_naming_the_file(tmp_path):
    from bot.deps import load_content

    (tmp_path / "broken.toml").write_text('[[question]]\nid = "x.1"\nlens = "astrology"\ntext = "Why?"\n')
    settings = load_settings({"CASEBOT_BANK_FOLDER": str(tmp_path)})
    with pytest.raises(ConfigError, match=r"broken\.toml.*astrology"):
        load_content(settings)


def test_the_bank_folder_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="CASEBOT_BANK_FOLDER"):
        load_settings({"CASEBOT_BANK_FOLDER": str(tmp_path / "missing")})


def test_capture_reactions_are_read_and_checked():
    settings = load_settings({"CASEBOT_CAPTURE_REACTIONS": ":star:=decision, eyes=concern"})
    assert settings.reactions() == {"star": "decision", "eyes": "concern"}
    with pytest.raises(ConfigError, match="CASEBOT_CAPTURE_REACTIONS"):
        load_settings({"CASEBOT_CAPTURE_REACTIONS": "star=gossip"})


def test_the_readmes_question_bank_example_loads(tmp_path):
    """The README shows how to add a bank; what it shows must really work."""
    import re
    from pathlib import Path

    from bot.content import BANKS, load_banks

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    examples = {
        m[1]: m[0] for m in re.findall(r"```toml\n(# my-banks/(\S+)\n.*?)```", readme, flags=re.DOTALL)
    }
    assert set(examples) == {"questions.toml", "words.toml"}
    for name, example in examples.items():
        (tmp_path / name).write_text(example)
    banks = load_banks([BANKS, tmp_path])
    assert banks.questions["risk.our_tool"].lens == "risk"
    assert [s.id for s in banks.frameworks["team_huddle"].stages] == ["now", "next"]
    assert banks.vocabulary["child"] == "mokopuna"


def test_settings_as_environment_read_back_as_the_same_settings():
    """A casebot process started beside a sandbox or a benchmark reads the same settings from it."""
    from dataclasses import replace

    from bot.config import Settings, as_environment, ephemeral_data_keys

    settings = replace(
        Settings(),
        slack_bot_token="xoxb-1",
        slack_signing_secret="secret",
        database_url="sqlite+pysqlite:////tmp/x.db",
        admins=("U0ADMIN1", "U0ADMIN2"),
        data_keys=ephemeral_data_keys(),
        default_timezone="Pacific/Auckland",
        slack_timeout_seconds=2.0,
    )
    assert load_settings(as_environment(settings)) == settings
    assert as_environment(Settings()) == {}
