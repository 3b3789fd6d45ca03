from bot.cases import flows as cases
from bot.cases import flows_change as change
from bot.deps import Deps
from bot.ids import CallbackId
from bot.outbox import delivery


def register(app, deps: Deps) -> None:
    def after_ack(then) -> None:
        # On the answers pool: this listener thread is free at once for the next request's ack.
        then()
        delivery.wake(deps)

    @app.view(CallbackId.AGREEMENT)
    def on_agreement_submitted(ack, body, client):
        submitted = cases.submit_agreement(deps, client, cases.submission_from(body))
        ack(response_action="errors", errors=submitted.errors) if submitted.errors else ack()
        deps.executor.after_ack(after_ack, submitted.then)

    @app.view(CallbackId.AGREEMENT_CHANGE)
    def on_agreement_changed(ack, body, client):
        submitted = change.submit(deps, client, body)
        ack(response_action="errors", errors=submitted.errors) if submitted.errors else ack()
        deps.executor.after_ack(after_ack, submitted.then)
