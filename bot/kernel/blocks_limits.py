"""Slack's documented Block Kit and Web API limits, in one table (pure).

The builders condense to fit these and the emulator (bot/sandbox/validation.py) refuses anything past
them, so a test run against the emulator fails exactly where real Slack would. Figures are from Slack's
Block Kit reference (docs.slack.dev/reference/block-kit) and the Web API method pages; where Slack counts
characters it counts them as the client sends them, which for emoji means UTF-16 code units.
"""

from __future__ import annotations

# Surfaces
MESSAGE_BLOCKS = 50  # chat.postMessage / chat.update / chat.postEphemeral
VIEW_BLOCKS = 100  # modals and the home tab
MESSAGE_TEXT = 40_000  # chat.postMessage's top-level text (msg_too_long past it)
VIEW_TITLE = 24  # modal title, submit and close (plain_text)
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
EXTERNAL_ID = 255
MODAL_STACK = 3  # views.push past three modals: push_limit_reached

# Composition objects
TEXT = 3000  # any text object unless a tighter limit applies
BLOCK_ID = 255
ACTION_ID = 255
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTION_DESCRIPTION = 75
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30

# Blocks
SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
HEADER_TEXT = 150
INPUT_LABEL = 2000
INPUT_HINT = 2000
IMAGE_ALT_TEXT = 2000
IMAGE_URL = 3000
MARKDOWN_BLOCK_TEXT = 12_000

# Elements
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
PLACEHOLDER = 150
SELECT_OPTIONS = 100
SELECT_OPTION_GROUPS = 100
OPTION_GROUP_LABEL = 75
CHECKBOX_OPTIONS = 10
RADIO_OPTIONS = 10
OVERFLOW_OPTIONS = (2, 5)
INPUT_MAX_LENGTH = 3000  # plain_text_input's max_length and min_length ceiling

BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)
# Blocks Slack accepts only in modals and the home tab (input in messages needs dispatch_action).
VIEW_ONLY_BLOCKS = frozenset({"input"})

INTERACTIVE_ELEMENTS = frozenset(
    {
        "button",
        "checkboxes",
        "channels_select",
        "conversations_select",
        "datepicker",
        "datetimepicker",
        "email_text_input",
        "external_select",
        "multi_channels_select",
        "multi_conversations_select",
        "multi_external_select",
        "multi_static_select",
        "multi_users_select",
        "number_input",
        "overflow",
        "plain_text_input",
        "radio_buttons",
        "rich_text_input",
        "static_select",
        "timepicker",
        "url_text_input",
        "users_select",
        "file_input",
    }
)

# Messages: event_type is a short machine name (Slack's metadata guide: alphanumeric, snake_case).
METADATA_EVENT_TYPE_PATTERN = r"[A-Za-z0-9_]{1,255}"

# Posting rate: chat.postMessage is "special" tier, about one message a second per channel, with short
# bursts allowed. Slack does not publish the burst size; the emulator allows this many back to back.
POSTS_PER_SECOND_PER_CHANNEL = 1.0
POST_BURST = 4


def slack_length(text: str) -> int:
    """Characters as Slack counts them: UTF-16 code units, so an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2
