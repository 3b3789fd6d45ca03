from bot.capture import flows_differences as flows
from bot.deps import Deps
from bot.ids import ActionId, CallbackId
from bot.outbox import delivery
from bot.outbox.answers import answer


def register(app, deps: Deps) -> None:
    @app.action(ActionId.DIFFERENCE_RESOLVE)
    def on_resolve(ack, body, action, client):
        ack()
        answer(deps, client, body, flows.open_from_button(deps, client, body, action.get("value", "")))

    @app.view(CallbackId.DIFFERENCE)
    def on_difference_submitted(ack, body):
        errors = flows.submit(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        delivery.wake(deps)
