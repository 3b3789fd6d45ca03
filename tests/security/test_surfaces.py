"""Every Slack surface casebot has, tried by every kind of outsider: refused, audited, nothing changed.

Surfaces: each `/case` subcommand, each button (action id) and each modal (callback id), as casebot
really built them for the people on one case (surfaces_world.py). Outsiders: a colleague in the case
channel who is not on the case, someone from another team (not in the channel), and a person who left
the service (their Slack account deactivated). Each attempt must change nothing of the case's state, and
leave an audit entry naming the outsider with outcome denied (or needs_approval); the subcommands that
only ever act on the caller's own things (help, list, overdue, digest, away) must show nothing of the
case. The figure: `.venv/bin/pytest tests/security/test_surfaces.py -q -rs -s` prints it (a surface the
journey did not reach is skipped, with its name).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.ids import ActionId, CallbackId, Sub
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, LEFT, OUTSIDER, ManualClock, Sandbox
from tests.security.surfaces_world import World, _attack, build, case_state

REFERENCE = "CASE-2026-014"
ATTACKERS = {"not-on-the-case": COLLEAGUE, "another-team": OUTSIDER, "left-the-service": LEFT}
# Subcommands that act only on the caller's own things (their cases, items, digest, leave).
SELF_SERVICE = {Sub.HELP, Sub.LIST, Sub.OVERDUE, Sub.DIGEST, Sub.AWAY}
SELF_SERVICE_WORDS = {Sub.AWAY: "away 2027-01-08", Sub.DIGEST: "digest now"}


def _slash_words(sub: Sub, attacker: str) -> str:
    if sub == Sub.ADMIN:
        return f"admin manager add <@{attacker}|me>"
    if sub == Sub.OPEN:
        return "open"
    return SELF_SERVICE_WORDS.get(sub, f"{sub.value} {REFERENCE}")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("surfaces") / "casebot.db"
    clock = ManualClock(datetime(2026, 11, 24, 21, 0, tzinfo=UTC))
    with Sandbox(database_url=f"sqlite:///{path}", mode="http", clock=clock, rate_limits=False) as box:
        yield build(box, clock, tuple(ATTACKERS.values()))


def _self_service(world: World, attacker: str, words: str) -> None:
    """Help, list, overdue, digest and away act on the caller's own things: nothing of the case shown,
    nothing of it changed (their own leave aside)."""
    box = world.box
    before, seen = case_state(box), (len(box.emu.ephemerals), len(box.emu.calls))
    reply = box.driver.slash(attacker, words, CASE_CHANNEL)
    after = case_state(box)
    assert reply.status == 200
    assert [name for name in before if before[name] != after[name] and name != "leave"] == []
    told = [e["text"] for e in box.emu.ephemerals[seen[0] :] if e["user"] == attacker]
    told += [str(call.params) for call in box.emu.calls[seen[1] :]]
    assert REFERENCE not in (reply.answer or "") + "".join(told), "the case was shown to an outsider"


@pytest.mark.parametrize("attacker", ATTACKERS.values(), ids=ATTACKERS.keys())
@pytest.mark.parametrize("sub", list(Sub), ids=lambda s: f"slash-{s.value}")
def test_a_subcommand(world, sub, attacker):
    words = _slash_words(sub, attacker)
    if sub in SELF_SERVICE:
        _self_service(world, attacker, words)
        return
    surface = f"slash {sub.value}"
    _attack(world, surface, attacker, lambda: world.box.driver.slash(attacker, words, CASE_CHANNEL))
    assert world.results[(surface, attacker)] is None, world.results[(surface, attacker)]


@pytest.mark.parametrize("attacker", ATTACKERS.values(), ids=ATTACKERS.keys())
@pytest.mark.parametrize("action_id", list(ActionId), ids=lambda a: f"button-{a.value}")
def test_a_button(world, action_id, attacker):
    """Tried with the button's own value, just before someone on the case used it (or when shown)."""
    surface = f"button {action_id.value}"
    if (surface, attacker) not in world.results:
        pytest.skip(f"the journey showed no {action_id.value} button")
    assert world.results[(surface, attacker)] is None, world.results[(surface, attacker)]


@pytest.mark.parametrize("attacker", ATTACKERS.values(), ids=ATTACKERS.keys())
@pytest.mark.parametrize("callback_id", list(CallbackId), ids=lambda c: f"form-{c.value}")
def test_a_form(world, callback_id, attacker):
    """A form opened for someone on the case, submitted as the outsider with the same answers just before
    they submitted it (say, taken off the case while it was open): checked again, not trusted."""
    kind = "shortcut" if callback_id == CallbackId.ADD_TO_RECORD else "form"  # a message shortcut's id
    surface = f"{kind} {callback_id.value}"
    if (surface, attacker) not in world.results:
        pytest.skip(f"the journey opened no {callback_id.value} form")
    assert world.results[(surface, attacker)] is None, world.results[(surface, attacker)]


def test_the_journey_reached_every_step(world):
    assert world.steps_failed == []


def test_zz_the_figure(world, capsys):
    """Printed last: surfaces × outsiders refused and audited (run the whole module for the figure)."""
    tried = dict(world.results)
    held = sum(1 for result in tried.values() if result is None)
    surfaces = {surface for surface, _attacker in tried}
    with capsys.disabled():
        print(
            f"\nsurfaces × outsiders refused and audited: {held} of {len(tried)} "
            f"({len(surfaces)} surfaces × {len(ATTACKERS)} outsiders; self-service subcommands "
            f"{', '.join(sorted(s.value for s in SELF_SERVICE))} checked to show nothing of the case)"
        )
    assert held == len(tried)
