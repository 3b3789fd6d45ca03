import re

from bot.deps import Deps
from bot.ids import ActionId, CallbackId
from bot.kernel.clicks import who, who_clicked
from bot.notes import flows as notes
from bot.notes import flows_views as note_views
from bot.outbox import delivery
from bot.outbox.answers import answer


def register(app, deps: Deps) -> None:
    @app.action(ActionId.SUMMARY_OPEN)
    def on_write_summary(ack, body, action, client):
        ack()
        problem = notes.open_for_discussion(
            deps, client, **_opener(body), discussion_id=action.get("value", "")
        )
        answer(deps, client, body, problem)

    @app.action(ActionId.REMINDER_MET)
    def on_met_offline(ack, body, action, client):
        ack()
        problem = notes.met_offline(
            deps,
            client,
            **who_clicked(body),
            trigger_id=body["trigger_id"],
            value=action.get("value", ""),
        )
        answer(deps, client, body, problem)

    @app.action(re.compile(rf"^{ActionId.NOTE_SHOW}(:v\d+)?$"))  # a note's Show, or one of its versions
    def on_show_note(ack, body, action, client):
        ack()
        answer(deps, client, body, note_views.show(deps, client, body, action.get("value", "")))

    @app.action(ActionId.NOTE_AMEND)
    def on_amend_note(ack, body, action, client):
        ack()
        answer(deps, client, body, note_views.open_amend(deps, client, body, action.get("value", "")))

    @app.view(CallbackId.AMEND)
    def on_amend_submitted(ack, body):
        errors = note_views.submit_amend(deps, body)
        # A saved amendment closes the note's modal too, so nobody reads the old version as current.
        ack(response_action="errors", errors=errors) if errors else ack(response_action="clear")
        delivery.wake(deps)

    @app.view(CallbackId.SUMMARY)
    def on_summary_submitted(ack, body):
        errors = notes.submit(deps, body)
        ack(response_action="errors", errors=errors) if errors else ack()
        delivery.wake(deps)


def _opener(body) -> dict:
    return who(body) | {"trigger_id": body["trigger_id"]}
