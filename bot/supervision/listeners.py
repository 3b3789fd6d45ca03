from bot.deps import Deps
from bot.ids import ActionId, CallbackId
from bot.outbox import delivery
from bot.outbox.answers import answer
from bot.supervision import flows


def register(app, deps: Deps) -> None:
    @app.action(ActionId.SUPERVISION_RECORD)
    def on_record_supervision(ack, body, action, client):
        ack()
        answer(deps, client, body, flows.open_from_button(deps, client, body, action.get("value", "")))

    @app.view(CallbackId.SUPERVISION)
    def on_supervision_submitted(ack, body):
        errors = flows.submit(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        delivery.wake(deps)
