"""Wires each feature's outbox renderers into the outbox, once per process (the outbox imports no feature),
and the management decision note writer into bot/kernel/decisions.py (bot/cases may not import bot/notes)."""

from __future__ import annotations

from bot.cases import outbox as cases
from bot.concerns import outbox as concerns
from bot.discussions import outbox as discussions
from bot.follow_ups import outbox as follow_ups
from bot.home import outbox as home
from bot.kernel import decisions
from bot.notes import flows_management
from bot.notes import outbox as notes
from bot.outbox.calls import RENDERERS
from bot.reminders import outbox as reminders

FEATURES = (cases, discussions, reminders, notes, follow_ups, concerns, home)


def wire() -> None:
    """Register every feature's renderers (again is harmless): call it before delivering."""
    for feature in FEATURES:
        feature.register(RENDERERS)
    decisions.wire(flows_management.from_kernel)  # the agreement's decision notes (bot/cases)
