"""Case text is encrypted at rest: a copied database file shows none of it.

Rows with planted case text are written at the revision before encryption (plain, as casebot wrote
them then), the database is upgraded, and the file is read as bytes. Keys rotate; settings never show
them; without a key casebot refuses to start.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import cli
from bot.config import ConfigError, Settings, ephemeral_data_keys, load_settings
from bot.keys_cli import rotate_column
from storage import crypto, migrate
from storage.db import make_engine, make_sessions
from storage.models import (
    Agreement,
    Base,
    CapturedItem,
    Discussion,
    NoteAction,
    NoteVersion,
    OutboxMessage,
    ThreadMessage,
    Workspace,
)

NOW = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)


def plant(table: str, column: str) -> str:
    return f"PLANTED {table}.{column}: Aroha told us about her dad's visits"


PLANTED = {(table, column): plant(table, column) for table, column, _ in crypto.ENCRYPTED_COLUMNS}
ORDER = [
    "workspaces",
    "people",
    "cases",
    "agreements",
    "discussions",
    "thread_messages",
    "captured_items",
    "notes",
    "note_versions",
    "note_actions",
    "outbox",
]


def _value(column: sa.Column):
    kind = column.type
    if isinstance(kind, crypto.EncryptedJSON | sa.JSON):
        return []
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    python = {sa.Integer: 1, sa.Boolean: False, sa.Date: date(2026, 12, 1)}
    for base, value in python.items():
        if isinstance(kind, base):
            return value
    if isinstance(kind, sa.String) and not isinstance(kind, sa.Text):
        return "T1" if column.name == "team_id" else "x"
    if isinstance(kind, sa.Text):
        return "x"
    return NOW  # UTCDateTime


def _plain_table(table: sa.Table) -> sa.TableClause:
    """The table as it was before encryption: case text as plain TEXT or JSON, nothing encrypted."""

    def plain(column: sa.Column) -> sa.ColumnClause:
        kind = column.type
        if isinstance(kind, crypto.EncryptedJSON):
            return sa.column(column.name, sa.JSON())
        if isinstance(kind, crypto.EncryptedText):
            return sa.column(column.name, sa.Text())
        if isinstance(kind, sa.Enum):
            return sa.column(column.name, sa.String())
        return sa.column(column.name, kind)

    return sa.table(table.name, *[plain(c) for c in table.columns])


def plant_rows_before_encryption(engine, rows: int = 3) -> None:
    """Rows in each table with case text, at revision 0007, with planted text in every case-text column."""
    migrate.downgrade(engine, "0007")
    with engine.begin() as conn:
        for name in ORDER:
            table = Base.metadata.tables[name]
            for n in range(1, (rows if name in {t for t, _ in PLANTED} else 1) + 1):
                values = {c.name: _value(c) for c in table.columns if not c.nullable or c.name in ("focus",)}
                values |= {"id": n} if "id" in table.columns else {}
                values |= {
                    k: v
                    for k, v in {"version": n, "number": n, "ts": f"{n}", "key": f"k{n}"}.items()
                    if k in table.columns
                }
                for (planted_table, column), text in PLANTED.items():
                    if planted_table == name:
                        is_json = isinstance(table.c[column].type, crypto.EncryptedJSON)
                        values[column] = [{"text": f"{text} #{n}"}] if is_json else f"{text} #{n}"
                if name == "outbox":
                    values["payload"] = {"text": f"{PLANTED[('outbox', 'payload')]} #{n}", "case_id": 1}
                conn.execute(_plain_table(table).insert().values(values))


def raw_values(engine) -> list[str]:
    with engine.connect() as conn:
        return [
            value
            for table, column, _ in crypto.ENCRYPTED_COLUMNS
            for value in conn.execute(sa.text(f"SELECT CAST({column} AS TEXT) FROM {table}")).scalars()
            if value is not None
        ]


def file_bytes(database_url: str) -> bytes:
    path = Path(database_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_the_migration_encrypts_every_planted_value_and_leaves_none_in_the_file(engine, database_url):
    plant_rows_before_encryption(engine)
    if engine.dialect.name == "sqlite":
        assert file_bytes(database_url).count(b"PLANTED") > 0  # the check below can find it
    migrate.upgrade(engine)

    assert all(value.startswith(crypto.PREFIX) for value in raw_values(engine))
    assert not [v for v in raw_values(engine) if "PLANTED" in v]
    if engine.dialect.name == "sqlite":
        engine.dispose()
        assert file_bytes(database_url).count(b"PLANTED") == 0
        assert file_bytes(database_url).count(b"Aroha") == 0
    with Session(engine) as session:  # and casebot reads every value back as it was
        assert session.get(ThreadMessage, 2).text == PLANTED[("thread_messages", "text")] + " #2"
        assert session.get(NoteVersion, 1).sections == [
            {"text": PLANTED[("note_versions", "sections")] + " #1"}
        ]
        assert session.get(OutboxMessage, 3).payload["text"].endswith("#3")
        assert session.get(Agreement, 1).learning_goals == PLANTED[("agreements", "learning_goals")] + " #1"
        assert session.get(NoteAction, 1).status_reason.startswith("PLANTED")
        assert session.get(Discussion, 1).focus.startswith("PLANTED")
        assert session.get(CapturedItem, 3).text.startswith("PLANTED")


def test_the_migration_run_again_after_an_interruption_encrypts_nothing_twice(engine):
    plant_rows_before_encryption(engine)
    cipher = crypto.cipher_for(engine.dialect)
    # An earlier run got as far as the first thread message and the first outbox row (by hand here).
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE thread_messages SET text = :v WHERE id = 1"),
            {"v": cipher.encrypt(PLANTED[("thread_messages", "text")] + " #1")},
        )
    migrate.upgrade(engine)
    with Session(engine) as session:
        assert session.get(ThreadMessage, 1).text == PLANTED[("thread_messages", "text")] + " #1"
        assert session.get(ThreadMessage, 2).text == PLANTED[("thread_messages", "text")] + " #2"
    # Down and up again (the downgrade decrypts): still one layer of encryption, same text.
    migrate.downgrade(engine, "0007")
    assert PLANTED[("captured_items", "text")] + " #1" in raw_values(engine)
    migrate.upgrade(engine)
    with Session(engine) as session:
        assert session.get(CapturedItem, 1).text == PLANTED[("captured_items", "text")] + " #1"


def test_a_journey_through_the_sandbox_leaves_no_case_text_in_the_file(tmp_path):
    from bot.sandbox.demo import run_demo

    path = tmp_path / "journey.db"
    lines: list[str] = []
    assert run_demo(db_path=str(path), out=lines.append) == 0
    data = file_bytes(f"sqlite:///{path}")
    typed = [
        b"What would help the family take part in the plan?",  # the focus question
        b"Health visitor saw the baby",  # a reply
        b"book an interpreter",  # an action
        b"explain the plan to mum together",  # a decision
        b"Chair the next core group",  # the agreement's learning goals
        b"School and health visitor only",  # its information sharing
        b"Interpreter booked",  # what done looks like, in the note
    ]
    assert any(t.decode() in "\n".join(map(str, lines)) for t in typed)  # the journey did type them
    assert [t for t in typed if t in data] == []


def test_reading_needs_the_key_that_wrote_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    engine = make_engine(url)
    crypto.bind(engine, ephemeral_data_keys())
    migrate.upgrade(engine)
    with make_sessions(engine).begin() as session:
        session.add(Workspace(team_id="T1", created_at=NOW))
        session.flush()
        session.add(
            OutboxMessage(team_id="T1", kind="dm", payload={"text": "t"}, created_at=NOW, next_attempt_at=NOW)
        )
    other = make_engine(url)
    crypto.bind(other, (crypto.generate_key(),))
    with pytest.raises(crypto.DataKeyError, match="cannot be decrypted"), Session(other) as session:
        session.scalar(sa.select(OutboxMessage))
    engine.dispose()
    other.dispose()


def test_keys_rotate_re_encrypts_everything_with_the_newest_key_and_can_be_run_again(
    tmp_path, monkeypatch, capsys
):
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    old, new = crypto.generate_key(), crypto.generate_key()
    engine = make_engine(url)
    crypto.bind(engine, (old,))
    migrate.upgrade(engine)
    plant_rows_before_encryption(engine, rows=5)
    migrate.upgrade(engine)  # encrypted with the old key
    engine.dispose()

    monkeypatch.delenv("CASEBOT_CONFIG", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CASEBOT_DATA_KEYS", f"{new},{old}")
    # Interrupted after one column: a first run did only part of the work.
    partial = make_engine(url)
    cipher = crypto.bind(partial, (new, old))
    assert rotate_column(partial, cipher, "thread_messages", "text", batch=2, out=lambda _: None) == 5
    partial.dispose()

    assert cli.main(["keys", "rotate", "--batch", "2"]) == 0
    out = capsys.readouterr().out
    assert "thread_messages.text: 5 of 5 rows looked at, 0 re-encrypted" in out  # done before: skipped
    assert "note_versions.sections: 2 of 5 rows looked at, 2 re-encrypted" in out  # batch by batch
    assert out.strip().splitlines()[-1].startswith("casebot: done:")
    assert old not in out and new not in out

    only_new = make_engine(url)
    crypto.bind(only_new, (new,))
    with Session(only_new) as session:
        assert session.get(ThreadMessage, 5).text == PLANTED[("thread_messages", "text")] + " #5"
        assert session.get(NoteVersion, 2).actions == [
            {"text": PLANTED[("note_versions", "actions")] + " #2"}
        ]
    only_new.dispose()
    assert cli.main(["keys", "rotate"]) == 0
    assert "casebot: done: 0 values re-encrypted" in capsys.readouterr().out


def test_settings_never_show_the_keys():
    key = crypto.generate_key()
    settings = load_settings({"CASEBOT_DATA_KEYS": f"{key}, {crypto.generate_key()}"})
    assert settings.data_keys[0] == key and len(settings.data_keys) == 2
    assert key not in repr(settings) and key not in str(settings)
    with pytest.raises(ConfigError) as refused:
        load_settings({"CASEBOT_DATA_KEYS": f"{key},not-a-key-{key[:20]}"})
    message = str(refused.value)
    assert message.startswith("CASEBOT_DATA_KEYS: key 2 of 2 is not a Fernet key") and key[:20] not in message
    assert "\n" not in message


def test_casebot_refuses_to_start_without_a_key_in_one_line(monkeypatch, capsys, tmp_path):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CASEBOT_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    for argv in (
        ["run"],
        ["sweep"],
        ["db", "upgrade"],
        ["keys", "rotate"],
        ["notes", "list", "--case", "C-1"],
    ):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("casebot: CASEBOT_DATA_KEYS is not set: case text is encrypted at rest")
        assert "\n" not in err


def test_a_settings_object_without_keys_is_refused_by_build_deps():
    from bot.deps import build_deps

    with pytest.raises(ConfigError, match="CASEBOT_DATA_KEYS"):
        build_deps(Settings())
