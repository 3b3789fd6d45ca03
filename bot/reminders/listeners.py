from bot.deps import Deps
from bot.ids import ActionId
from bot.kernel import thread
from bot.outbox import delivery
from bot.reminders import flows_buttons as occurrences

SIMPLE = {
    ActionId.REMINDER_SNOOZE: occurrences.snooze,
}


def register(app, deps: Deps) -> None:
    @app.action(ActionId.REMINDER_RESCHEDULE)
    def on_reschedule(ack, body, action, client):
        ack()
        problem = occurrences.reschedule(
            deps, **_who(body), value=_item_value(body), day=action.get("selected_date")
        )
        _answer(deps, client, body, problem)

    for action_id, flow in SIMPLE.items():
        app.action(action_id)(_handler(deps, flow))


def _handler(deps: Deps, flow):
    def on_click(ack, body, action, client):
        ack()
        value = (action.get("selected_option") or {}).get("value") or action.get("value") or ""
        _answer(deps, client, body, flow(deps, **_who(body), value=value))

    return on_click


def _who(body) -> dict:
    message = body.get("message")
    clicked = (
        occurrences.Clicked(body["channel"]["id"], message["ts"], message.get("blocks", []))
        if message
        else None
    )
    return {"team_id": body["team"]["id"], "user_id": body["user"]["id"], "clicked": clicked}


def _item_value(body) -> str:
    # The date picker has no value of its own; its block id carries "reminder:item:round".
    return body["actions"][0].get("block_id", "").removeprefix("reminder:")


def _answer(deps: Deps, client, body, problem: str | None) -> None:
    if problem:  # a DM when the clicker isn't in the channel: raising after ack() can lose the ack in bolt
        thread.tell(client, body["channel"]["id"], body["user"]["id"], problem)
    delivery.deliver_due(deps)
