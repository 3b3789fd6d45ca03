"""The `/case` command: what each subcommand answers, decided quickly so the listener can ack with it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.cases import flows_change as agreement
from bot.cases import flows_open as cases
from bot.cases.blocks import case_list, help_message
from bot.cases.presenters import case_line
from bot.closing import flows as closing
from bot.commands import flows_overdue as overdue
from bot.commands.flows_respond import respond
from bot.commands.rules import parse
from bot.deps import Deps
from bot.digest import flows as digest
from bot.discussions import flows as discussions
from bot.discussions import flows_questions as questions
from bot.ids import Sub
from bot.kernel import people
from bot.kernel import rules_permissions as permissions
from bot.kernel.rules_conversations import is_direct_message, not_in_a_direct_message
from bot.kernel.rules_text import slack_escape, user_ids_in
from bot.notes import flows as notes
from bot.notes import flows_export as notes_export
from bot.notes import flows_views as note_views
from bot.outbox import delivery
from bot.reminders import flows_away as away
from bot.review import flows as review
from bot.supervision import flows as supervision
from storage import repository as repo
from storage.models import Role, ScheduleItem


@dataclass
class Reply:
    """What to acknowledge with (an ephemeral text, or nothing) and the slow work to do after the ack."""

    text: str | None = None
    # What `then` returns (a flow's report, say) is not used: the listener runs it for its effect.
    then: Callable[[WebClient], object] | None = None
    # An answer built from the database after the ack goes to the answers pool (bot/executor.py), so it
    # never holds the listener thread the next request's ack needs.
    handed_off: bool = False


def handle(deps: Deps, body: dict[str, Any]) -> Reply:
    invocation = parse(body.get("text"))
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    if invocation.sub == Sub.OPEN:
        if is_direct_message(channel_id, body.get("channel_name")):
            return Reply(text=not_in_a_direct_message(deps.settings.command))
        if refusal := cases.may_open(deps, team_id=team_id, user_id=user_id, channel_id=channel_id):
            return Reply(text=refusal)
        trigger_id = body["trigger_id"]
        return Reply(
            then=lambda client: cases.open_modal(deps, client, trigger_id=trigger_id, channel_id=channel_id)
        )
    if invocation.sub == Sub.LIST:  # the ack goes at once; the answer follows on the response_url
        return Reply(
            then=lambda client: respond(
                deps, client, body, list_cases(deps, team_id=team_id, user_id=user_id)
            ),
            handed_off=True,
        )
    if invocation.sub == Sub.AWAY:
        return Reply(then=lambda client: away.reply(deps, client, body, invocation.args))
    if invocation.sub == Sub.DISCUSS:
        return Reply(then=lambda client: discussions.start_from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.RECORD:
        return Reply(then=lambda client: notes.open_from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.EXPORT:
        return Reply(then=lambda client: notes_export.from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.NOTES:
        return Reply(then=lambda client: note_views.from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.ASK:
        text = questions.ask(
            deps, team_id=team_id, user_id=user_id, channel_id=channel_id, args=invocation.args
        )
        return Reply(text=text, then=lambda _client: delivery.wake(deps))
    if invocation.sub == Sub.OVERDUE:
        return Reply(
            then=lambda client: respond(
                deps, client, body, overdue.overdue(deps, team_id=team_id, user_id=user_id)
            ),
            handed_off=True,
        )
    if invocation.sub == Sub.DIGEST:
        text, send_now = digest.command(deps, team_id=team_id, user_id=user_id, args=invocation.args)
        if not send_now:
            return Reply(text=text)
        return Reply(
            text=text, then=lambda client: digest.send_now(deps, client, team_id=team_id, user_id=user_id)
        )
    if invocation.sub == Sub.SUPERVISION:
        return Reply(then=lambda client: supervision.from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.REVIEW:
        return Reply(then=lambda client: review.from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.CLOSE:
        return Reply(then=lambda client: closing.from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.AGREEMENT:
        return Reply(then=lambda client: agreement.from_command(deps, client, body, invocation.args))
    if invocation.sub == Sub.ADMIN:
        return Reply(text=admin(deps, team_id=team_id, user_id=user_id, args=invocation.args))
    text = help_message(deps.content, deps.settings.command)
    if invocation.sub != Sub.HELP:
        text = f"I don't know `{slack_escape(invocation.sub[:30])}`. Here is what I can do:\n\n{text}"
    return Reply(text=text)


def list_cases(deps: Deps, *, team_id: str, user_id: str) -> str:
    now = deps.clock()
    with deps.reads.begin() as session:
        found = repo.cases_for_user(session, team_id=team_id, slack_user_id=user_id)
        by_case: dict[int, list[ScheduleItem]] = defaultdict(list)  # grouped once, not scanned per case
        for item in repo.open_items(session, case_ids=[case.id for case in found]):
            by_case[item.case_id].append(item)
        return case_list([case_line(case, user_id, items=by_case[case.id], now=now) for case in found])


ADMIN_USAGE = "Use `/case admin manager add @person` or `/case admin manager remove @person`."


def admin(deps: Deps, *, team_id: str, user_id: str, args: tuple[str, ...]) -> str:
    now = deps.clock()
    targets = user_ids_in(" ".join(args[2:]))
    if (
        len(args) < 3
        or args[0].lower() != "manager"
        or args[1].lower() not in {"add", "remove"}
        or not targets
    ):
        return ADMIN_USAGE
    adding = args[1].lower() == "add"
    with deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=team_id, now=now)
        who = people.actor(session, deps.settings, team_id=team_id, user_id=user_id)
        if not permissions.can_manage_roles(who):
            repo.add_audit(
                session,
                team_id=team_id,
                now=now,
                actor=user_id,
                action="role.manager",
                outcome="denied",
                object_type="person",
                object_id=",".join(targets),
            )
            return "Only casebot administrators can change who is a manager."
        for target in targets:
            person = repo.ensure_person(session, team_id=team_id, slack_user_id=target)
            if person.role != Role.ADMIN:
                person.role = Role.MANAGER if adding else Role.MEMBER
            repo.add_audit(
                session,
                team_id=team_id,
                now=now,
                actor=user_id,
                action="role.manager.add" if adding else "role.manager.remove",
                object_type="person",
                object_id=target,
            )
    names = ", ".join(f"<@{t}>" for t in targets)
    return f"{names} can now open and manage cases." if adding else f"{names} is no longer a manager."
