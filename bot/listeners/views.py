from bot import delivery
from bot.deps import Deps
from bot.flows import cases
from bot.ids import CallbackId


def register(app, deps: Deps) -> None:
    @app.view(CallbackId.AGREEMENT)
    def on_agreement_submitted(ack, body, client):
        errors = cases.submit_agreement(deps, client, cases.submission_from(body))
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        delivery.deliver_due(deps)
