import pytest

from bot.commands.rules import parse
from bot.kernel import rules_permissions as permissions
from bot.kernel.rules_permissions import Actor
from bot.kernel.rules_text import counted, mention, slack_escape, user_ids_in


def test_escape_keeps_broadcasts_and_mentions_literal():
    assert slack_escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def test_mention_refuses_anything_but_a_user_id():
    assert mention("U0AB12") == "<@U0AB12>"
    with pytest.raises(ValueError):
        mention("!channel")


def test_user_ids_are_read_from_escaped_mentions():
    assert user_ids_in("add <@U111|sam> <@W222>") == ["U111", "W222"]


def test_parse_defaults_to_help_and_lowercases_the_subcommand():
    assert parse("").sub == "help"
    assert parse("OPEN now").sub == "open"
    assert parse("admin manager add <@U1>").args == ("manager", "add", "<@U1>")


MANAGER = Actor("UM", is_admin=False, is_manager=True)
ADMIN = Actor("UA", is_admin=True, is_manager=False)
WORKER = Actor("UW", is_admin=False, is_manager=False)


def test_only_managers_and_admins_open_cases():
    assert permissions.can_open_case(MANAGER) and permissions.can_open_case(ADMIN)
    assert not permissions.can_open_case(WORKER)


def test_only_admins_manage_roles():
    assert permissions.can_manage_roles(ADMIN)
    assert not permissions.can_manage_roles(MANAGER)


def test_a_coworker_agrees_only_for_themselves():
    assert permissions.can_agree(WORKER, for_user_id="UW", coworker_ids=["UW", "UX"])
    assert not permissions.can_agree(WORKER, for_user_id="UX", coworker_ids=["UW", "UX"])
    assert not permissions.can_agree(MANAGER, for_user_id="UM", coworker_ids=["UW", "UX"])


def test_case_is_visible_to_members_manager_and_admins_only():
    args = dict(member_ids=["UW"], manager_id="UM")
    assert permissions.can_view_case(WORKER, **args)
    assert permissions.can_view_case(MANAGER, **args)
    assert permissions.can_view_case(ADMIN, **args)
    assert not permissions.can_view_case(Actor("UZ", False, False), **args)


def test_counted_says_one_thing_and_many_things():
    assert [counted(n, "note") for n in (0, 1, 2)] == ["0 notes", "1 note", "2 notes"]
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(3, "entry", "entries") == "3 entries"
