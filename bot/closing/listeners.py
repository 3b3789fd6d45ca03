from bot.closing import flows
from bot.deps import Deps
from bot.ids import ActionId, CallbackId
from bot.notes import flows_views as notes
from bot.outbox import delivery
from bot.outbox.answers import answer


def register(app, deps: Deps) -> None:
    @app.view(CallbackId.CLOSE)
    def on_close_submitted(ack, body):
        errors = flows.submit(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        delivery.wake(deps)

    @app.action(ActionId.CARD_NOTES)
    def on_card_notes(ack, body, action, client):
        ack()
        answer(deps, client, body, notes.list_from_button(deps, client, body, action.get("value", "")))
