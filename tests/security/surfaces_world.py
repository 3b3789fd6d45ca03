"""A workspace where every Slack surface casebot has was shown to the people on a case, for
test_surfaces.py to replay as outsiders.

One case is worked as the journey goes (agreement, reminders, a discussion with a decision, an action,
an urgent concern and a difference of view, the signed note, its follow-up, the notes list and a
note, cover asked for and ended, supervision and review forms, App Home); then every button casebot
showed anyone (messages, thread replies, DMs, ephemerals, modals, Home tabs) and every modal it opened
is tried by each outsider while it is live: just before a person on the case clicks or submits it (the
same button and value, the same form and answers), and, for what nobody on the case uses in the journey,
as soon as it is shown. What an outsider replays is what casebot really built, at the moment it works.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot import jobs
from bot.ids import ActionId, Block, CallbackId
from bot.sandbox import payloads
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER, Sandbox
from storage.models import AuditEntry, Base
from tests.discussion_steps import NEXT, WRAP, current, say, start
from tests.journey import open_case, open_modal
from tests.reminder_steps import FIRST_DUE, pass_at

# Rows an outsider's refused attempt may add or touch: the audit trail itself, the de-dupe claims, the
# outbox (a refusal may be told by DM; delivery updates rows), people and workspaces (casebot learns who
# asked), the form checks a refused form never reaches, and the channel's member list read again.
NOT_CASE_STATE = {
    "audit_log",
    "audit_heads",
    "processed_events",
    "outbox",
    "people",
    "workspaces",
    "channel_members",
}


CLICKED_ON = {"ts": "1700000000.000100", "text": ""}


@dataclass
class Button:
    action_id: str
    value: str | None
    block_id: str
    where: str  # where casebot showed it: "message", "ephemeral", "modal" or "home"
    element: dict


@dataclass
class World:
    box: Sandbox
    card: dict
    attackers: tuple[str, ...] = ()
    buttons: dict[str, Button] = field(default_factory=dict)
    views: dict[str, dict] = field(default_factory=dict)
    steps_failed: list[str] = field(default_factory=list)
    # (surface, attacker) -> None: refused, audited, nothing changed; else what went wrong
    results: dict[tuple[str, str], str | None] = field(default_factory=dict)


def build(box: Sandbox, clock, attackers: tuple[str, ...]) -> World:
    """The journey, with each outsider trying each button and form first (see the module's docstring)."""
    world = World(box, {}, attackers)
    click, submit = box.driver.click, box.driver.submit

    def shadow_click(user, action_id, value=None, **kwargs):
        if user not in attackers:
            for attacker in attackers:
                _attack(
                    world,
                    f"button {action_id}",
                    attacker,
                    lambda a=attacker: click(a, action_id, value, **_as(world, a, kwargs)),
                )
        return click(user, action_id, value, **kwargs)

    def shadow_submit(user, view, answers):
        if user not in attackers:
            callback = f"form {view.get('callback_id')}"
            for attacker in attackers:
                _attack(world, callback, attacker, lambda a=attacker: submit(a, view, answers))
        return submit(user, view, answers)

    box.driver.click, box.driver.submit = shadow_click, shadow_submit  # type: ignore[method-assign]
    try:
        world.card = open_case(box)
        _journey(world, box, clock)
    finally:
        box.driver.click, box.driver.submit = click, submit  # type: ignore[method-assign]
    return world


def _as(world: World, attacker: str, kwargs: dict) -> dict:
    """The click as the outsider makes it: a message in the case channel if they are in it (the same
    message), else the same buttons in their DM with casebot; a view is the view."""
    if kwargs.get("view") is not None or kwargs.get("channel_id") == CASE_CHANNEL:
        return kwargs
    return {**kwargs, "channel_id": world.box.emu.dm_channel_for(attacker)}


def _journey(world: World, box: Sandbox, clock) -> None:
    card = world.card
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("agreement form", lambda: open_modal(box)),
        ("reminders", lambda: pass_at(box, FIRST_DUE)),
        ("discussion", lambda: _discussion(box, card)),
        ("urgent concern and difference", lambda: _concern_and_difference(box, card)),
        ("capture shortcut", lambda: _capture(box, card)),
        ("difference form", lambda: _difference_form(box, card)),
        ("wrap up", lambda: _wrap_up(box, card)),
        ("summary", lambda: _sign(box)),
        ("notes", lambda: _notes(box)),
        ("follow-up", lambda: _follow_up(box, clock)),
        ("cover", lambda: _cover(box)),
        ("supervision and review", lambda: _manager_forms(box)),
        ("close form", lambda: box.driver.slash(MANAGER, "close CASE-2026-014", CASE_CHANNEL)),
        ("agreement", lambda: box.driver.slash(MANAGER, "agreement CASE-2026-014", CASE_CHANNEL)),
        (
            "agreement change",
            lambda: box.driver.slash(MANAGER, "agreement CASE-2026-014 change", CASE_CHANNEL),
        ),
        ("home", lambda: _homes(box)),
    ]
    for name, step in steps:
        try:
            step()
        except Exception as exc:  # a step that breaks leaves its surfaces unreached, and is reported
            world.steps_failed.append(f"{name}: {type(exc).__name__}: {exc}"[:200])
        box.deps.executor.wait_idle()
        _harvest(world)


