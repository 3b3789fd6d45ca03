from bot.deps import Deps
from bot.follow_ups import flows_answers as action_answers
from bot.ids import ActionId, CallbackId
from bot.kernel.clicks import who_clicked
from bot.outbox import delivery
from bot.outbox.answers import answer

MODALS = {
    ActionId.ACTION_EXTEND: action_answers.open_extend,
    ActionId.ACTION_CANNOT: action_answers.open_cannot,
}
SUBMITTED = {
    CallbackId.ACTION_EXTEND: action_answers.submit_extend,
    CallbackId.ACTION_CANNOT: action_answers.submit_cannot,
}


def register(app, deps: Deps) -> None:
    @app.action(ActionId.ACTION_DONE)
    def on_done(ack, body, action, client):
        ack()
        problem = action_answers.done(deps, **who_clicked(body), value=action.get("value", ""))
        answer(deps, client, body, problem)

    for action_id, flow in MODALS.items():
        app.action(action_id)(_opener(deps, flow))
    for callback_id, submit in SUBMITTED.items():
        app.view(callback_id)(_submitted(deps, submit))


def _opener(deps: Deps, flow):
    def on_click(ack, body, action, client):
        ack()
        value, trigger_id = action.get("value", ""), body["trigger_id"]
        problem = flow(deps, client, **who_clicked(body), value=value, trigger_id=trigger_id)
        answer(deps, client, body, problem)

    return on_click


def _submitted(deps: Deps, flow):
    def on_submit(ack, body):
        errors = flow(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        delivery.wake(deps)

    return on_submit
