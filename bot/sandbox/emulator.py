"""A local Slack Web API emulator: a real HTTP server that a real slack_sdk WebClient can talk to.

Tests, benchmarks and the demo point `WebClient(token=..., base_url=emulator.base_url)` (or a bolt
App's client) at it, so the bot's Slack traffic goes through slack_sdk exactly as in production:
request encoding, error raising, Retry-After headers and timeouts are all the SDK's own. Only the
subset of methods casebot uses is emulated, with Slack's response shapes and error codes.

    with SlackEmulator() as emu:
        emu.add_user("U1", name="alex")
        emu.add_channel("C1", name="cases-north", members=["U1"])
        WebClient(token=emu.bot_token, base_url=emu.base_url).chat_postMessage(channel="C1", text="hi")
        assert emu.messages("C1")[0]["text"] == "hi"

Three layers, each extending the one before so the public API stays one object:
`workspace.Workspace` holds the state and the inspection helpers tests assert on; `WebApi` gives
each Web API method Slack's semantics over that state, with no HTTP; `SlackEmulator` adds the HTTP
server, token checks, call recording and fault injection.

The Web API's methods live by area in api_messages, api_conversations, api_views and api_files (on
api_base's channel access; api_params reads the requests, api_errors holds the refusals); web_api
composes them. The HTTP server is emulator_http, fault injection emulator_faults. ApiError and
RateLimited are re-exported here, where tests have always imported them.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from types import TracebackType

from bot.sandbox.api_errors import MALFORMED, ApiError, RateLimited
from bot.sandbox.api_hooks import HOOKS_PATH, ResponseUrls
from bot.sandbox.api_oauth import NO_TOKEN_METHODS, OAuthApi
from bot.sandbox.api_params import parse_request, str_arg
from bot.sandbox.emulator_faults import Fault, FaultInjection
from bot.sandbox.emulator_http import Server
from bot.sandbox.scopes import CONVERSATION_SCOPES, scope_for
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import Json

__all__ = ["ApiError", "RateLimited", "RecordedCall", "SlackEmulator", "WebApi"]


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call as the emulator saw it: params are decoded (blocks as lists), token removed.

    Kept as JSON text and decoded on each read: a copy that neither the workspace's later changes nor
    a reader's can reach, at a fraction of a deep copy's cost. Every call is recorded and few are read,
    and in the benchmarks the emulator shares the machine with the bot it measures."""

    method: str
    params_json: str
    response_json: str
    status: int
    at: float
    seq: int = 0  # SlackEmulator.tick() when the call arrived: orders it against acks and db writes

    @classmethod
    def of(cls, method: str, params: Json, response: Json, status: int, at: float, seq: int) -> RecordedCall:
        return cls(method, json.dumps(params), json.dumps(response), status, at, seq)

    @property
    def params(self) -> Json:
        decoded: Json = json.loads(self.params_json)
        return decoded

    @property
    def response(self) -> Json:
        decoded: Json = json.loads(self.response_json)
        return decoded