def _attack(world: World, surface: str, attacker: str, act: Callable[[], Any]) -> None:
    """One outsider's attempt, once per surface: it must change nothing and be audited as theirs."""
    if (surface, attacker) in world.results:
        return
    box = world.box
    before, mark = case_state(box), last_audit_id(box)
    try:
        reply = act()
        box.deps.executor.wait_idle()
    except Exception as exc:  # an AckTimeout, say: a failure of the attempt, not of the journey
        world.results[(surface, attacker)] = f"{type(exc).__name__}: {exc}"[:200]
        return
    after = case_state(box)
    changed = sorted(name for name in before if before[name] != after.get(name))
    if reply.status >= 500:
        world.results[(surface, attacker)] = f"answered {reply.status}"
    elif changed:
        world.results[(surface, attacker)] = f"changed {changed}"
    elif not refusals_since(box, mark, attacker):
        said = reply.answer or (reply.json or {}).get("errors") or _told(box, attacker)
        world.results[(surface, attacker)] = f"not audited (told: {str(said)[:120]})"
    else:
        world.results[(surface, attacker)] = None


def _told(box: Sandbox, user: str) -> str:
    told = [e["text"] for e in box.emu.ephemerals if e["user"] == user]
    return told[-1] if told else ""


def _discussion(box: Sandbox, card: dict) -> None:
    start(box, card, focus="Is the plan keeping her safe at weekends?")
    say(box, card, LEAD, "Decision: keep the weekend plan for four more weeks")
    say(box, card, LEAD, f"Action: <@{DEVELOPING}> to ask school about attendance by 4 December")
    box.driver.click(LEAD, NEXT, message=current(box, card), channel_id=CASE_CHANNEL)


def _concern_and_difference(box: Sandbox, card: dict) -> None:
    say(box, card, DEVELOPING, "Urgent: dad turned up at the school gate and tried to take her")
    say(box, card, DEVELOPING, "Disagree: I think contact can move to unsupervised now")


def _capture(box: Sandbox, card: dict) -> None:
    message = say(box, card, LEAD, "Mum says the weekends are calmer now")
    box.driver.shortcut_on_message(LEAD, CASE_CHANNEL, message, CallbackId.ADD_TO_RECORD)


def _difference_form(box: Sandbox, card: dict) -> None:
    message = box.emu.message(CASE_CHANNEL, card["ts"]) or card
    resolve = _find(message.get("blocks", []), ActionId.DIFFERENCE_RESOLVE)
    if resolve is not None:
        box.driver.click(
            MANAGER, ActionId.DIFFERENCE_RESOLVE, resolve["value"], message=message, channel_id=CASE_CHANNEL
        )


def _wrap_up(box: Sandbox, card: dict) -> None:
    box.driver.click(DEVELOPING, WRAP, message=current(box, card), channel_id=CASE_CHANNEL)


def _sign(box: Sandbox) -> None:
    forms = [v for v in box.emu.open_views_for(DEVELOPING) if v.get("callback_id") == CallbackId.SUMMARY]
    if forms:
        from tests.notes.test_slack import sign

        sign(box, DEVELOPING, forms[-1], {})


