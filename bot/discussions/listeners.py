from bot.deps import Deps
from bot.discussions import flows as discussions
from bot.discussions import flows_questions as questions
from bot.discussions import flows_start as starting
from bot.ids import ActionId, CallbackId
from bot.kernel import thread
from bot.kernel.clicks import who
from bot.notes import flows as notes
from bot.outbox import delivery
from bot.outbox.answers import answer

MOVES = {
    ActionId.QUESTION_NEXT: "next",
    ActionId.QUESTION_ANOTHER_LENS: "another",
    ActionId.QUESTION_SKIP: "skip",
}


def register(app, deps: Deps) -> None:
    @app.action(ActionId.CARD_START_DISCUSSION)
    def on_card_start(ack, body, action, client):
        ack()
        starting.start_from_card(deps, client, body, action.get("value", ""))

    @app.action(ActionId.REMINDER_START)
    def on_reminder_start(ack, body, action, client):
        ack()
        starting.start_from_reminder(deps, client, body, action.get("value", ""))

    @app.action(ActionId.CARD_ASK)
    def on_card_ask(ack, body, action, client):
        ack()
        text = questions.ask_from_card(
            deps, team_id=body["team"]["id"], user_id=body["user"]["id"], case_id=action.get("value", "")
        )
        thread.tell(client, body["channel"]["id"], body["user"]["id"], text)
        delivery.wake(deps)

    @app.view(CallbackId.DISCUSSION_START)
    def on_start_submitted(ack, body):
        errors = starting.submit_start(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        delivery.wake(deps)

    for action_id, how in MOVES.items():
        app.action(action_id)(_mover(deps, how))

    @app.action(ActionId.QUESTION_WRAP_UP)
    def on_wrap_up(ack, body, action, client):
        ack()
        value = action.get("value", "")
        problem = discussions.wrap_up(deps, **who(body), value=value)
        if problem is None:  # wrapped up: the summary form opens for whoever pressed it
            problem = notes.open_for_discussion(
                deps,
                client,
                **who(body),
                trigger_id=body["trigger_id"],
                discussion_id=value.partition(":")[0],
            )
        answer(deps, client, body, problem)


def _mover(deps: Deps, how: str):
    def move(client, body, value: str) -> None:
        answer(deps, client, body, discussions.move(deps, **who(body), value=value, how=how))

    def on_move(ack, body, action, client):
        ack()
        # Moved on on the answers pool: this listener thread is free at once for the next request's ack.
        deps.executor.after_ack(move, client, body, action.get("value", ""))

    return on_move