class SlackEmulator(FaultInjection, ResponseUrls, OAuthApi):
    """The emulated workspace plus the HTTP server that exposes it as Slack's Web API."""

    def __init__(
        self,
        *,
        team_id: str = "T0CASE01",
        team_name: str = "Casework Team",
        bot_user_id: str = "UCASEBOT",
        bot_id: str = "BCASEBOT",
        bot_token: str = "xoxb-casebot-test",  # noqa: S107 - fake; only this emulator accepts it
        app_token: str = "xapp-casebot-test",  # noqa: S107 - fake; only this emulator accepts it
        app_id: str = "ACASEBOT",
        bot_name: str = "casebot",
    ) -> None:
        super().__init__(
            team_id=team_id,
            team_name=team_name,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            bot_name=bot_name,
        )
        self.bot_token, self.app_token = bot_token, app_token
        self._calls: list[RecordedCall] = []
        self._refusals: list[RecordedCall] = []
        self._sequence = itertools.count(1)
        self._faults: list[Fault] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # ------------------------------------------------------------ lifecycle
    def start(self) -> SlackEmulator:
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._stopping = threading.Event()
        self._server = Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in an injected timeout
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def base_url(self) -> str:
        """What WebClient(base_url=...) needs; slack_sdk appends the method name."""
        return f"{self.root_url}api/"

    # ------------------------------------------------------------ recording
    @property
    def calls(self) -> list[RecordedCall]:
        with self.lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self.lock:
            return [c for c in self._calls if c.method == method]

    def tick(self) -> int:
        """The next number of the sequence calls are recorded with (thread-safe; shared by the sandbox).

        The sandbox stamps acknowledgements and database writes from the same sequence, so a test can
        tell by order, not by a stopwatch, whether a call came before or after the ack.
        """
        return next(self._sequence)

    @property
    def refusals(self) -> list[RecordedCall]:
        """Calls the emulator refused as malformed (MALFORMED), injected faults excluded: the Slack-level
        suite fails any test that leaves one behind, so every payload it produces is one Slack accepts."""
        with self.lock:
            return list(self._refusals)

    def clear_calls(self) -> None:
        with self.lock:
            self._calls.clear()

    # ------------------------------------------------------------- requests
    def _route(
        self, path: str, query: str, content_type: str, authorization: str, body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        if path.startswith("/upload/v1/"):
            return self.receive_upload(path.removeprefix("/upload/v1/"), body)
        if path.startswith(HOOKS_PATH):
            status, answer = self.receive_response(path, body)
            self._record(
                "response_url", {"url": path, "body": body.decode("utf-8", "replace")}, answer, status
            )
            return status, answer.encode(), {"Content-Type": "text/html"}
        if not path.startswith("/api/"):
            return 404, b"not found", {"Content-Type": "text/plain"}
        status, response, headers = self._handle_api(
            path.removeprefix("/api/"), query, content_type, authorization, body
        )
        headers["Content-Type"] = "application/json; charset=utf-8"
        return status, json.dumps(response).encode("utf-8"), headers

    def _handle_api(
        self, method: str, query: str, content_type: str, authorization: str, body: bytes
    ) -> tuple[int, Json, dict[str, str]]:
        headers: dict[str, str]
        parse_error: str | None
        status, headers, seq = 200, {}, self.tick()
        try:
            params, token = parse_request(query, content_type, authorization, body)
        except ApiError as exc:
            params, token, parse_error = {}, None, exc.error
        else:
            parse_error = None
        delay, fault = self._take_faults(method, params)
        if delay:
            self._stopping.wait(delay)  # outside the lock, so other calls keep flowing meanwhile
        if parse_error is not None:
            response: Json = {"ok": False, "error": parse_error}
        elif fault is not None:
            status, response = fault.status, {"ok": False, "error": fault.error}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        else:
            try:
                response = self._call(method, params, token)
            except ApiError as exc:
                response = exc.response()
                if exc.error in MALFORMED:
                    with self.lock:
                        self._refusals.append(RecordedCall.of(method, params, response, status, 0.0, seq))
            except RateLimited as exc:
                status, response = 429, {"ok": False, "error": "ratelimited"}
                headers["Retry-After"] = str(exc.retry_after)
        self._record(method, params, response, status, seq)
        return status, response, headers

    def _record(self, method: str, params: Json, response: Json | str, status: int, seq: int = 0) -> None:
        answer = response if isinstance(response, dict) else {"ok": status == 200, "answer": response}
        params_json, answer_json = json.dumps(params), json.dumps(answer)  # outside the lock
        with self.lock:  # numbered and appended together: the list stays in sequence order
            self._calls.append(
                RecordedCall(method, params_json, answer_json, status, time.time(), seq or self.tick())
            )

    def _call(self, method: str, params: Json, token: str | None) -> Json:
        handler = self.methods.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        if method not in NO_TOKEN_METHODS:  # api.test; oauth.v2.access checks the app's credentials
            owner = self.authenticate(method, token)  # api_oauth: the workspace the token belongs to
            if owner is not self:
                assert isinstance(owner, SlackEmulator)
                return owner._call(method, params, token)
        with self.lock:  # one call at a time mutates the workspace, like a single Slack shard
            if method not in NO_TOKEN_METHODS | {"apps.connections.open"}:
                self._check_scope(method, params)
            return {"ok": True, **handler(params)}

    def _check_scope(self, method: str, params: Json) -> None:
        kind = None
        if method in CONVERSATION_SCOPES:
            channel = self.resolve(str_arg(params, "channel"))
            if channel is not None:
                kind = "im" if channel.is_im else "private" if channel.is_private else "public"
        needed = scope_for(method, kind)
        if needed is not None and needed not in self.scopes:
            raise ApiError("missing_scope", needed=needed, provided=",".join(sorted(self.scopes)))
