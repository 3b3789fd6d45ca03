from bot import delivery
from bot.deps import Deps
from bot.flows import notes, thread
from bot.ids import ActionId, CallbackId
from bot.listeners.reminders import _who as clicked_reminder


def register(app, deps: Deps) -> None:
    @app.action(ActionId.SUMMARY_OPEN)
    def on_write_summary(ack, body, action, client):
        ack()
        problem = notes.open_for_discussion(
            deps, client, **_opener(body), discussion_id=action.get("value", "")
        )
        _answer(deps, client, body, problem)

    @app.action(ActionId.REMINDER_MET)
    def on_met_offline(ack, body, action, client):
        ack()
        problem = notes.met_offline(
            deps,
            client,
            **clicked_reminder(body),
            trigger_id=body["trigger_id"],
            value=action.get("value", ""),
        )
        _answer(deps, client, body, problem)

    @app.view(CallbackId.SUMMARY)
    def on_summary_submitted(ack, body):
        errors = notes.submit(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        delivery.deliver_due(deps)


def _opener(body) -> dict:
    return {"team_id": body["team"]["id"], "user_id": body["user"]["id"], "trigger_id": body["trigger_id"]}


def _answer(deps: Deps, client, body, problem: str | None) -> None:
    if problem:
        thread.tell(client, body["channel"]["id"], body["user"]["id"], problem)
    delivery.deliver_due(deps)