def _notes(box: Sandbox) -> None:
    box.driver.slash(MANAGER, "notes CASE-2026-014", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    listed = [e for e in box.emu.ephemerals if e["user"] == MANAGER and _elements(e.get("blocks", []))]
    show = _find(listed[-1]["blocks"], ActionId.NOTE_SHOW) if listed else None
    if show is None:
        return
    box.driver.click(MANAGER, ActionId.NOTE_SHOW, show["value"], message=listed[-1], channel_id=CASE_CHANNEL)
    box.deps.executor.wait_idle()
    note = box.emu.open_views_for(MANAGER)[-1]
    amend = _find(note.get("blocks", []), ActionId.NOTE_AMEND)
    if amend is not None:
        box.driver.click(MANAGER, ActionId.NOTE_AMEND, amend["value"], view=note)


def _follow_up(box: Sandbox, clock) -> None:
    clock.advance(days=5)  # Monday 7 December in Sam's working hours: the action was due on the 4th
    jobs.run_pass(box.deps)
    box.deps.executor.wait_idle()
    for message in reversed(box.emu.dms(DEVELOPING)):
        extend = _find(message.get("blocks", []), ActionId.ACTION_EXTEND)
        if extend is not None:
            dm = box.emu.dm_channel_for(DEVELOPING)
            box.driver.click(
                DEVELOPING, ActionId.ACTION_EXTEND, extend["value"], message=message, channel_id=dm
            )
            cannot = _find(message["blocks"], ActionId.ACTION_CANNOT)
            box.driver.click(
                DEVELOPING, ActionId.ACTION_CANNOT, cannot["value"], message=message, channel_id=dm
            )
            return


def _cover(box: Sandbox) -> None:
    """A cover asks to read the notes (the manager's DM gets Approve); the leave then ends, so nobody
    in the attack is covering."""
    day = (box.deps.clock() + timedelta(days=20)).strftime("%Y-%m-%d")
    box.driver.slash(LEAD, f"away {day} <@{COLLEAGUE}|kiri>", CASE_CHANNEL)
    box.driver.slash(COLLEAGUE, "notes CASE-2026-014", CASE_CHANNEL)
    box.driver.slash(LEAD, "away back", CASE_CHANNEL)


def _manager_forms(box: Sandbox) -> None:
    box.driver.slash(MANAGER, "supervision CASE-2026-014", CASE_CHANNEL)
    box.driver.slash(MANAGER, "review CASE-2026-014", CASE_CHANNEL)


def _homes(box: Sandbox) -> None:
    for user in (LEAD, DEVELOPING, MANAGER):
        box.driver.event(payloads.app_home_opened_event(user_id=user, channel_id=f"D{user[1:]}"))


# ------------------------------------------------------------------ harvest


def _elements(blocks: list[dict]) -> list[tuple[str, dict]]:
    found = []
    for block in blocks or []:
        for element in [block.get("accessory"), block.get("element"), *block.get("elements", [])]:
            if isinstance(element, dict) and "action_id" in element:
                found.append((block.get("block_id", ""), element))
    return found


def _find(blocks: list[dict], action_id: str) -> dict | None:
    return next((e for _b, e in _elements(blocks) if e["action_id"] == action_id), None)


def _harvest(world: World) -> None:
    """Every button and form shown so far; each outsider tries what nobody on the case has used yet."""
    emu = world.box.emu
    shown: list[tuple[str, str | None, dict | None, list[dict]]] = []  # where, channel, container, blocks
    for channel_id in list(emu.channels):
        for message in emu.messages(channel_id):
            shown.append(("message", channel_id, message, message.get("blocks", [])))
            if message.get("reply_count") or message.get("thread_ts") == message.get("ts"):
                for reply in emu.thread(channel_id, message["ts"]):
                    shown.append(("message", channel_id, reply, reply.get("blocks", [])))
    shown += [("ephemeral", e["channel"], e, e.get("blocks", [])) for e in emu.ephemerals]
    for view in emu.views.values():
        shown.append(("modal", None, view, view.get("blocks", [])))
        if view.get("callback_id") and view["callback_id"] not in world.views:
            world.views[view["callback_id"]] = view
    shown += [("home", None, view, view.get("blocks", [])) for view in emu.home_views.values()]
    for where, channel_id, container, blocks in shown:
        for block_id, element in _elements(blocks):
            action_id = element["action_id"]
            if action_id in {a.value for a in ActionId} and action_id not in world.buttons:
                world.buttons[action_id] = Button(action_id, _value(element), block_id, where, element)
                _attack_button(world, world.buttons[action_id], channel_id, container)
    for callback, view in world.views.items():
        answers = _answers(view)
        for attacker in world.attackers:
            _attack(
                world,
                f"form {callback}",
                attacker,
                lambda a=attacker, v=view, x=answers: world.box.driver.submit(a, v, x),
            )
    _attack_shortcut(world)


def _attack_shortcut(world: World) -> None:
    """*Add to case record* on a reply in the case thread (the colleague in the channel can reach it)."""
    emu = world.box.emu
    replies = [m for m in emu.thread(CASE_CHANNEL, world.card["ts"]) if m.get("user") != emu.bot_user_id]
    if not replies:
        return
    for attacker in world.attackers:

        def act(a=attacker):
            return world.box.driver.shortcut_on_message(
                a, CASE_CHANNEL, replies[-1], CallbackId.ADD_TO_RECORD
            )

        _attack(world, f"shortcut {CallbackId.ADD_TO_RECORD.value}", attacker, act)


_INITIAL = (
    "initial_value",
    "initial_option",
    "initial_options",
    "initial_date",
    "initial_user",
    "initial_users",
)


def _answers(view: dict) -> dict[str, Any]:
    """What someone on the case would have to fill in before Save: every required field left empty."""
    answers: dict[str, Any] = {}
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        if block.get("type") != "input" or any(k in element for k in _INITIAL):
            continue
        kind, options = element["type"], element.get("options") or []
        if kind == "plain_text_input":
            answers[block["block_id"]] = "Checked with the family on Tuesday"
        elif kind in ("static_select", "radio_buttons") and options:
            answers[block["block_id"]] = options[0]["value"]
        elif kind in ("checkboxes", "multi_static_select") and options:
            answers[block["block_id"]] = [options[0]["value"]]
        elif kind == "datepicker":
            answers[block["block_id"]] = "2026-12-18"
        elif kind == "timepicker":
            answers[block["block_id"]] = "10:00"
        elif kind == "users_select":
            answers[block["block_id"]] = MANAGER
        elif kind == "multi_users_select":
            answers[block["block_id"]] = [LEAD]
    return answers


def _value(element: dict) -> str | None:
    """A button's value; for a select or date picker, its first option (what a click would pick)."""
    options = element.get("options") or [o for g in element.get("option_groups", []) for o in g["options"]]
    if options:
        return options[0]["value"]
    if element.get("type") == "datepicker":
        return element.get("initial_date") or "2026-12-18"
    return element.get("value")


def _attack_button(world: World, button: Button, channel_id: str | None, container: dict | None) -> None:
    for attacker in world.attackers:
        kwargs: dict[str, Any] = {"block_id": button.block_id}
        if button.where in ("modal", "home"):
            kwargs["view"] = container
        else:
            kwargs["message"] = {**CLICKED_ON, "blocks": container.get("blocks", [])} if container else None
            kwargs["channel_id"] = (
                channel_id if channel_id == CASE_CHANNEL else world.box.emu.dm_channel_for(attacker)
            )

        if button.element.get("type") == "datepicker":
            kwargs["selected_date"] = button.value

        def act(a=attacker, kw=kwargs):
            return world.box.driver.click(a, button.action_id, button.value, **kw)

        _attack(world, f"button {button.action_id}", attacker, act)


# ------------------------------------------------------------------ what changed


def case_state(box: Sandbox) -> dict[str, list[str]]:
    """Every row of every table that holds the case's state, as text, sorted."""
    with box.deps.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for table in Base.metadata.sorted_tables
            if table.name not in NOT_CASE_STATE
        }


def last_audit_id(box: Sandbox) -> int:
    with box.deps.reads.begin() as session:
        return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def refusals_since(box: Sandbox, after: int, actor: str) -> list[tuple[str, str]]:
    with box.deps.reads.begin() as session:
        found = session.scalars(select(AuditEntry).where(AuditEntry.id > after, AuditEntry.actor == actor))
        return [(a.action, a.outcome) for a in found if a.outcome in ("denied", "needs_approval")]


__all__ = ["Block", "World", "build", "case_state", "last_audit_id", "refusals_since"]
