"""Acknowledgements first, by order: when each request was acked relative to the work it caused.

Slack waits 3 seconds for an acknowledgement. Measuring that with a stopwatch makes tests flaky on a
busy machine and proves nothing on a quick one, so the sandbox records order instead: one sequence
(the emulator's `tick()`) stamps each request as it reaches the listeners, the moment its ack() is
first called, every Web API call the emulator receives, and every database write and commit on the
sandbox engine. `check` then fails if a listener made a Web API call before its ack, other than the one
thing Slack needs inside the 3 s: views.open / views.push with the request's own trigger_id.

Sandbox only: `AckOrder.install(app, engine)` adds a bolt global middleware (after bolt's own, so
bolt's auth.test is not counted) that swaps the request's Ack for one that notes when it is called.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy import Engine, event

# What a listener may call before its ack: opening (or pushing) a modal needs the trigger_id, which
# expires three seconds after the interaction.
BEFORE_ACK = frozenset({"views.open", "views.push"})
WRITES = ("insert", "update", "delete")
COMMIT = "commit"


@dataclass
class Request:
    """One request as the listeners saw it; `acked` is None until ack() is called."""

    kind: str  # e.g. "view_submission agreement", "slash_command /case open", "event message"
    trigger_id: str | None
    arrived: int
    acked: int | None = None
    thread: str = ""


@dataclass(frozen=True)
class Write:
    seq: int
    verb: str  # insert, update, delete or commit
    thread: str


@dataclass
class AckOrder:
    tick: Callable[[], int]
    calls: Callable[[], list[Any]]  # the emulator's recorded calls, each with its `seq`
    requests: list[Request] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)

    def install(self, app: App, engine: Engine | None = None) -> AckOrder:
        app.use(self._middleware)
        if engine is not None:
            for name, listener in self._engine_listeners():
                event.listen(engine, name, listener)
        return self

    def uninstall(self, engine: Engine) -> None:
        """Stop noting statements (benchmarks: production has no such hook)."""
        for name, listener in self._engine_listeners():
            event.remove(engine, name, listener)

    def _engine_listeners(self) -> list[tuple[str, Callable[..., None]]]:
        return [
            ("before_cursor_execute", self._on_execute),
            ("after_cursor_execute", self._on_executed),
            ("commit", self._on_commit),
        ]

    def _middleware(self, req, next) -> Any:
        body = req.body or {}
        request = Request(
            kind=describe(body),
            trigger_id=body.get("trigger_id"),
            arrived=self.tick(),
            thread=threading.current_thread().name,
        )
        self.requests.append(request)
        req.context["ack"] = _RecordingAck(request, self.tick)
        return next()

    def _on_execute(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        verb = _verb(statement)
        if verb in WRITES:
            self.writes.append(Write(self.tick(), verb, threading.current_thread().name))

    def _on_executed(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        # In autocommit (storage/db.single_statements on PostgreSQL) a write is committed as it ends.
        if _verb(statement) in WRITES and conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            self.writes.append(Write(self.tick(), COMMIT, threading.current_thread().name))

    def _on_commit(self, conn) -> None:
        self.writes.append(Write(self.tick(), COMMIT, threading.current_thread().name))

    def mark(self) -> int:
        """Where the next delivery's requests will start, for check_since."""
        return len(self.requests)

    def acknowledged(self) -> bool:
        """Whether the latest request has been acknowledged (deliveries go one at a time)."""
        return bool(self.requests) and self.requests[-1].acked is not None

    def check_since(self, mark: int, *, until: int) -> None:
        """Fail if a request delivered since `mark` called Slack before its ack (see `check`)."""
        check(self.requests[mark:], self.calls(), until=until)

    def writes_before_ack(self, request: Request) -> list[Write]:
        end = request.acked if request.acked is not None else float("inf")
        return [w for w in self.writes if request.arrived < w.seq < end]

    def durable_before_ack(self, request: Request) -> bool:
        """Whether the request's own thread wrote and committed before its ack: what an event needs, as
        Slack never sends an acknowledged event again."""
        mine = [w for w in self.writes_before_ack(request) if w.thread == request.thread]
        return any(w.verb in WRITES for w in mine) and any(w.verb == COMMIT for w in mine)


def _verb(statement: str) -> str:
    """What a statement does: its first word, or for `WITH x AS (INSERT …)` the data-modifying one inside
    (the agreement form's keep with its NOTIFY, storage/intake.py)."""
    words = statement.split(None, 4)
    if len(words) >= 4 and words[0].lower() == "with" and words[2].lower() == "as":
        return words[3].lstrip("(").lower()
    return words[0].lower() if words else ""


class _RecordingAck(Ack):
    """bolt's Ack, noting (once) where in the sequence the listener first acknowledged."""

    def __init__(self, request: Request, tick: Callable[[], int]) -> None:
        super().__init__()
        self._request, self._tick = request, tick

    def __call__(self, *args: Any, **kwargs: Any):
        if self._request.acked is None:
            self._request.acked = self._tick()
        return super().__call__(*args, **kwargs)


def describe(body: dict[str, Any]) -> str:
    """A request in a few words, for failure messages."""
    if body.get("command"):
        return f"slash_command {body['command']} {str(body.get('text') or '').split(' ', 1)[0]}".strip()
    kind = str(body.get("type") or "request")
    if kind == "event_callback":
        return f"event {(body.get('event') or {}).get('type')}"
    if kind == "view_submission":
        return f"view_submission {(body.get('view') or {}).get('callback_id')}"
    if kind == "block_actions":
        return f"block_actions {((body.get('actions') or [{}])[0]).get('action_id')}"
    return f"{kind} {body.get('callback_id') or ''}".strip()


def early_calls(request: Request, calls: Iterable[Any], *, until: int) -> list[Any]:
    """Web API calls made between the request's arrival and its ack (or `until` if it never acked)."""
    end = request.acked if request.acked is not None else until
    return [
        c
        for c in calls
        if request.arrived < c.seq < end
        and not (
            c.method in BEFORE_ACK
            and request.trigger_id is not None
            and _trigger(c.params) == request.trigger_id
        )
    ]


def _trigger(params: dict[str, Any]) -> str | None:
    return params.get("trigger_id") or params.get("interactivity_pointer")


def check(requests: Iterable[Request], calls: list[Any], *, until: int) -> None:
    """Raise AssertionError naming the request and the method if any listener called Slack before its ack."""
    for request in requests:
        early = early_calls(request, calls, until=until)
        if early:
            methods = ", ".join(dict.fromkeys(c.method for c in early))
            when = "before its ack" if request.acked is not None else "and never acknowledged"
            raise AssertionError(
                f"{request.kind}: the listener called {methods} {when}; acknowledge first "
                f"(only views.open / views.push with the request's trigger_id may come before the ack)"
            )
