"""The urgent-concern settings: read from the environment or the TOML file, and refused in one line."""

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_are_an_hour_and_no_duty_contact():
    settings = load_settings({})
    assert settings.urgent_ack_minutes == 60 and settings.urgent_duty_contact == ""


def test_the_environment_and_the_toml_file_set_them(tmp_path):
    env = {"CASEBOT_URGENT_ACK_MINUTES": "20", "CASEBOT_URGENT_DUTY_CONTACT": "U0DUTY01"}
    settings = load_settings(env)
    assert settings.urgent_ack_minutes == 20 and settings.urgent_duty_contact == "U0DUTY01"
    path = tmp_path / "casebot.toml"
    path.write_text('urgent_ack_minutes = 45\nurgent_duty_contact = "U0DUTY02"\n')
    from_file = load_settings({"CASEBOT_CONFIG": str(path)})
    assert from_file.urgent_ack_minutes == 45 and from_file.urgent_duty_contact == "U0DUTY02"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"CASEBOT_URGENT_ACK_MINUTES": "0"}, "CASEBOT_URGENT_ACK_MINUTES must be at least 1"),
        ({"CASEBOT_URGENT_ACK_MINUTES": "soon"}, "CASEBOT_URGENT_ACK_MINUTES must be a whole number"),
        (
            {"CASEBOT_URGENT_DUTY_CONTACT": "@duty-team"},
            "CASEBOT_URGENT_DUTY_CONTACT must be one Slack user id",
        ),
        ({"CASEBOT_URGENT_DUTY_CONTACT": "U01,U02"}, "CASEBOT_URGENT_DUTY_CONTACT must be one Slack user id"),
    ],
)
def test_bad_values_are_refused_in_one_line(env, says):
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert says in str(raised.value) and "\n" not in str(raised.value)
