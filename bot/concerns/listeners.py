from bot.concerns import flows as concerns
from bot.deps import Deps
from bot.ids import ActionId
from bot.kernel.clicks import who_clicked
from bot.outbox.answers import answer


def register(app, deps: Deps) -> None:
    @app.action(ActionId.URGENT_ACKNOWLEDGE)
    def on_acknowledge(ack, body, action, client):
        ack()
        problem = concerns.acknowledge(deps, **who_clicked(body), value=action.get("value", ""))
        answer(deps, client, body, problem)
