from bot.deps import Deps
from bot.flows import shortcuts
from bot.ids import CallbackId


def register(app, deps: Deps) -> None:
    @app.shortcut(CallbackId.ADD_TO_RECORD)
    def on_add_to_record(ack, body, client):
        ack()
        text = shortcuts.add_to_record(
            deps, team_id=body["team"]["id"], channel_id=body["channel"]["id"], message=body["message"]
        )
        client.chat_postEphemeral(channel=body["channel"]["id"], user=body["user"]["id"], text=text)
