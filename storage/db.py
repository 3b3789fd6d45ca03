"""Engine and session factory. SQLite gets WAL, foreign keys and a busy timeout on every connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000
# An execution option marking a read-only engine (see make_read_sessions).
READ_ONLY = "casebot_read_only"
# An execution option marking a write made before an ack (see single_statements): it goes in first.
BEFORE_ACK = "casebot_before_ack"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        gate = _GATES[engine] = WriterGate()
        event.listen(engine, "begin", lambda connection: _sqlite_begin(connection, gate))
        for ended in ("commit", "rollback"):
            event.listen(engine, ended, lambda connection: gate.leave(connection.info))
        # A connection back in the pool (or thrown away) with its transaction never ended still lets go.
        event.listen(engine, "checkin", lambda _dbapi, record: gate.leave(record.info if record else {}))
        event.listen(engine, "reset", lambda _dbapi, record, reset_state: gate.leave(record.info))
        event.listen(engine, "invalidate", lambda _dbapi, record, exception: gate.leave(record.info))
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


def _sqlite_begin(connection, gate: WriterGate) -> None:
    # IMMEDIATE takes the write lock at the start, so a transaction that reads and then writes can
    # never fail half-way on a stale snapshot; waiting for the lock is bounded by the busy timeout.
    # A read-only transaction needs no write lock: under WAL it reads its snapshot while a writer
    # writes, so `/case list` or App Home never queues behind a sweep or a form being saved.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    gate.enter(connection.info, before_ack=bool(connection.get_execution_options().get(BEFORE_ACK)))
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        gate.leave(connection.info)
        raise


class WriterGate:
    """One process's SQLite writers wait for each other here rather than in SQLite's busy handler, and a
    write made before an ack goes in ahead of the work done after acks.

    SQLite lets one writer in at a time; the others retry after sleeps that grow to 100 ms, so under
    load a writer could wait a second and more for a lock free most of that time (the agreement form's
    one insert before its ack waited 1.5 s behind the saves after earlier acks). Waiting here, a writer
    starts as soon as the one before it ends. Writers in other processes still meet in SQLite's busy
    handler; a writer kept here past the busy timeout goes on to wait there, as before.

    Saving a case, sending its card and counting its channel hold the lock for 3 to 20 ms each, and a
    busy team keeps it held most of the time: with 8 people sending forms at once, a form's 2 ms insert
    before its ack waited 21 ms at the median and 100 ms at p99 (issue 17), as long as everything that
    queued before it. An ack that is waiting now waits only for the writer inside.
    """

    HOLDS = "casebot_holds_writer_gate"  # in a connection's info while its transaction holds the gate

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._busy = False
        self._acks_waiting = 0
        self.waiting = 0  # writers waiting here (for tests to check)
        self.holder: int | None = None  # the thread whose transaction holds it (for tests to check)

    def enter(self, info: dict, *, before_ack: bool = False) -> None:
        with self._turn:
            self._acks_waiting += before_ack
            self.waiting += 1
            free = False
            try:
                free = self._turn.wait_for(
                    lambda: not self._busy and (before_ack or not self._acks_waiting),
                    timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                )
            finally:
                self._acks_waiting -= before_ack
                self.waiting -= 1
                if not free:
                    self._turn.notify_all()  # a writer behind this ack need not wait for it any more
            if free:
                self._busy, self.holder = True, threading.get_ident()
                info[self.HOLDS] = True

    def leave(self, info: dict) -> None:
        if info.pop(self.HOLDS, False):
            with self._turn:
                self._busy, self.holder = False, None
                self._turn.notify_all()

    @property
    def held(self) -> bool:
        return self._busy


_GATES: WeakKeyDictionary[Engine, WriterGate] = WeakKeyDictionary()


def writer_gate(engine: Engine) -> WriterGate | None:
    """The SQLite engine's writer gate (None for PostgreSQL, whose writers need none)."""
    return _GATES.get(engine)


def _is_memory(dbapi_connection) -> bool:
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    return not row or not row[2]


@contextmanager
def single_statements(engine: Engine) -> Iterator[Connection]:
    """A connection for statements that each stand alone (one that stores, one that looks), on the ack
    path. On PostgreSQL it is in autocommit: each statement commits as it ends, durable as in a
    transaction but without BEGIN and COMMIT, two round trips of their own. On SQLite it is one write
    transaction (BEGIN IMMEDIATE), which goes through casebot's writer gate ahead of the writers after
    acks."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection
    else:
        with engine.connect().execution_options(**{BEFORE_ACK: True}) as connection, connection.begin():
            yield connection


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: flows read ids and fields after commit to talk to Slack.
    return sessionmaker(engine, expire_on_commit=False)


class ReadOnlySession(Session):
    """A session for reads only: it takes no write lock on SQLite, and refuses to write anything."""

    def flush(self, objects=None) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadOnlyError("a read-only session was asked to write: use deps.sessions.begin()")
        super().flush(objects)


class ReadOnlyError(RuntimeError):
    pass


def make_read_sessions(engine: Engine) -> sessionmaker[ReadOnlySession]:
    """Sessions for flows that only read (lists, views, the delivery loop's look at what is due).

    On PostgreSQL they read in autocommit: under READ COMMITTED each statement takes its own snapshot
    anyway, so a read-only transaction gave no more consistency and cost two round trips of its own
    (BEGIN, then ROLLBACK or COMMIT) on every acknowledgement that reads, such as the agreement form's
    checks. A read that needs one snapshot across statements opens its own (bot/audit_cli.py)."""
    options: dict[str, object] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return sessionmaker(engine.execution_options(**options), class_=ReadOnlySession, expire_on_commit=False)
