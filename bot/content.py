"""Loads prompts/ once: jinja2 templates for the bot's wording, and the question banks.

Every ``{{ expression }}`` is Slack-escaped by ``finalize`` unless it is ``Trusted`` (mentions and
dates we build ourselves), so user text can never become ``<!channel>`` or a mention.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from bot.discussions.rules_banks import BankError, Banks, combine, in_words, merge, parse_bank, validate
from bot.kernel.rules_text import channel_link, mention, slack_date, slack_escape
from bot.notes.rules_drafting import TEMPLATE_OPTIONS

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
BANKS = PROMPTS / "banks"


class Trusted(str):
    """Text built by casebot itself (mentions, Slack date tokens) that must not be escaped."""


def _finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Trusted):
        return value
    return slack_escape(value)


def load_banks(folders: Sequence[Path]) -> Banks:
    """Every ``*.toml`` in each folder, in name order. Files in one folder may not define the same id;
    a later folder adds questions and frameworks and replaces earlier ones by id. Then cross-checked.
    Any problem is a BankError naming the file and the entry."""
    layers = []
    for folder in folders:
        if not folder.is_dir():
            raise BankError(f"{_shown(folder)}: not a folder of question banks")
        files = sorted(p for p in folder.glob("*.toml") if not p.name.startswith(".") and p.is_file())
        layers.append(combine(*(parse_bank(_shown(path), _read_toml(path)) for path in files)))
    banks = merge(*layers)
    validate(banks)
    return banks


def _read_toml(path: Path) -> Mapping[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise BankError(f"{_shown(path)}: not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise BankError(f"{_shown(path)}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise BankError(f"{_shown(path)}: cannot be read ({error.strerror})") from error


def _shown(path: Path) -> str:
    """prompts/banks/lenses.toml for a shipped file; an organisation's file as given."""
    try:
        return str(path.resolve().relative_to(PROMPTS.parent))
    except ValueError:
        return str(path)


class Content:
    def __init__(self, root: Path = PROMPTS, bank_folders: Sequence[Path] = ()) -> None:
        self.banks = load_banks([root / "banks", *bank_folders])
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(root / "templates"),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # Slack mrkdwn, not HTML: finalize does the escaping that matters.
            autoescape=False,  # noqa: S701
        )
        self.env.filters["mention"] = lambda user_id: Trusted(mention(user_id))
        self.env.filters["when"] = lambda at: Trusted(slack_date(at))
        self.env.filters["day"] = lambda at: Trusted(slack_date(at, with_time=False))
        self.env.filters["channel"] = lambda channel_id: Trusted(channel_link(channel_id))
        # A template's own words in the organisation's vocabulary: {{ "the child's teacher" | words }}.
        self.env.filters["words"] = self.words
        # Files and plain-text boxes (exports, drafts): Slack shows them literally, so nothing is escaped.
        self.plain_env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(root / "templates"),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # noqa: S701 (Markdown and plain text, not HTML)
            **TEMPLATE_OPTIONS,
        )
        self.plain_env.filters["words"] = self.words

    def words(self, text: str) -> str:
        """casebot's own wording in the banks' [vocabulary]: child, teacher and family as configured."""
        return in_words(text, self.banks.vocabulary)

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def render_plain(self, name: str, **context: Any) -> str:
        """A template rendered without Slack escaping: for a file or a plain-text input, never a message."""
        return self.plain_env.get_template(name).render(**context).strip()
