"""An urgent concern's alert DM, rendered at send time: cancelled once the concern is acknowledged, and
never held for working hours."""

from __future__ import annotations

from bot.concerns import flows_alerts as alerts
from bot.concerns.blocks import alert_message
from bot.outbox.calls import Call, Cancel, Renderers, Row, post
from storage.models import OutboxKind


def register(renderers: Renderers) -> None:
    renderers.add(_alert, OutboxKind.URGENT_ALERT)


def _alert(row: Row) -> Call:
    view = alerts.alert_view(row.deps, row.session, row.case, row.payload)
    if view is None:
        raise Cancel
    text, blocks = alert_message(view)
    return Call("chat.postMessage", post(row.payload["user_id"], text, blocks, row.metadata))
