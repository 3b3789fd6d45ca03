"""Each way casebot's set-up can be wrong ends the command with one line on stderr saying what is wrong and
what to do, exit status 2 (configuration) or 3 (Slack or PostgreSQL not answering), and the traceback
only with --debug (issue 14).

Every case is a real failure of a real `casebot` process (`python -m bot.cli`, this checkout's code) with
an environment of its own: Slack is the local emulator, or a closed port on 127.0.0.1; PostgreSQL down is
a closed port on 127.0.0.1. Nothing here contacts any address outside 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.sandbox.emulator import SlackEmulator
from storage.crypto import generate_key

ROOT = Path(__file__).resolve().parents[1]
KEY = generate_key()
CONFIG, UNREACHABLE = 2, 3


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def casebot(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "CASEBOT_DATA_KEYS": KEY,
        "SLACK_BOT_TOKEN": "xoxb-never-used",
        "SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'casebot.db'}",
    }
    return subprocess.run(  # noqa: S603 - this checkout's own casebot, arguments from the tests
        [sys.executable, "-m", "bot.cli", *argv],
        env={**base, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    """The single stderr line, after checking the exit status and that it says each of `words`."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert result.returncode == status, result.stderr
    assert line.startswith("casebot: ") and "Traceback" not in line
    for word in words:
        assert word in line, line
    return line


@pytest.fixture
def slack():
    with SlackEmulator() as emu:
        yield emu


def slack_env(emu: SlackEmulator, **overrides: str) -> dict[str, str]:
    return {
        "SLACK_API_URL": emu.base_url,
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_APP_TOKEN": emu.app_token,
        "SLACK_SIGNING_SECRET": "not-a-secret",
        **overrides,
    }


# ------------------------------------------------------------------------------------------------ Slack
def test_an_invalid_bot_token(tmp_path, slack):
    result = casebot(tmp_path, "run", **slack_env(slack, SLACK_BOT_TOKEN="xoxb-revoked"))
    one_line(result, CONFIG, "Slack refused SLACK_BOT_TOKEN (invalid_auth)", "OAuth & Permissions")


def test_a_wrong_app_token(tmp_path, slack):
    result = casebot(tmp_path, "run", **slack_env(slack, SLACK_APP_TOKEN="xapp-from-another-app"))
    one_line(result, CONFIG, "Slack refused SLACK_APP_TOKEN (invalid_auth)", "connections:write")


def test_slack_unreachable(tmp_path):
    port = closed_port()
    result = casebot(tmp_path, "run", SLACK_APP_TOKEN="xapp-1", SLACK_API_URL=f"http://127.0.0.1:{port}/api/")
    one_line(result, UNREACHABLE, f"cannot reach Slack at http://127.0.0.1:{port}/api/", "Connection refused")


def test_debug_shows_the_traceback_as_well(tmp_path):
    result = casebot(tmp_path, "run", "--debug", SLACK_APP_TOKEN="xapp-1")
    assert result.returncode == UNREACHABLE
    assert "Traceback (most recent call last)" in result.stderr and "URLError" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("casebot: cannot reach Slack at ")


def test_the_http_port_already_in_use(tmp_path, slack):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = casebot(tmp_path, "run", "--http", "--port", port, **slack_env(slack))
    one_line(result, CONFIG, f"cannot listen on 127.0.0.1:{port}", "--port")


# ------------------------------------------------------------------------------------------------ database
def test_a_sqlite_file_in_a_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "no-such-folder"
    result = casebot(tmp_path, "sweep", DATABASE_URL=f"sqlite:///{missing / 'casebot.db'}")
    one_line(result, CONFIG, f"the folder {missing} does not exist")


def test_a_database_migrated_by_a_newer_casebot(tmp_path):
    assert casebot(tmp_path, "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "casebot.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    one_line(casebot(tmp_path, "sweep"), CONFIG, "migrated by a newer casebot", "9999")


def test_postgresql_down(tmp_path):
    port = closed_port()
    result = casebot(tmp_path, "sweep", DATABASE_URL=f"postgresql+psycopg://casebot@127.0.0.1:{port}/casebot")
    one_line(
        result, UNREACHABLE, f"cannot reach PostgreSQL at postgresql+psycopg://casebot@127.0.0.1:{port}/"
    )


def test_a_postgres_url_is_postgresql_through_psycopg(tmp_path):
    port = closed_port()
    result = casebot(
        tmp_path, "db", "upgrade", DATABASE_URL=f"postgres://casebot:pw@127.0.0.1:{port}/casebot"
    )
    line = one_line(result, UNREACHABLE, f"postgresql+psycopg://casebot:***@127.0.0.1:{port}/casebot")
    assert "pw" not in line


needs_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
)


