"""Who may do what. Pure rules; flows apply them to every object, whatever surface the request came from."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class UserFacts:
    """What Slack told us about a user someone picked (a co-worker, a cover)."""

    exists: bool
    is_bot: bool = False
    deleted: bool = False
    is_restricted: bool = False  # a Slack guest (multi-channel)
    is_ultra_restricted: bool = False  # a Slack single-channel guest

    @property
    def is_guest(self) -> bool:
        """PRACTICE.md: no guests on a case, as co-worker, cover or manager."""
        return self.is_restricted or self.is_ultra_restricted


@dataclass(frozen=True)
class Actor:
    user_id: str
    is_admin: bool
    is_manager: bool


GUEST_LINE = (
    "{who} is a guest in this Slack workspace. Guests can't work on, cover or manage a case: "
    "choose a member of your organisation."
)


def can_open_case(actor: Actor) -> bool:
    return actor.is_manager or actor.is_admin


def can_manage_roles(actor: Actor) -> bool:
    return actor.is_admin


def can_agree(actor: Actor, *, for_user_id: str, coworker_ids: Collection[str]) -> bool:
    """Only the named co-worker can record their own agreement."""
    return actor.user_id == for_user_id and actor.user_id in coworker_ids


def can_view_case(actor: Actor, *, member_ids: Collection[str], manager_id: str) -> bool:
    return actor.user_id in member_ids or actor.user_id == manager_id or actor.is_admin


def can_act_on_reminder(
    actor: Actor, *, member_ids: Collection[str], manager_id: str, covering_for: Collection[str]
) -> bool:
    """Case members, its manager and admins; and whoever is covering a member's leave (their reminders
    come to them, so must their buttons)."""
    covering = any(user_id in member_ids for user_id in covering_for)
    return can_view_case(actor, member_ids=member_ids, manager_id=manager_id) or covering
