from bot.deps import Deps
from bot.home import flows as home


def register(app, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event, body, client):
        if event.get("tab") == "home":
            client.views_publish(
                user_id=event["user"],
                view=home.view_for(deps, team_id=body["team_id"], user_id=event["user"]),
            )
            home.opened(deps, team_id=body["team_id"], user_id=event["user"])
