"""Settings for late summaries and raw-text retention: defaults, parsing and one-line errors."""

import pytest

from bot.config import ConfigError, load_settings


def test_summaries_are_due_within_one_working_day_and_raw_text_kept_thirty_days_by_default():
    settings = load_settings({})
    assert settings.record_within_working_days == 1 and settings.raw_text_retention_days == 30


def test_both_are_read_from_the_environment_and_zero_is_allowed():
    settings = load_settings(
        {"CASEBOT_RECORD_WITHIN_WORKING_DAYS": "0", "CASEBOT_RAW_TEXT_RETENTION_DAYS": "0"}
    )
    assert settings.record_within_working_days == 0 and settings.raw_text_retention_days == 0
    settings = load_settings(
        {"CASEBOT_RECORD_WITHIN_WORKING_DAYS": "5", "CASEBOT_RAW_TEXT_RETENTION_DAYS": "90"}
    )
    assert settings.record_within_working_days == 5 and settings.raw_text_retention_days == 90


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASEBOT_RECORD_WITHIN_WORKING_DAYS", "tomorrow"),
        ("CASEBOT_RECORD_WITHIN_WORKING_DAYS", "-1"),
        ("CASEBOT_RECORD_WITHIN_WORKING_DAYS", "21"),
        ("CASEBOT_RAW_TEXT_RETENTION_DAYS", "a month"),
        ("CASEBOT_RAW_TEXT_RETENTION_DAYS", "-30"),
        ("CASEBOT_RAW_TEXT_RETENTION_DAYS", "3000"),
    ],
)
def test_malformed_values_name_the_variable_in_one_line(name, value):
    with pytest.raises(ConfigError) as raised:
        load_settings({name: value})
    assert name in str(raised.value) and "\n" not in str(raised.value)


def test_a_toml_file_can_set_them(tmp_path):
    path = tmp_path / "casebot.toml"
    path.write_text("record_within_working_days = 2\nraw_text_retention_days = 14\n")
    settings = load_settings({"CASEBOT_CONFIG": str(path)})
    assert settings.record_within_working_days == 2 and settings.raw_text_retention_days == 14


def test_slack_exports_are_on_and_kept_seven_days_by_default_and_can_be_turned_off():
    settings = load_settings({})
    assert settings.exports_by_slack is True and settings.export_file_keep_days == 7
    settings = load_settings({"CASEBOT_EXPORTS_BY_SLACK": "false", "CASEBOT_EXPORT_FILE_KEEP_DAYS": "0"})
    assert settings.exports_by_slack is False and settings.export_file_keep_days == 0


@pytest.mark.parametrize("value", ["a week", "-1", "91"])
def test_an_export_file_kept_too_long_or_malformed_is_one_line(value):
    with pytest.raises(ConfigError) as raised:
        load_settings({"CASEBOT_EXPORT_FILE_KEEP_DAYS": value})
    assert "CASEBOT_EXPORT_FILE_KEEP_DAYS" in str(raised.value) and "\n" not in str(raised.value)
