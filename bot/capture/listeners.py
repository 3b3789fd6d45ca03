from bot.capture import flows as replies
from bot.capture import flows_marking as marking
from bot.capture.flows_items import Answer
from bot.deps import Deps
from bot.ids import CallbackId
from bot.kernel import thread
from bot.outbox import delivery

ANSWER = "casebot_capture_answer"  # what storing the event means for the people in the thread


def register(app, deps: Deps) -> None:
    # An event is stored (and committed) before it is acknowledged: Slack never sends an acknowledged
    # event again, so one acked and then lost with the process would be lost for good. bolt acks an
    # event as soon as its listener is picked, so storing happens in the listener's middleware, which
    # runs before that; the listener then tells people what it means. Storing takes a few milliseconds,
    # and a retry of one stored but not acked is recognised by its event_id.
    #
    # Most events (a plain reply during a discussion) leave nobody anything to be told: those are acked
    # here, and bolt answers Slack with this middleware's response without running the listener. Handing
    # a listener with nothing to do to the pool cost a thread switch beside the next request's ack.
    def stored_first(store):
        def middleware(ack, body, context, next):
            answer = store(deps, team_id=body["team_id"], event=body["event"], event_id=body["event_id"])
            if answer is None:
                delivery.wake(deps)  # what storing queued (an urgent concern's note) goes out
                return ack()
            context[ANSWER] = answer
            next()

        return middleware

    def reaction(added: bool):
        return lambda deps, **event: marking.on_reaction(deps, added=added, **event)

    @app.event("message", middleware=[stored_first(replies.on_message)])
    def on_message(context, client):
        _tell(deps, client, context.get(ANSWER))

    @app.event("reaction_added", middleware=[stored_first(reaction(True))])
    def on_reaction_added(context, client):
        _tell(deps, client, context.get(ANSWER))

    @app.event("reaction_removed", middleware=[stored_first(reaction(False))])
    def on_reaction_removed(context, client):
        _tell(deps, client, context.get(ANSWER))

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
    delivery.wake(deps)
