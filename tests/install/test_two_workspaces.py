"""Two installed workspaces on one Slack: every post, modal, DM and home tab goes with its own team's
token. Both workspaces have the same user and channel ids, so a wrong token would not fail: it would put
the post in the other workspace, which these tests would see."""

from __future__ import annotations

from bot.ids import Block
from bot.outbox import delivery
from bot.sandbox.harness import CASE_CHANNEL, LEAD, MANAGER
from storage import repository as repo
from storage.models import OutboxKind
from tests.install.multiteam import TEAM_1, TEAM_2
from tests.journey import open_case

REFERENCES = {TEAM_1: "NORTH-001", TEAM_2: "SOUTH-002"}


def _cards(team) -> list[str]:
    return [m.get("text", "") for m in team.emu.messages(CASE_CHANNEL)]


def test_each_workspace_gets_its_own_case_cards_and_nothing_of_the_other(slack):
    slack.install(TEAM_1)
    slack.install(TEAM_2)
    for team_id, team in slack.teams.items():
        open_case(team, **{Block.REFERENCE: REFERENCES[team_id]})
    north, south = (" ".join(_cards(slack.teams[t])) for t in (TEAM_1, TEAM_2))
    assert REFERENCES[TEAM_1] in north and REFERENCES[TEAM_2] not in north
    assert REFERENCES[TEAM_2] in south and REFERENCES[TEAM_1] not in south
    # The modals were opened in each team's own Slack, by its own token.
    assert all(slack.teams[t].emu.open_views_for(MANAGER) for t in (TEAM_1, TEAM_2))


def test_dms_queued_for_two_teams_are_sent_each_with_its_own_token(slack):
    slack.install(TEAM_1)
    slack.install(TEAM_2)
    now = slack.deps.clock()
    with slack.deps.sessions.begin() as session:
        for team_id in (TEAM_1, TEAM_2):
            repo.ensure_workspace(session, team_id=team_id, now=now)
            repo.enqueue(
                session,
                team_id=team_id,
                kind=OutboxKind.DM,
                now=now,
                payload={"user_id": LEAD, "text": f"hello from {team_id}"},
            )
    report = delivery.deliver_due(slack.deps)
    assert report.sent == 2, report
    for team_id in (TEAM_1, TEAM_2):
        texts = [m["text"] for m in slack.teams[team_id].emu.dms(LEAD)]
        assert texts == [f"hello from {team_id}"], (team_id, texts)


def test_the_home_tab_is_published_in_the_workspace_it_was_opened_in(slack):
    slack.install(TEAM_1)
    slack.install(TEAM_2)
    slack.teams[TEAM_2].driver.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    assert LEAD in slack.teams[TEAM_2].emu.home_views
    assert LEAD not in slack.teams[TEAM_1].emu.home_views


def test_a_workspace_that_has_not_installed_casebot_is_refused(slack, caplog):
    slack.install(TEAM_1)
    reply = slack.teams[TEAM_2].driver.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    assert "installation with this app is no longer available" in reply.body  # bolt's own refusal
    assert not slack.emu.calls_to("views.publish")
    refused = [r for r in caplog.records if r.getMessage().startswith("request from a workspace")]
    assert refused and refused[0].team_id == TEAM_2
    # Nothing is queued for, or sent to, a team without an installation.
    now = slack.deps.clock()
    with slack.deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=TEAM_2, now=now)
        repo.enqueue(
            session, team_id=TEAM_2, kind=OutboxKind.DM, now=now, payload={"user_id": LEAD, "text": "x"}
        )
    report = delivery.deliver_due(slack.deps)
    assert (report.sent, report.dead) == (0, 1)
    assert not slack.teams[TEAM_2].emu.dms(LEAD) and not slack.teams[TEAM_1].emu.dms(LEAD)
