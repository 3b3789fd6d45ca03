from bot.deps import Deps
from bot.ids import ActionId
from bot.kernel.clicks import who_clicked
from bot.outbox.answers import answer
from bot.reminders import flows_buttons as occurrences

SIMPLE = {
    ActionId.REMINDER_SNOOZE: occurrences.snooze,
}


def register(app, deps: Deps) -> None:
    @app.action(ActionId.REMINDER_RESCHEDULE)
    def on_reschedule(ack, body, action, client):
        ack()
        problem = occurrences.reschedule(
            deps, **who_clicked(body), value=_item_value(body), day=action.get("selected_date")
        )
        answer(deps, client, body, problem)

    for action_id, flow in SIMPLE.items():
        app.action(action_id)(_handler(deps, flow))


def _handler(deps: Deps, flow):
    def on_click(ack, body, action, client):
        ack()
        value = (action.get("selected_option") or {}).get("value") or action.get("value") or ""
        answer(deps, client, body, flow(deps, **who_clicked(body), value=value))

    return on_click


def _item_value(body) -> str:
    # The date picker has no value of its own; its block id carries "reminder:item:round".
    return body["actions"][0].get("block_id", "").removeprefix("reminder:")
