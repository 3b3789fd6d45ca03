"""Installation by OAuth through bolt's own pages and the emulator's oauth.v2.access."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.deps import NotInstalled
from storage.models import AuditEntry, Workspace
from tests.install.multiteam import TEAM_1, TEAM_2


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
