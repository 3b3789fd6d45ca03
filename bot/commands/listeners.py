from bot.commands import flows as commands
from bot.deps import Deps


def register(app, deps: Deps) -> None:
    @app.command(deps.settings.command)
    def on_case_command(ack, body, client):
        reply = commands.handle(deps, body)
        ack(text=reply.text) if reply.text else ack()
        if reply.then and reply.handed_off:
            deps.executor.after_ack(reply.then, client)
        elif reply.then:
            reply.then(client)
