from bot import delivery
from bot.deps import Deps
from bot.flows import cases
from bot.ids import ActionId


def register(app, deps: Deps) -> None:
    @app.action(ActionId.AGREE)
    def on_agree(ack, body, action, client):
        ack()
        problem = cases.agree(
            deps, team_id=body["team"]["id"], user_id=body["user"]["id"], value=action["value"]
        )
        if problem:
            client.chat_postEphemeral(
                channel=body["channel"]["id"],
                user=body["user"]["id"],
                text=problem,
                thread_ts=body.get("message", {}).get("thread_ts"),
            )
        delivery.deliver_due(deps)

    @app.action(ActionId.CARD_AGREEMENT)
    def on_show_agreement(ack, body, action, client):
        ack()
        shown = cases.show_agreement(
            deps, team_id=body["team"]["id"], user_id=body["user"]["id"], case_id=int(action["value"])
        )
        client.chat_postEphemeral(
            channel=body["channel"]["id"],
            user=body["user"]["id"],
            **(
                {"text": shown}
                if isinstance(shown, str)
                else {"text": "Co-working agreement", "blocks": shown}
            ),
        )
