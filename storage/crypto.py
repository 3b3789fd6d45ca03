"""Case text encrypted at rest: column types that encrypt on the way in and decrypt on the way out.

The cipher is ``cryptography``'s MultiFernet (AES-128-CBC with HMAC-SHA256, authenticated): the first key
encrypts, every key decrypts, so keys can be rotated (``casebot keys rotate`` re-encrypts with the
newest). A stored value is ``enc1:`` followed by the Fernet token. Keys come from CASEBOT_DATA_KEYS (read
only in bot/config.py) and are bound to an engine (``bind``), never logged; content hashes are taken
over the plain text before it is stored, so signed notes still verify.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, Text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"


class DataKeyError(RuntimeError):
    """No key to encrypt with, or a stored value that none of the keys opens. The message is one line
    and never contains a key or the value."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def check_key(key: str) -> bool:
    try:
        Fernet(key.encode("ascii") if isinstance(key, str) else key)
    except (ValueError, TypeError, UnicodeEncodeError):
        return False
    return True


class Cipher:
    """MultiFernet over the configured keys, newest first."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise DataKeyError("no data key given")
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])
        self._newest = Fernet(keys[0].encode("ascii"))
        self.key_count = len(keys)

    def __repr__(self) -> str:  # never the keys
        return f"<Cipher with {self.key_count} key(s)>"

    def encrypt(self, plain: str) -> str:
        return PREFIX + self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            raise DataKeyError("a case-text column holds a value that is not encrypted")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise DataKeyError(
                "a stored value cannot be decrypted with CASEBOT_DATA_KEYS (a key is missing, or the value "
                "was changed)"
            ) from None

    def is_current(self, stored: str) -> bool:
        """Whether the value is already encrypted with the newest key."""
        if not stored.startswith(PREFIX):
            return False
        try:
            self._newest.decrypt(stored[len(PREFIX) :].encode("ascii"))
        except InvalidToken:
            return False
        return True

    def rotate(self, stored: str) -> str:
        """The value encrypted with the newest key (plain text, e.g. from before encryption, is encrypted)."""
        if not stored.startswith(PREFIX):
            return self.encrypt(stored)
        try:
            token = self._fernet.rotate(stored[len(PREFIX) :].encode("ascii"))
        except InvalidToken:
            raise DataKeyError("a stored value cannot be decrypted with CASEBOT_DATA_KEYS") from None
        return PREFIX + token.decode("ascii")

    def is_encrypted(self, stored: str) -> bool:
        """Whether the value is a token one of the keys opens (anything else is plain text)."""
        if not stored.startswith(PREFIX):
            return False
        try:
            self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii"))
        except InvalidToken:
            return False
        return True


_ATTRIBUTE = "casebot_cipher"
_default: Cipher | None = None


def bind(engine: Engine, keys: Sequence[str]) -> Cipher:
    """Encrypt and decrypt with these keys everything read or written through this engine."""
    cipher = Cipher(keys)
    setattr(engine.dialect, _ATTRIBUTE, cipher)
    return cipher


def use_by_default(keys: Sequence[str] | None) -> None:
    """The cipher for engines that were not bound (tests only: every casebot process binds its engine)."""
    global _default
    _default = Cipher(keys) if keys else None


def cipher_for(dialect) -> Cipher:
    cipher = getattr(dialect, _ATTRIBUTE, None) or _default
    if cipher is None:
        raise DataKeyError(
            "CASEBOT_DATA_KEYS is not set: case text is encrypted at rest and cannot be read or written "
            "without it"
        )
    return cipher


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted. NULL stays NULL, so `IS NULL` still works; nothing else does
    (equality, LIKE, ordering): never filter or sort on it."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else cipher_for(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else cipher_for(dialect).decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document (list or dict) stored encrypted, as text. Python None is SQL NULL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return cipher_for(dialect).encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect) -> Any:
        return None if value is None else json.loads(cipher_for(dialect).decrypt(value))


# The columns that hold case text: (table, column, kind). The encryption migration, `casebot keys
# rotate` and the tests walk this list; a new case-text column is added here and typed as above.
ENCRYPTED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("agreements", "change_reason", "text"),
    ("agreements", "reasons", "json"),
    ("agreements", "learning_goals", "text"),
    ("agreements", "information_sharing", "text"),
    ("discussions", "focus", "text"),
    ("thread_messages", "text", "text"),
    ("captured_items", "text", "text"),
    ("note_versions", "amendment_reason", "text"),
    ("note_versions", "sections", "json"),
    ("note_versions", "actions", "json"),
    ("note_versions", "confirmations", "json"),
    ("note_actions", "text", "text"),
    ("note_actions", "done_looks_like", "text"),
    ("note_actions", "status_reason", "text"),
    ("outbox", "payload", "json"),
)
# Case text in tables added after the encryption migration (0008): encrypted from their first row, so
# 0008 does not walk them; `casebot keys rotate` walks every list (ROTATED_COLUMNS).
ENCRYPTED_SINCE_0012: tuple[tuple[str, str, str], ...] = (
    ("supervision_records", "decisions", "text"),
    ("supervision_records", "learning", "text"),
    ("wellbeing_checks", "text", "text"),
    ("review_records", "facts", "json"),
)
# Slack's tokens in slack_sdk's installation tables (storage/installations.py), encrypted since 0017: not
# case text, but a bot token read from a copied database or backup would let anyone act as casebot.
ENCRYPTED_TOKENS: tuple[tuple[str, str, str], ...] = (
    ("slack_bots", "bot_token", "text"),
    ("slack_bots", "bot_refresh_token", "text"),
    ("slack_installations", "bot_token", "text"),
    ("slack_installations", "bot_refresh_token", "text"),
    ("slack_installations", "user_token", "text"),
    ("slack_installations", "user_refresh_token", "text"),
)
ROTATED_COLUMNS = ENCRYPTED_COLUMNS + ENCRYPTED_SINCE_0012 + ENCRYPTED_TOKENS
