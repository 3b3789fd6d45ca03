"""CASEBOT_DRIFT_THRESHOLDS and CASEBOT_DIGEST_AT: read by name, refused in one line when wrong."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

import pytest

from bot.config import load_settings
from bot.config_checks import DRIFT_THRESHOLDS
from bot.config_settings import ConfigError
from bot.drift.flows import thresholds
from bot.drift.rules_facts import Thresholds


def test_the_config_names_are_the_rules_thresholds():
    assert set(DRIFT_THRESHOLDS) == {f.name for f in fields(Thresholds)}


def test_thresholds_override_the_defaults_by_name():
    settings = load_settings({"CASEBOT_DRIFT_THRESHOLDS": " quiet_weeks=4, disagreement_days = 21 "})
    found = thresholds(SimpleNamespace(settings=settings))
    assert (found.quiet_weeks, found.disagreement_days) == (4, 21)
    assert found.learning_days == Thresholds().learning_days
    assert thresholds(SimpleNamespace(settings=load_settings({}))) == Thresholds()


@pytest.mark.parametrize("bad", ["quiet_weeks", "quiet_weeks=0", "quite_weeks=3", "quiet_weeks=three"])
def test_a_bad_threshold_is_one_clear_line(bad):
    with pytest.raises(ConfigError) as raised:
        load_settings({"CASEBOT_DRIFT_THRESHOLDS": bad})
    message = str(raised.value)
    assert "\n" not in message and message.startswith("CASEBOT_DRIFT_THRESHOLDS must be name=number pairs")
    assert f"{bad!r} is not one." in message


@pytest.mark.parametrize("bad", ["Monday", "Mon 9", "Funday 09:00", "Mon 24:00"])
def test_a_bad_digest_time_is_one_clear_line(bad):
    with pytest.raises(ConfigError) as raised:
        load_settings({"CASEBOT_DIGEST_AT": bad})
    assert str(raised.value) == f"CASEBOT_DIGEST_AT must be a day and a time like Mon 09:00, not {bad!r}."
