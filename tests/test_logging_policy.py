"""Start-up noise is held back without hiding what matters: alembic and APScheduler warnings still show."""

from __future__ import annotations

import logging

import pytest

from bot import logs


@pytest.fixture(autouse=True)
def _restore_levels():
    names = ("alembic", "apscheduler", *logs.SLACK_LIBRARIES)
    saved = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("name", ["alembic.runtime.migration", "apscheduler.scheduler"])
def test_routine_info_is_held_back_and_warnings_still_show(name):
    logs.configure("INFO")
    logger = logging.getLogger(name)
    assert not logger.isEnabledFor(logging.INFO)  # "Running upgrade ...", "Added job ..."
    assert logger.isEnabledFor(logging.WARNING)  # "Run time of job ... was missed", a migration's warning


def test_at_debug_the_libraries_say_everything_again():
    logs.configure("INFO")
    logs.quiet_chatty_libraries("DEBUG")
    assert logging.getLogger("apscheduler").level == logging.getLogger("alembic").level == logging.NOTSET


def test_at_error_their_warnings_are_held_back_too():
    logs.quiet_chatty_libraries("ERROR")
    assert not logging.getLogger("alembic").isEnabledFor(logging.WARNING)
