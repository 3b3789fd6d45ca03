"""Request checks before bolt sees a request: anything malformed is a 4xx, and only ids reach the log.

Two layers. `guard` wraps the WSGI app: it refuses an oversized body before reading it, then checks the
timestamp header, the signature, UTF-8 and the JSON of a `payload` field, so bolt never parses (and
never logs) a request that is not Slack's. `register` adds a bolt middleware for signed requests whose
shape is not one Slack sends (a view submission without its state, say), and for requests from another
workspace, which it logs by team id.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.kernel import thread
from storage import repository as repo

log = logging.getLogger("casebot.requests")

# Slack's payloads are small (a full modal submission is tens of KiB); anything bigger is refused unread.
MAX_BODY_BYTES = 1024 * 1024
EVENTS_PATH = "/slack/events"

Refusal = tuple[int, str]  # HTTP status and a reason made of fixed words, never request content


class GuardedHandler(SlackRequestHandler):
    """bolt's WSGI handler, handed only well-formed, signed POSTs (GETs pass: the OAuth install pages)."""

    def __init__(self, app: App, path: str = EVENTS_PATH) -> None:
        super().__init__(app, path)
        # bolt keeps the secret it verifies with; the same one is checked here, before bolt parses.
        secret = str(getattr(app, "_signing_secret", "") or "")
        self.verifier = Verifier(secret) if secret.strip() else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return super().__call__(environ, start_response)
        refusal, body = check(environ, self.verifier)
        if refusal is not None:
            status, reason = refusal
            log.warning("request refused: %s (status %d, %d bytes)", reason, status, len(body))
            start_response(f"{status} {_PHRASES[status]}", [("Content-Type", "text/plain; charset=utf-8")])
            return [_PHRASES[status].encode()]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return super().__call__(environ, start_response)


_PHRASES = {400: "Bad Request", 401: "Unauthorized", 411: "Length Required", 413: "Payload Too Large"}


class Verifier:
    """Slack's v0 signature over the raw bytes (slack_sdk's decodes them first, and fails on bad UTF-8)."""

    MAX_AGE_SECONDS = 300  # as bolt and Slack: an older request is refused as a replay

    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret.encode()
        self._clock = clock

    def is_valid(self, body: bytes, timestamp: str, signature: str) -> bool:
        if abs(self._clock() - int(timestamp)) > self.MAX_AGE_SECONDS:
            return False
        expected = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        return hmac.compare_digest(f"v0={expected.hexdigest()}", signature)


def check(environ: dict[str, Any], verifier: Verifier | None) -> tuple[Refusal | None, bytes]:
    """The refusal for this request (None: it may go on) and the body read (empty if never read)."""
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not length_text.isdigit():
        return (411, "no content length"), b""
    if int(length_text) > MAX_BODY_BYTES:
        return (413, "body too large"), b""
    body = environ["wsgi.input"].read(int(length_text)) if int(length_text) else b""
    timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
    if not timestamp.isdigit() or len(timestamp) > 12:
        return (400, "timestamp is not a number"), body
    if verifier is not None and not verifier.is_valid(body, timestamp, signature):
        return (401, "signature invalid or too old"), body
    return shape(body, str(environ.get("CONTENT_TYPE") or "")), body


