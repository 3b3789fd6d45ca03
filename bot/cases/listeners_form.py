from bot.cases import flows as cases
from bot.cases import flows_change as change
from bot.deps import Deps
from bot.ids import CallbackId
from bot.outbox import delivery

SUBMITTED = "casebot_agreement_submitted"  # the checked form, from the middleware to the listener


def register(app, deps: Deps) -> None:
    def after_ack(then) -> None:
        # On the answers pool: this listener thread is free at once for the next request's ack.
        then()
        delivery.wake(deps)

    # The form is checked and kept in the listener's middleware, on the request's own thread, and the
    # listener only acks. bolt runs a listener on its executor and looks for its ack every 10 ms
    # (slack_bolt/listener/thread_runner.py): checked in the listener, a form whose checks took longer
    # than one look (eight forms at once on two cores) was answered a look or two later.
    def checked_first(body, client, context, next):
        context[SUBMITTED] = cases.submit_agreement(deps, client, cases.submission_from(body))
        next()

    @app.view(CallbackId.AGREEMENT, middleware=[checked_first])
    def on_agreement_submitted(ack, context):
        submitted = context[SUBMITTED]
        ack(response_action="errors", errors=submitted.errors) if submitted.errors else ack()
        deps.executor.after_ack(after_ack, submitted.then)

    @app.view(CallbackId.AGREEMENT_CHANGE)
    def on_agreement_changed(ack, body, client):
        submitted = change.submit(deps, client, body)
        ack(response_action="errors", errors=submitted.errors) if submitted.errors else ack()
        deps.executor.after_ack(after_ack, submitted.then)
