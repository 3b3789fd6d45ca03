"""app_uninstalled and tokens_revoked: casebot stops everything for the team (bot/install/flows.py)."""

from bot.deps import Deps
from bot.install import flows


def register(app, deps: Deps) -> None:
    @app.event("app_uninstalled")
    def on_uninstalled(body):
        flows.uninstalled(deps, body["team_id"], reason="app_uninstalled")

    @app.event("tokens_revoked")
    def on_tokens_revoked(event, body):
        if event.get("tokens", {}).get("bot"):  # user tokens alone: casebot holds none
            flows.uninstalled(deps, body["team_id"], reason="tokens_revoked")
