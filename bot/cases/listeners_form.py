from bot import delivery
from bot.deps import Deps
from bot.flows import cases
from bot.ids import CallbackId


def register(app, deps: Deps) -> None:
    @app.view(CallbackId.AGREEMENT)
    def on_agreement_submitted(ack, body, client):
        submitted = cases.submit_agreement(deps, client, cases.submission_from(body))
        ack(response_action="errors", errors=submitted.errors) if submitted.errors else ack()
        submitted.then()
        delivery.deliver_due(deps)
