"""Installation by OAuth through bolt's own pages and the emulator's oauth.v2.access."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import NotInstalled
from bot.install.tokens import Installations
from bot.sandbox.harness import ADMIN, LEAD
from storage.models import AuditEntry, Workspace
from tests.install.multiteam import TEAM_1, TEAM_2, state_of


def test_installing_stores_the_workspace_token_and_its_row(slack):
    with pytest.raises(NotInstalled):
        slack.installations.token_for(TEAM_1)
    slack.install(TEAM_1)
    token = slack.installations.token_for(TEAM_1)
    assert token in slack.emu.tokens_of(TEAM_1)
    assert WebClient(token=token, base_url=slack.emu.base_url).auth_test()["team_id"] == TEAM_1
    with slack.deps.sessions() as session:
        assert session.get(Workspace, TEAM_1) is not None
        actions = [e.action for e in session.query(AuditEntry).filter_by(team_id=TEAM_1)]
    assert "install.added" in actions
    with pytest.raises(NotInstalled):
        slack.installations.token_for(TEAM_2)


def test_the_redirect_without_the_browsers_state_cookie_installs_nothing(slack):
    url, _cookie = slack.start_install()
    code = slack.emu.approve(url, user_id=ADMIN, team_id=TEAM_1)
    status, page = slack.finish_install(code, state_of(url), cookie="")
    assert status == 400 and "invalid_browser" in page
    with pytest.raises(NotInstalled):
        slack.installations.token_for(TEAM_1)


def test_a_state_is_good_for_one_install_only(slack):
    url, cookie = slack.start_install()
    code = slack.emu.approve(url, user_id=ADMIN, team_id=TEAM_1)
    assert slack.finish_install(code, state_of(url), cookie)[0] == 200
    second = slack.emu.approve(url, user_id=ADMIN, team_id=TEAM_2)
    status, page = slack.finish_install(second, state_of(url), cookie)
    assert status == 401 and "invalid_state" in page
    with pytest.raises(NotInstalled):
        slack.installations.token_for(TEAM_2)


def test_the_emulators_oauth_v2_access_refuses_as_slack_does(slack):
    url, _cookie = slack.start_install()
    code = slack.emu.approve(url, user_id=ADMIN, team_id=TEAM_1)
    client = WebClient(base_url=slack.emu.base_url)
    app = {"client_id": slack.emu.client_id, "client_secret": slack.emu.client_secret}

    def refused(**kwargs) -> str:
        with pytest.raises(SlackApiError) as caught:
            client.oauth_v2_access(**kwargs)
        return caught.value.response["error"]

    assert refused(**app | {"client_secret": "wrong"}, code=code) == "bad_client_secret"
    assert refused(**app | {"client_id": "1.2"}, code=code) == "invalid_client_id"
    assert refused(**app, code="nonsense") == "invalid_code"
    assert client.oauth_v2_access(**app, code=code)["team"]["id"] == TEAM_1
    assert refused(**app, code=code) == "code_already_used"
    assert refused(**app, grant_type="refresh_token", refresh_token="xoxe-1-nope") == "invalid_refresh_token"


def test_a_rotating_token_is_refreshed_before_it_expires_and_saved_for_every_process(slack):
    slack.emu.token_rotation = True
    slack.emu.token_ttl = 3600  # less than the two hours before expiry at which a token is refreshed
    slack.install(TEAM_1)
    installed = slack.installations.find(TEAM_1)
    assert installed is not None and installed.bot_refresh_token
    slack.emu.token_ttl = 43200
    fresh = slack.installations.token_for(TEAM_1)
    assert fresh != installed.bot_token
    refreshes = [
        c for c in slack.emu.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) == 1
    # Saved: another process's store reads the new token, and it is not refreshed again.
    assert Installations(slack.settings, slack.deps.engine).token_for(TEAM_1) == fresh
    assert WebClient(token=fresh, base_url=slack.emu.base_url).auth_test()["team_id"] == TEAM_1
    slack.emu.expire_tokens(TEAM_1)
    with pytest.raises(SlackApiError) as caught:
        WebClient(token=fresh, base_url=slack.emu.base_url).auth_test()
    assert caught.value.response["error"] == "token_expired"


def test_requests_refresh_a_rotating_token_through_our_slack_too(slack):
    slack.emu.token_rotation = True
    slack.emu.token_ttl = 3600
    slack.install(TEAM_1)
    slack.emu.token_ttl = 43200
    slack.teams[TEAM_1].driver.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    assert LEAD in slack.emu.home_views
    refreshes = [
        c for c in slack.emu.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"
    ]
    assert refreshes, "bolt's authorize refreshed the token on the emulator, not on slack.com"


def _refreshes(slack) -> list:
    return [c for c in slack.emu.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]


def test_a_workspace_of_an_enterprise_grid_organisation_is_sent_to_and_uninstalled_by_its_team(slack):
    """Its installation carries the organisation's id; the outbox knows only the team, and finds it."""
    slack.emu.workspaces[TEAM_2].enterprise = {"id": "E0COUNCIL", "name": "Regional Council"}
    slack.install(TEAM_2)
    token = slack.installations.token_for(TEAM_2)
    assert token in slack.emu.tokens_of(TEAM_2)
    assert slack.installations.find(TEAM_2).enterprise_id == "E0COUNCIL"
    slack.installations.remove(TEAM_2)
    with pytest.raises(NotInstalled):
        slack.installations.token_for(TEAM_2)
