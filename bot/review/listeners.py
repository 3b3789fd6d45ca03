from bot.deps import Deps
from bot.ids import ActionId, CallbackId
from bot.outbox import delivery
from bot.outbox.answers import answer
from bot.review import flows


def register(app, deps: Deps) -> None:
    @app.action(ActionId.REVIEW_OPEN)
    def on_review_now(ack, body, action, client):
        ack()
        answer(deps, client, body, flows.open_from_button(deps, client, body, action.get("value", "")))

    @app.view(CallbackId.REVIEW)
    def on_review_submitted(ack, body):
        ack(**flows.submit(deps, body))  # errors, the agreement change form (*change*), or nothing
        delivery.wake(deps)
