"""Reading a Web API request: the body and token, and each parameter with the method's own error codes
(text, blocks, metadata, views, time windows, cursor pagination)."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

from bot.kernel import blocks_limits as limits
from bot.sandbox import validation
from bot.sandbox.api_errors import ApiError
from bot.sandbox.workspace import Json

# Parameters Slack accepts as JSON-encoded strings inside form bodies.
JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "files")


def parse_request(query: str, content_type: str, authorization: str, body: bytes) -> tuple[Json, str | None]:
    """Merge query, form or JSON body into one dict; decode JSON-string fields; extract the token."""
    params: Json = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        if content_type.startswith("application/json"):
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise ApiError("invalid_json") from None
            if not isinstance(payload, dict):
                raise ApiError("invalid_json")
            params.update(payload)
        elif content_type.startswith("multipart/"):
            raise ApiError("invalid_form_data")  # only files.upload (v1) sends multipart; not emulated
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    token = params.pop("token", None)
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ").strip()
    elif authorization.startswith("Basic "):  # oauth.v2.access: the app's client id and secret
        with contextlib.suppress(ValueError):
            basic = base64.b64decode(authorization.removeprefix("Basic ").strip()).decode("utf-8")
            params["client_id"], _, params["client_secret"] = basic.partition(":")
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            # Left as a string if it isn't JSON: the handler answers with the method's own error code.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params, token


def str_arg(p: Json, key: str) -> str:
    value = p.get(key)
    return "" if value is None else str(value)


def int_arg(p: Json, key: str, default: int) -> int:
    try:
        return int(p.get(key) or default)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments") from None


def flag(value: Any) -> bool:
    # slack_sdk turns True into "1" for form bodies; JSON bodies keep real booleans.
    return value in (True, 1, "1", "true", "True")


def message_content(p: Json) -> tuple[str, list[Json] | None]:
    """Validated text and blocks of a message, with chat.postMessage's error codes."""
    text, blocks = str_arg(p, "text"), p.get("blocks")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        problems = validation.message_errors(blocks)
        if problems:
            raise ApiError("invalid_blocks", messages=problems)
    if len(text) > limits.MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    if not text and not blocks and not p.get("attachments"):
        raise ApiError("no_text")
    return text, blocks


def message_metadata(p: Json) -> Json | None:
    metadata = p.get("metadata")
    if metadata is None:
        return None
    problems = validation.metadata_errors(metadata)
    if problems:
        raise ApiError("invalid_metadata_format", messages=problems)
    return metadata


def view_spec(p: Json, view_type: str) -> Json:
    spec = p.get("view")
    if not isinstance(spec, dict) or spec.get("type") != view_type:
        raise ApiError(
            "invalid_arguments", messages=[f"[ERROR] must be a {view_type} view [json-pointer:/view]"]
        )
    problems = validation.view_errors(spec)
    if problems:
        raise ApiError("invalid_arguments", messages=problems)
    return spec


def ts_window(p: Json) -> Callable[[Decimal], bool]:
    """history/replies' oldest, latest and inclusive: which ts fall inside the range asked for."""
    oldest, latest = ts_value(str_arg(p, "oldest") or "0"), str_arg(p, "latest")
    inclusive = flag(p.get("inclusive"))

    def in_window(ts: Decimal) -> bool:
        above = ts >= oldest if inclusive else ts > oldest
        below = not latest or (ts <= ts_value(latest) if inclusive else ts < ts_value(latest))
        return above and below

    return in_window


def for_reader(messages: list[Json], p: Json) -> list[Json]:
    """Copies as history/replies return them: metadata only when include_all_metadata is set."""
    shown = copy.deepcopy(messages)
    if not flag(p.get("include_all_metadata")):
        for message in shown:
            message.pop("metadata", None)
    return shown


def paginate(items: list[Any], p: Json, *, default_limit: int) -> tuple[list[Any], str]:
    """Slack's cursor pagination: an opaque next_cursor, "" on the last page; limit 0 means all."""
    start = decode_cursor(str_arg(p, "cursor"))
    limit = int_arg(p, "limit", default_limit) or len(items)
    end = start + limit
    return items[start:end], encode_cursor(end) if end < len(items) else ""


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("offset:"))
    except ValueError:
        raise ApiError("invalid_cursor") from None


def ts_value(ts: str) -> Decimal:
    """A ts as an exact number; floats would round microseconds near 1.7e9."""
    try:
        return Decimal(ts)
    except InvalidOperation:
        raise ApiError("invalid_ts_latest") from None
