"""Engine and session factory. SQLite gets WAL, foreign keys and a busy timeout on every connection."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite opens a transaction only before its first INSERT/UPDATE/DELETE, so a SAVEPOINT issued first
    # (a claim row's insert_once) would commit on its own at RELEASE, apart from the rows that must go
    # with it. SQLAlchemy's documented remedy: switch that off and BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL lets the sweep read while a listener writes; in-memory databases cannot use it.
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
        # SQLite's advice for WAL: commits stay atomic and consistent, and only a power cut can lose
        # the last ones; without it every commit waits on an fsync, which on a busy disk can take
        # longer than Slack's 3-second window for acknowledging a form.
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # IMMEDIATE takes the write lock at the start, so a transaction that reads and then writes can
    # never fail half-way on a stale snapshot; waiting for the lock is bounded by the busy timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _is_memory(dbapi_connection) -> bool:
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    return not row or not row[2]


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: flows read ids and fields after commit to talk to Slack.
    return sessionmaker(engine, expire_on_commit=False)
