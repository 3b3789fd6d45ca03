"""Installation by OAuth on the emulated Slack: oauth.v2.access, token rotation, uninstalling, and more
than one workspace on the same Slack.

As on slack.com, the app has one client id and secret; a person approving the install in a workspace
(`approve`, what the browser does at slack.com/oauth/v2/authorize) gets a code, and oauth.v2.access turns
the code into that workspace's bot token. With `token_rotation` on, access tokens expire (`token_ttl`
seconds on `token_clock`, wall time like Slack's) and come with a refresh token that oauth.v2.access
(grant_type=refresh_token) exchanges for a new one. Errors are Slack's: invalid_client_id,
bad_client_secret, invalid_code, code_already_used, bad_redirect_uri, invalid_grant_type,
invalid_refresh_token; a call with an expired token gets token_expired, with a revoked one token_revoked.

Other workspaces join with `add_workspace(other)`: one HTTP server (this emulator's) then serves them
all, and each call goes to the workspace whose token it carries, so a post made with one team's token
can only ever land in that team's channels.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.api_errors import ApiError
from bot.sandbox.api_params import str_arg
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import Json

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "emulator-client-secret"  # noqa: S105 - fake; only this emulator accepts it
ACCESS_TTL = 43200  # Slack's rotating access tokens last 12 hours
NO_TOKEN_METHODS = {"api.test", "oauth.v2.access"}  # oauth.v2.access authenticates the app, not a token


@dataclass
class _Grant:
    workspace: OAuthApi
    expires_at: float | None = None
    revoked: bool = False


class OAuthApi(WebApi):
    def __init__(self, **identity: str) -> None:
        super().__init__(**identity)
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self.token_rotation = False
        self.token_ttl = ACCESS_TTL
        self.token_clock: Callable[[], float] = time.time
        self.slack: OAuthApi = self  # the emulator whose server (and token table) this workspace is on
        self.workspaces: dict[str, OAuthApi] = {self.team_id: self}
        self.installed = True  # False once uninstalled: every token of the workspace is revoked
        # A workspace of an Enterprise Grid organisation: Slack names the organisation in oauth.v2.access.
        self.enterprise: dict[str, str] | None = None
        self._codes: dict[str, tuple[OAuthApi, str, str]] = {}  # code -> (workspace, installer, redirect)
        self._used_codes: set[str] = set()
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, OAuthApi] = {}
        self._serial = itertools.count(1)
        self.methods["oauth.v2.access"] = self._oauth_v2_access

    # ------------------------------------------------------------ the people's side
    def add_workspace(self, other: OAuthApi) -> OAuthApi:
        """Serve `other` (an emulator never started) from this one's server, as one Slack."""
        self.workspaces[other.team_id] = other
        other.slack = self
        return other

    def approve(self, authorize_url: str, *, user_id: str, team_id: str | None = None) -> str:
        """A person in `team_id` approves the install at the authorize URL: the code for the redirect."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        if query.get("client_id") != self.client_id:
            raise ValueError("the authorize URL names another app's client id")
        workspace = self.workspaces[team_id or self.team_id]
        asked = {s for s in query.get("scope", "").split(",") if s}
        if not asked <= workspace.scopes:
            raise ValueError(f"scopes the app does not declare: {sorted(asked - workspace.scopes)}")
        code = f"{workspace.team_id}.{next(self._serial)}.code"
        with self.lock:
            self._codes[code] = (workspace, user_id, query.get("redirect_uri", ""))
            workspace.installed = True
        return code

    def uninstall(self, team_id: str | None = None) -> None:
        """Someone removes the app from the workspace: all of its tokens stop working at once."""
        workspace = self.workspaces[team_id or self.team_id]
        with self.lock:
            workspace.installed = False
            for grant in self._access.values():
                if grant.workspace is workspace:
                    grant.revoked = True
            for token in [t for t, owner in self._refresh.items() if owner is workspace]:
                del self._refresh[token]

    def expire_tokens(self, team_id: str | None = None) -> None:
        """Every rotating access token of the workspace reaches its expiry now."""
        workspace = self.workspaces[team_id or self.team_id]
        with self.lock:
            for grant in self._access.values():
                if grant.workspace is workspace and grant.expires_at is not None:
                    grant.expires_at = self.token_clock()

    def tokens_of(self, team_id: str) -> list[str]:
        with self.lock:
            return [t for t, g in self._access.items() if g.workspace.team_id == team_id and not g.revoked]

    # ------------------------------------------------------------ authentication
    def authenticate(self, method: str, token: str | None) -> OAuthApi:
        """The workspace a call's token belongs to, or Slack's refusal."""
        if not token:
            raise ApiError("not_authed")
        if method == "apps.connections.open":
            if token != getattr(self, "app_token", None):
                raise ApiError("invalid_auth")
            return self
        for workspace in self.slack.workspaces.values():
            if token == getattr(workspace, "bot_token", None):  # a single-workspace install's own token
                if not workspace.installed:
                    raise ApiError("token_revoked")
                return workspace
        grant = self.slack._access.get(token)
        if grant is None:
            raise ApiError("invalid_auth")
        if grant.revoked:
            raise ApiError("token_revoked")
        if grant.expires_at is not None and self.token_clock() >= grant.expires_at:
            raise ApiError("token_expired")
        return grant.workspace

    # ------------------------------------------------------------ oauth.v2.access
    def _oauth_v2_access(self, p: Json) -> Json:
        if str_arg(p, "client_id") != self.client_id:
            raise ApiError("invalid_client_id")
        if str_arg(p, "client_secret") != self.client_secret:
            raise ApiError("bad_client_secret")
        grant_type = str_arg(p, "grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            workspace = self._refresh.get(str_arg(p, "refresh_token"))
            if workspace is None or not self.token_rotation:
                raise ApiError("invalid_refresh_token")
            return self._issue(workspace)
        if grant_type != "authorization_code":
            raise ApiError("invalid_grant_type")
        code = str_arg(p, "code")
        if code in self._used_codes:
            raise ApiError("code_already_used")
        if code not in self._codes:
            raise ApiError("invalid_code")
        workspace, installer, redirect_uri = self._codes[code]
        if redirect_uri and str_arg(p, "redirect_uri") != redirect_uri:
            raise ApiError("bad_redirect_uri")
        del self._codes[code]
        self._used_codes.add(code)
        return {**self._issue(workspace), "authed_user": {"id": installer}}

    def _issue(self, workspace: OAuthApi) -> Json:
        serial = next(self._serial)
        prefix = "xoxe.xoxb-1" if self.token_rotation else "xoxb"
        token = f"{prefix}-{workspace.team_id}-{serial}-oauth"
        response: dict[str, Any] = {
            "app_id": workspace.app_id,
            "authed_user": {},
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(sorted(workspace.scopes)),
            "bot_user_id": workspace.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.team_name},
            "enterprise": workspace.enterprise,
            "is_enterprise_install": False,  # org-wide installs are off (manifest.yml: org_deploy_enabled)
        }
        grant = _Grant(workspace)
        if self.token_rotation:
            refresh = f"xoxe-1-{workspace.team_id}-{serial}-refresh"
            grant.expires_at = self.token_clock() + self.token_ttl
            self._refresh[refresh] = workspace
            response |= {"refresh_token": refresh, "expires_in": self.token_ttl}
        self._access[token] = grant
        return response