def shape(body: bytes, content_type: str) -> Refusal | None:
    """A refusal if the signed body is not UTF-8, or not the form or JSON object Slack sends."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "body is not UTF-8"
    if content_type.startswith("application/json"):
        return None if _is_object(text) else (400, "body is not a JSON object")
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form and not _is_object(form["payload"][0]):
        return 400, "payload is not a JSON object"
    return None


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


# ------------------------------------------------------------------ bolt middleware (signed requests)


def register(app: App, deps: Deps | None = None) -> None:
    """Refuse signed payloads of a shape Slack never sends; log requests from another workspace; with
    deps, a form Slack does not open (views.open or views.push failing) is told to the person and audited.
    """

    # One middleware, not one per check: bolt builds each middleware's arguments on every request, and
    # a thread reply's whole dispatch is about a millisecond.
    @app.middleware
    def well_formed(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002
        problem = payload_problem(req.body)
        if problem is not None:
            log.warning("request refused: %s (team %s)", problem, _team(req.body))
            return BoltResponse(status=400, body="Bad Request")
        team = _team(req.body)
        served = getattr(req.context.authorize_result, "team_id", None)
        if team and served and team != served:
            log.warning("request from another workspace: team %s (serving %s)", team, served)
        if deps is not None and "trigger_id" in req.body:  # only a request with a trigger opens forms
            _forms_fail_loudly(deps, req)
        return next()


def payload_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with a signed interaction's shape, in fixed words; None when it is well formed."""
    kind = body.get("type")
    if kind not in ("view_submission", "view_closed", "block_actions"):
        return None
    if not isinstance(body.get("user"), dict) or not isinstance(body["user"].get("id"), str):
        return "interaction without a user id"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "block_actions without a list of actions"
        return None
    view = body.get("view")
    if not isinstance(view, dict):
        return "view payload without a view"
    if not isinstance(view.get("callback_id"), str) or not isinstance(view.get("id"), str):
        return "view without its id or callback_id"
    if not isinstance(view.get("private_metadata", ""), str):
        return "view private_metadata is not text"
    state = view.get("state")
    if kind == "view_submission" and not (isinstance(state, dict) and isinstance(state.get("values"), dict)):
        return "view submission without state values"
    values = state["values"] if kind == "view_submission" and isinstance(state, dict) else {}
    if not all(isinstance(b, dict) and all(isinstance(v, dict) for v in b.values()) for b in values.values()):
        return "view submission with malformed values"
    return None


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team")
    found = team.get("id") if isinstance(team, dict) else body.get("team_id")
    return found if isinstance(found, str) and found.isalnum() else None


# ------------------------------------------------------------------ forms Slack did not open

VIEW_FAILED = "Slack didn't open the form. Please try again in a moment."
VIEW_METHODS = ("views_open", "views_push")


def _forms_fail_loudly(deps: Deps, req: BoltRequest) -> None:
    client = req.context.client
    if client is not None:
        for method in VIEW_METHODS:
            setattr(client, method, _told_on_failure(deps, client, method, req.body))


def _told_on_failure(deps: Deps, client: WebClient, method: str, body: dict[str, Any]) -> Callable[..., Any]:
    """The client's views_open/views_push, which never raises: a failure (429, 5xx, fatal_error, an
    expired trigger, a timeout) is told to the person who clicked and audited by ids. Raised after the
    ack, it would be lost, and bolt could answer the request 404 although its work was saved."""
    call = getattr(client, method)

    def guarded(**kwargs: Any) -> Any:
        try:
            return call(**kwargs)
        except (SlackApiError, OSError) as exc:
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            view_failed(deps, client, body, method=method.replace("_", "."), error=str(error))
            return None

    return guarded


def view_failed(deps: Deps, client: WebClient, body: dict[str, Any], *, method: str, error: str) -> None:
    team, user = _team(body), _user(body)
    log.warning("%s failed: %s (team %s, user %s)", method, error, team, user)
    if team and user:
        with deps.sessions.begin() as session:
            repo.add_audit(
                session,
                team_id=team,
                now=deps.clock(),
                actor=user,
                action="view.open",
                outcome="failed",
                detail={"method": method, "error": error[:60]},
            )
        channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
        try:
            if channel:
                thread.tell(client, channel, user, VIEW_FAILED)
            else:
                client.chat_postMessage(
                    channel=user, text=VIEW_FAILED, unfurl_links=False, unfurl_media=False
                )
        except SlackApiError as exc:
            log.warning("could not tell of the failed form: %s", exc.response.get("error"))


def _user(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    found = user.get("id") if isinstance(user, dict) else body.get("user_id")
    return found if isinstance(found, str) and found.isalnum() else None
