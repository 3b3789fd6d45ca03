from bot.capture import flows as replies
from bot.capture import flows_marking as marking
from bot.capture.flows_items import Answer
from bot.deps import Deps
from bot.ids import CallbackId
from bot.kernel import thread
from bot.outbox import delivery


def register(app, deps: Deps) -> None:
    @app.event("message")
    def on_message(ack, body, event, client):
        ack()
        answer = replies.on_message(deps, team_id=body["team_id"], event=event, event_id=body["event_id"])
        _tell(deps, client, answer)

    @app.event("reaction_added")
    def on_reaction_added(ack, body, event, client):
        ack()
        answer = marking.on_reaction(
            deps, team_id=body["team_id"], event=event, event_id=body["event_id"], added=True
        )
        _tell(deps, client, answer)

    @app.event("reaction_removed")
    def on_reaction_removed(ack, body, event, client):
        ack()
        answer = marking.on_reaction(
            deps, team_id=body["team_id"], event=event, event_id=body["event_id"], added=False
        )
        _tell(deps, client, answer)

    @app.shortcut(CallbackId.ADD_TO_RECORD)
    def on_add_to_record(ack, body, client):
        ack()
        _tell(deps, client, marking.shortcut(deps, client, body))

    @app.view(CallbackId.CAPTURE_KIND)
    def on_kind_chosen(ack, body, client):
        errors, answer = marking.submit_kind(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        _tell(deps, client, answer)


def _tell(deps: Deps, client, answer: Answer | None) -> None:
    if answer is not None:
        thread.tell(client, answer.channel_id, answer.user_id, answer.text, answer.thread_ts)
    delivery.deliver_due(deps)
