import pytest

from bot.kernel.rules_conversations import is_direct_message, not_in_a_direct_message


@pytest.mark.parametrize(
    ("channel_id", "channel_name"),
    [
        ("D0123ABCD", "directmessage"),
        ("D0123ABCD", None),  # a form's private_metadata carries the id only
        ("G8LX6JTS7", "mpdm-kev--sam--mere-1"),
        ("C0123ABCD", "directmessage"),
    ],
)
def test_dms_and_group_dms_are_direct_messages(channel_id, channel_name):
    assert is_direct_message(channel_id, channel_name)


@pytest.mark.parametrize(
    ("channel_id", "channel_name"),
    [
        ("C0123ABCD", "cases-north"),
        ("G0123ABCD", "cases-east"),  # an old private channel
        ("G0123ABCD", "privategroup"),
        ("G0123ABCD", None),
        ("C0123ABCD", None),
    ],
)
def test_channels_are_not_direct_messages(channel_id, channel_name):
    assert not is_direct_message(channel_id, channel_name)


def test_the_refusal_names_the_configured_command():
    assert not_in_a_direct_message("/cowork").startswith("`/cowork open` works in your team's private")
