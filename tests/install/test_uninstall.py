"""app_uninstalled and tokens_revoked: nothing more is sent to the team, its queue is dead-lettered
quietly and audited, its case-note store stays; the other workspace carries on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.deps import NotInstalled
from bot.outbox import delivery
from bot.sandbox.harness import LEAD
from storage import repository as repo
from storage.models import AuditEntry, OutboxKind, OutboxMessage, OutboxStatus, Workspace
from tests.install.multiteam import TEAM_1, TEAM_2


def _queue(slack, team_id: str, text: str, *, later: bool = False) -> None:
    now = slack.deps.clock()
    with slack.deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=team_id, now=now)
        repo.enqueue(
            session,
            team_id=team_id,
            kind=OutboxKind.DM,
            now=now,
            payload={"user_id": LEAD, "text": text},
            not_before=now + timedelta(hours=1) if later else None,
        )


def _rows(slack, team_id: str) -> list[OutboxMessage]:
    with slack.deps.sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.team_id == team_id)))


def test_app_uninstalled_stops_all_sending_for_that_team_only(slack):
    slack.install(TEAM_1)
    slack.install(TEAM_2)
    for team_id in (TEAM_1, TEAM_2):
        _queue(slack, team_id, f"later for {team_id}", later=True)
    slack.emu.uninstall(TEAM_2)
    slack.teams[TEAM_2].driver.event({"type": "app_uninstalled"})

    with pytest.raises(NotInstalled):
        slack.installations.token_for(TEAM_2)
    (row,) = _rows(slack, TEAM_2)
    assert (row.status, row.last_error) == (OutboxStatus.DEAD, "app_uninstalled")
    assert "text" not in row.payload  # its words are forgotten like any dead row's
    with slack.deps.sessions() as session:
        assert session.get(Workspace, TEAM_2) is not None  # the case-note store is kept
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "install.removed")).all()
    assert [(a.team_id, a.detail["dead_lettered"]) for a in audit] == [(TEAM_2, 1)]

    # Rows queued afterwards for the uninstalled team die quietly (no notice row); the other team's go.
    _queue(slack, TEAM_2, "after uninstall")
    slack.deps.clock.advance(hours=2)
    report = delivery.deliver_due(slack.deps)
    assert (report.sent, report.dead) == (1, 1), report
    assert [m["text"] for m in slack.teams[TEAM_1].emu.dms(LEAD)] == [f"later for {TEAM_1}"]
    assert not slack.teams[TEAM_2].emu.dms(LEAD)
    assert {r.last_error for r in _rows(slack, TEAM_2)} == {"app_uninstalled", "not_installed"}
    assert len(_rows(slack, TEAM_2)) == 2  # no dead-letter notice was queued for anyone


def test_a_revoked_bot_token_uninstalls_and_a_revoked_user_token_does_not(slack):
    slack.install(TEAM_1)
    slack.teams[TEAM_1].driver.event({"type": "tokens_revoked", "tokens": {"oauth": ["UALEX001"], "bot": []}})
    assert slack.installations.token_for(TEAM_1)
    slack.teams[TEAM_1].driver.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UCASEBOT"]}})
    with pytest.raises(NotInstalled):
        slack.installations.token_for(TEAM_1)


def test_the_weekly_digest_passes_over_an_uninstalled_team_and_reaches_the_other(slack):
    from bot import jobs
    from bot.ids import Block
    from tests.journey import open_case

    slack.install(TEAM_1)
    slack.install(TEAM_2)
    for team_id, reference in ((TEAM_1, "NORTH-001"), (TEAM_2, "SOUTH-002")):
        open_case(slack.teams[team_id], **{Block.REFERENCE: reference})
    slack.emu.uninstall(TEAM_2)
    slack.teams[TEAM_2].driver.event({"type": "app_uninstalled"})
    jobs.run_digests(slack.deps)  # a team without its installation must not stop the pass
    sent = {
        t: [f for f in slack.teams[t].emu.files if f["filename"].startswith("casebot-digest-")]
        for t in slack.teams
    }
    assert len(sent[TEAM_1]) == 1 and sent[TEAM_2] == []
