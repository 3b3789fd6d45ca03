"""What installing and uninstalling mean to casebot.

Installed: the workspace's row (every table's team_id points at it) and an audit entry.
Uninstalled (app_uninstalled, or the bot token revoked): the installation is deleted so nothing is ever
sent there again; the team's queued outbox rows are dead-lettered quietly (no notice: it could not be
sent) and audited; the case-note store is kept, for export and purge by the CLI.
"""

from __future__ import annotations

import logging

from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import select

from bot.deps import Deps
from bot.install.tokens import Installations
from bot.outbox.dead_letter import forget_words
from storage import repository as repo
from storage.models import OutboxMessage, OutboxStatus, Workspace

log = logging.getLogger(__name__)

QUEUED = [OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.UNCERTAIN]


def installed(deps: Deps, installation: Installation) -> None:
    team_id = installation.team_id
    if team_id is None:  # an org-wide Enterprise Grid install: not supported yet
        log.warning("org-wide install not supported", extra={"enterprise_id": installation.enterprise_id})
        return
    now = deps.clock()
    with deps.sessions.begin() as session:
        repo.ensure_workspace(
            session,
            team_id=team_id,
            name=installation.team_name,
            bot_user_id=installation.bot_user_id,
            now=now,
        )
        repo.add_audit(
            session,
            team_id=team_id,
            now=now,
            actor=installation.user_id,
            action="install.added",
            object_type="workspace",
            object_id=team_id,
            detail={"scopes": ",".join(installation.bot_scopes or [])},
        )
    log.info("installed", extra={"team_id": team_id})


def uninstalled(deps: Deps, team_id: str, *, reason: str) -> int:
    """Stop everything for the team; the number of queued rows dead-lettered."""
    tokens = deps.bot_tokens
    if isinstance(tokens, Installations):
        tokens.remove(team_id)
    now = deps.clock()
    with deps.sessions.begin() as session:
        queued = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.team_id == team_id,
                OutboxMessage.status.in_(QUEUED),
            )
        ).all()
        for message in queued:
            message.status, message.last_error = OutboxStatus.DEAD, reason
            forget_words(message)
        if session.get(Workspace, team_id) is not None:  # audit entries belong to a workspace
            repo.add_audit(
                session,
                team_id=team_id,
                now=now,
                actor=None,
                action="install.removed",
                object_type="workspace",
                object_id=team_id,
                detail={"reason": reason, "dead_lettered": len(queued)},
            )
    log.info("uninstalled", extra={"team_id": team_id, "reason": reason, "dead_lettered": len(queued)})
    return len(queued)
