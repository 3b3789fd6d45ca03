from bot.cases import flows_agreement as cases
from bot.cases import flows_change as change
from bot.cases import flows_channel as channel
from bot.cases import flows_cover as cover
from bot.deps import Deps
from bot.ids import ActionId
from bot.kernel import thread
from bot.outbox import delivery
from bot.outbox.answers import answer


def register(app, deps: Deps) -> None:
    @app.event("member_joined_channel")
    def on_member_joined(ack, body, event, client):
        ack()
        joined = channel.check_channel(
            deps, client, team_id=body["team_id"], channel_id=event["channel"], joined=event["user"]
        )
        if joined:
            delivery.wake(deps)

    @app.action(ActionId.AGREE)
    def on_agree(ack, body, action, client):
        ack()
        # Recorded on the answers pool: this listener thread is free at once for the next request's ack.
        deps.executor.after_ack(_agree, deps, client, body, action["value"])

    @app.action(ActionId.COVER_APPROVE)
    def on_cover_approve(ack, body, action, client):
        ack()
        cover.approve(deps, client, body, action["value"])

    @app.action(ActionId.CARD_AGREEMENT)
    def on_show_agreement(ack, body, action, client):
        ack()
        shown = cases.show_agreement(
            deps, team_id=body["team"]["id"], user_id=body["user"]["id"], case_id=int(action["value"])
        )
        text, blocks = (shown, None) if isinstance(shown, str) else ("Co-working agreement", shown)
        thread.tell(client, body["channel"]["id"], body["user"]["id"], text, blocks=blocks)

    @app.action(ActionId.AGREEMENT_CHANGE)
    def on_change_agreement(ack, body, action, client):
        ack()
        answer(deps, client, body, change.open_change(deps, client, body, action.get("value", "")))


def _agree(deps: Deps, client, body, value: str) -> None:
    problem = cases.agree(deps, team_id=body["team"]["id"], user_id=body["user"]["id"], value=value)
    if problem:
        thread_ts = body.get("message", {}).get("thread_ts")
        thread.tell(client, body["channel"]["id"], body["user"]["id"], problem, thread_ts)
    delivery.wake(deps)