@pytest.fixture
def empty_postgres():
    """A PostgreSQL URL whose search path is a new, empty schema: a database nobody has migrated."""
    from storage.db import make_engine
    from tests.conftest import _in_own_schema, _reset_postgres

    url = _in_own_schema(os.environ["TEST_DATABASE_URL"])
    engine = make_engine(url)
    _reset_postgres(engine)
    engine.dispose()
    return url


@needs_postgres
def test_postgresql_not_migrated_sweep(tmp_path, empty_postgres):
    one_line(casebot(tmp_path, "sweep", DATABASE_URL=empty_postgres), CONFIG, "run `casebot db upgrade`")


@needs_postgres
def test_postgresql_not_migrated_notes(tmp_path, empty_postgres):
    result = casebot(tmp_path, "notes", "list", "--case", "CASE-2026-014", DATABASE_URL=empty_postgres)
    one_line(result, CONFIG, "is not migrated", "run `casebot db upgrade`")


@needs_postgres
def test_a_postgresql_database_that_does_not_exist(tmp_path):
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(database="casebot_no_such_database")
    result = casebot(tmp_path, "sweep", DATABASE_URL=url.render_as_string(hide_password=False))
    one_line(result, CONFIG, '"casebot_no_such_database" does not exist', "create it")


@needs_postgres
def test_a_postgresql_user_that_does_not_exist(tmp_path):
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(username="casebot_no_such_user", password=None)
    result = casebot(tmp_path, "sweep", DATABASE_URL=url.render_as_string(hide_password=False))
    one_line(result, CONFIG, '"casebot_no_such_user" does not exist', "check the user and password")


# ----------------------------------------------------------------------------------------- CASEBOT_CONFIG
def test_casebot_config_pointing_at_a_folder(tmp_path):
    one_line(casebot(tmp_path, "sweep", CASEBOT_CONFIG=str(tmp_path)), CONFIG, "which is a folder")


def test_a_config_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "casebot.toml"
    path.write_bytes('command = "/caf\u00e9"\n'.encode("latin-1"))
    one_line(casebot(tmp_path, "sweep", CASEBOT_CONFIG=str(path)), CONFIG, "is not UTF-8 text", "0xe9")


def test_a_config_file_that_cannot_be_read(tmp_path):
    (tmp_path / "a-file").write_text("")
    path = tmp_path / "a-file" / "casebot.toml"  # a file's "folder": unreadable, even for root
    one_line(casebot(tmp_path, "sweep", CASEBOT_CONFIG=str(path)), CONFIG, "cannot be read")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_a_config_file_without_read_permission(tmp_path):
    path = tmp_path / "casebot.toml"
    path.write_text('command = "/case"\n')
    path.chmod(0)
    one_line(casebot(tmp_path, "sweep", CASEBOT_CONFIG=str(path)), CONFIG, "cannot be read", "ermission")


# ------------------------------------------------------------------------------------------------ demo
def test_the_demo_on_a_file_that_already_exists(tmp_path):
    (tmp_path / "same.db").write_bytes(b"")
    one_line(casebot(tmp_path, "demo", "--db", "same.db"), CONFIG, "--db same.db already exists")


# ------------------------------------------------------------------------------------------------ start-up
def test_start_up_is_quiet_and_listens_on_localhost_by_default(tmp_path, slack):
    """No alembic steps, no APScheduler "Added job", no bolt "token will be unused": stdout says where."""
    env = {**os.environ, **slack_env(slack), "CASEBOT_DATA_KEYS": KEY, "PYTHONPATH": str(ROOT)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'casebot.db'}"
    env = {k: v for k, v in env.items() if not k.startswith("CASEBOT_") or k == "CASEBOT_DATA_KEYS"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--http", "--port", "0"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        time.sleep(0.5)  # the scheduler has started and added its jobs by now
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert first.startswith("casebot: listening on http://127.0.0.1:"), (first, err)
    assert err == ""
