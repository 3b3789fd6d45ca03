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

    # The agreement form is checked, kept and answered in its listener's middleware, on the request's
    # own thread: bolt returns a listener middleware's response when it does not call next(), so the
    # listener below only names the form for bolt to match and never runs. Run as a listener, the ack
    # waited for bolt, which runs a listener on its pool and looks for its ack every 10 ms
    # (slack_bolt/listener/thread_runner.py): a form acked just after one look was answered at the next.
    def checked_and_answered(ack, body, client):
        submitted = cases.submit_agreement(deps, client, cases.submission_from(body))
        answer = ack(response_action="errors", errors=submitted.errors) if submitted.errors else ack()
        deps.executor.after_ack(after_ack, submitted.then)
        return answer

    @app.view(CallbackId.AGREEMENT, middleware=[checked_and_answered])
    def on_agreement_submitted() -> None:
        raise AssertionError("answered by checked_and_answered")  # bolt never gets here

    @app.view(CallbackId.AGREEMENT_CHANGE)
    def on_agreement_changed(ack, body, client):
        submitted = change.submit(deps, client, body)
        ack(response_action="errors", errors=submitted.errors) if submitted.errors else ack()
        deps.executor.after_ack(after_ack, submitted.then)
