"""PUBLISH_HOME: a person's App Home, rendered at send time so it shows the latest state."""

from __future__ import annotations

from bot.home.blocks import home_view
from bot.home.flows import model
from bot.outbox.calls import Call, Renderers, Row
from storage.models import OutboxKind


def register(renderers: Renderers) -> None:
    renderers.add(_publish, OutboxKind.PUBLISH_HOME)


def _publish(row: Row) -> Call:
    user_id = row.payload["user_id"]
    home = model(row.session, row.deps, team_id=row.case.team_id, user_id=user_id, now=row.now)
    return Call("views.publish", {"user_id": user_id, "view": home_view(home)})
