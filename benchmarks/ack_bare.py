"""The bare slack_bolt app benchmarks/ack.py compares casebot with: it acknowledges every request at once,
and (with a store) first stores each message event with one insert and commit, as casebot must."""

from __future__ import annotations

from pathlib import Path

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy import Engine
from sqlalchemy import text as sql

from benchmarks.ack_setup import REPLY
from bot.ids import ActionId, CallbackId
from bot.sandbox.harness import SIGNING_SECRET, TEAM_ID
from storage.db import make_engine


def bare_bolt(store: Engine | None = None) -> App:
    """A bolt app that acknowledges every request the benchmark sends at once; with `store`, it first
    stores each message event with one insert and commit (the necessary work: an event acknowledged
    must never be lost, issue 17), on an engine made as casebot makes its own (storage/db.py)."""
    # bolt needs to authorize each request; answering from memory keeps it from calling auth.test.
    known = AuthorizeResult(enterprise_id=None, team_id=TEAM_ID, bot_token="xoxb-bare", bot_user_id="UBARE")
    app = App(signing_secret=SIGNING_SECRET, authorize=lambda **_kw: known)

    @app.command("/case")
    def case(ack) -> None:  # type: ignore[no-untyped-def]
        ack("ok")

    @app.action(ActionId.AGREE)
    @app.action(ActionId.QUESTION_NEXT)
    def click(ack) -> None:  # type: ignore[no-untyped-def]
        ack()

    @app.view(CallbackId.AGREEMENT)
    def form(ack) -> None:  # type: ignore[no-untyped-def]
        ack()  # no errors: the form is accepted

    def stored_first(body, next) -> None:  # type: ignore[no-untyped-def]
        if store is not None:  # before the ack, as casebot stores it (bot/capture/listeners.py)
            with store.begin() as conn:
                conn.execute(BARE_INSERT, {"e": body["event_id"], "ts": body["event"]["ts"], "t": REPLY})
        next()

    @app.event("message", middleware=[stored_first])
    def message() -> None:
        pass  # bolt acknowledges an event before its listener runs

    return app


BARE_INSERT = sql("INSERT INTO bare_events (event_id, ts, text) VALUES (:e, :ts, :t) ON CONFLICT DO NOTHING")


def bare_store(database: str, folder: Path) -> Engine:
    """Where the storing bare app keeps events: beside casebot's database (PostgreSQL: a table of its own
    in it; SQLite: a file of its own, as a second app would have), same engine settings."""
    url = f"sqlite:///{folder / 'bare.db'}" if database.startswith("sqlite") else database
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sql("DROP TABLE IF EXISTS bare_events"))
        conn.execute(sql("CREATE TABLE bare_events (event_id VARCHAR(64) UNIQUE, ts VARCHAR(32), text TEXT)"))
    return engine
