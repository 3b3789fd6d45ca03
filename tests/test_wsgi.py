"""`bot.wsgi:application` under gunicorn: a set-up mistake is one line on stderr, as the CLI words it, and
exit status 4, gunicorn's "App failed to load", so gunicorn stops rather than restarting workers (issue 14).

Each case is a real process importing this checkout's bot.wsgi (as gunicorn does) with an environment of
its own. Slack and PostgreSQL "down" are closed ports on 127.0.0.1; nothing here leaves this machine.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from storage.crypto import generate_key

ROOT = Path(__file__).resolve().parents[1]
KEY = generate_key()
APP_LOAD_ERROR = 4
LOAD = "import bot.wsgi as wsgi; wsgi.application"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "SLACK_SIGNING_SECRET": "not-a-secret",
        "SLACK_BOT_TOKEN": "xoxb-never-used",
        "SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/",
        "CASEBOT_DATA_KEYS": KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'casebot.db'}",
    }
    return {k: v for k, v in {**base, **settings}.items() if v}


def load(tmp_path: Path, code: str = LOAD, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this checkout's own module, code from the tests
        [sys.executable, "-c", code],
        env=environment(tmp_path, **settings),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.returncode == APP_LOAD_ERROR, result.stderr
    assert lines[0].startswith("casebot: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_missing_signing_secret(tmp_path):
    one_line(load(tmp_path, SLACK_SIGNING_SECRET=""), "SLACK_SIGNING_SECRET is not set")


def test_a_missing_bot_token(tmp_path):
    one_line(load(tmp_path, SLACK_BOT_TOKEN=""), "SLACK_BOT_TOKEN is not set")


def test_missing_data_keys(tmp_path):
    one_line(load(tmp_path, CASEBOT_DATA_KEYS=""), "CASEBOT_DATA_KEYS is not set")


def test_slack_unreachable(tmp_path):
    port = closed_port()
    url = f"http://127.0.0.1:{port}/api/"
    one_line(load(tmp_path, SLACK_API_URL=url), f"cannot reach Slack at {url}", "Connection refused")


def test_a_sqlite_file_in_a_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "no-such-folder" / "casebot.db"
    one_line(load(tmp_path, DATABASE_URL=f"sqlite:///{missing}"), "does not exist; create it first")


def test_postgresql_down(tmp_path):
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://casebot@127.0.0.1:{closed_port()}/casebot"
    one_line(load(tmp_path, DATABASE_URL=url), "cannot reach PostgreSQL at", "is it running")


def test_a_bug_is_not_dressed_up_as_a_set_up_mistake(tmp_path):
    bug = (
        "import bot.wsgi as wsgi\n"
        "def prepare(settings, **_options): raise RuntimeError('a bug')\n"
        "wsgi.prepare = prepare\n"
    )
    result = load(tmp_path, bug + LOAD)
    assert result.returncode == 1 and "Traceback" in result.stderr and "RuntimeError: a bug" in result.stderr
    assert "casebot: " not in result.stderr


def test_a_good_set_up_loads_the_app(tmp_path):
    """The same module, in this process, against the emulator: the entry still builds a WSGI app."""
    from bot.sandbox.emulator import SlackEmulator

    with SlackEmulator() as emu:
        env = environment(tmp_path, SLACK_API_URL=emu.base_url, SLACK_BOT_TOKEN=emu.bot_token)
        code = LOAD + "; print(type(wsgi.application).__name__)"
        result = subprocess.run(  # noqa: S603 - as above
            [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "GuardedHandler"  # bolt's handler behind the request checks


@pytest.mark.skipif(importlib.util.find_spec("gunicorn") is None, reason="gunicorn is the `server` extra")
def test_gunicorn_stops_after_one_line(tmp_path):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    assert gunicorn is not None
    result = subprocess.run(  # noqa: S603 - gunicorn from this venv, on 127.0.0.1 only
        [gunicorn, "--bind", "127.0.0.1:0", "--workers", "1", "bot.wsgi:application"],
        env=environment(tmp_path, SLACK_SIGNING_SECRET=""),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    ours = [line for line in result.stderr.splitlines() if line.startswith("casebot: ")]
    assert len(ours) == 1 and "SLACK_SIGNING_SECRET is not set" in ours[0], result.stderr
    assert "Traceback" not in result.stderr and "App failed to load." in result.stderr
    assert result.returncode == APP_LOAD_ERROR  # gunicorn stopped, it did not restart the worker
