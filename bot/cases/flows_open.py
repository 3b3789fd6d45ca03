"""`/case open`: whether this person may open a case here, and the agreement form (or why not)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.cases import flows_channel as channel
from bot.cases.blocks_modals import agreement_modal, notice_modal
from bot.deps import Deps
from bot.kernel import people
from bot.kernel import rules_permissions as permissions
from storage import repository as repo

REFUSE_OPEN = (
    "Only managers can open a co-worked case. Ask your team manager to run `/case open`, "
    "or an administrator to give you the manager role."
)


def may_open(deps: Deps, *, team_id: str, user_id: str, channel_id: str) -> str | None:
    """None when the user may open a case here; otherwise the refusal to show them (and it is audited)."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=team_id, now=now)
        if permissions.can_open_case(people.actor(session, deps.settings, team_id=team_id, user_id=user_id)):
            return None
        repo.add_audit(
            session,
            team_id=team_id,
            now=now,
            actor=user_id,
            action="case.open",
            outcome="denied",
            object_type="channel",
            object_id=channel_id,
        )
    return REFUSE_OPEN


def open_modal(deps: Deps, client: WebClient, *, trigger_id: str, channel_id: str) -> None:
    """After the ack: the form, or why a case can't be opened here (before anything is typed).

    Then the workspace's people are read into the look-up cache, so that saving the form can be
    answered at once, without a users.info per co-worker before the acknowledgement.
    """
    now = deps.clock()
    if problem := channel.problem(deps, client, channel_id):
        client.views_open(trigger_id=trigger_id, view=notice_modal(title="Open a case", text=problem))
        return
    client.views_open(trigger_id=trigger_id, view=agreement_modal(channel_id=channel_id, today=now.date()))
    if deps.settings.refuse_exposed_channels:
        channel.remember_members(deps, client, channel_id, now)
    people.warm_users(deps, client, now=now)
