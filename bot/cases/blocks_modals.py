"""Modals as pure data, and the reader that turns a submitted modal back into a form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.cases import rules_agreements as terms
from bot.cases.rules_agreements import AgreementForm
from bot.ids import Block, CallbackId
from bot.kernel.blocks import input_block, option, options, plain, sections

CUSTOM_MAX = 200  # a custom cadence: "every 3 weeks" or an RRULE, shown on the card


def agreement_modal(*, channel_id: str, today: date, form: AgreementForm | None = None) -> dict[str, Any]:
    form = form or AgreementForm(reference="", coworkers=(), lead=None)
    review = form.review_date or terms.default_review_date(today)
    blocks = [
        input_block(
            Block.REFERENCE,
            "Case reference",
            _text_input(form.reference, placeholder="e.g. CASE-2026-014", max_length=64),
            hint="Your organisation's reference. Never a child's or family's name.",
        ),
        input_block(Block.COWORKERS, "Co-workers (two or more)", _users(form.coworkers)),
        input_block(Block.LEAD, "Lead worker", _user(form.lead)),
        input_block(
            Block.DEVELOPING,
            "Developing workers",
            _users(form.developing),
            optional=True,
            hint="Co-workers whose learning this arrangement supports. Others are treated as experienced.",
        ),
        input_block(Block.REASONS, "Why is this case co-worked?", _multi_select(terms.REASONS, form.reasons)),
        *[
            input_block(
                f"{Block.RESPONSIBILITY_PREFIX}{key}",
                label,
                _select(terms.WHO, form.responsibilities.get(key, terms.DEFAULT_MATRIX[key])),
            )
            for key, label in terms.RESPONSIBILITIES.items()
        ],
        input_block(
            Block.DISCUSSION_FREQUENCY,
            "Reflective discussions: how often",
            _select(terms.DISCUSSION_FREQUENCIES, form.discussion_frequency),
        ),
        input_block(
            Block.DISCUSSION_CUSTOM,
            "Custom cadence",
            _text_input(
                form.discussion_custom or "", placeholder="e.g. every 3 weeks", max_length=CUSTOM_MAX
            ),
            optional=True,
            hint="Only when 'Custom' is chosen above.",
        ),
        input_block(
            Block.DISCUSSION_DAY,
            "Preferred day",
            _select(dict(enumerate(terms.WEEKDAYS)), form.discussion_weekday),
            optional=True,
        ),
        input_block(
            Block.DISCUSSION_TIME,
            "Preferred time",
            {
                "type": "timepicker",
                **({"initial_time": form.discussion_time} if form.discussion_time else {}),
            },
            optional=True,
        ),
        input_block(Block.RECORDER, "Who records the discussions", _select(terms.RECORDERS, form.recorder)),
        input_block(
            Block.SUPERVISION_FREQUENCY,
            "Joint supervision with the manager",
            _select(terms.SUPERVISION_FREQUENCIES, form.supervision_frequency),
        ),
        input_block(
            Block.LEARNING_GOALS,
            "Learning goals for the developing worker",
            _text_input(
                form.learning_goals or "",
                multiline=True,
                placeholder="e.g. chair the next core group with support",
            ),
            optional=True,
        ),
        input_block(
            Block.INFORMATION_SHARING,
            "Limits on information sharing and confidentiality",
            _text_input(form.information_sharing or "", multiline=True),
            optional=True,
        ),
        input_block(
            Block.REVIEW_DATE,
            "Review this arrangement on",
            {"type": "datepicker", "initial_date": review.isoformat()},
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.AGREEMENT,
        "title": plain("Co-working agreement"),
        "submit": plain("Save agreement"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel_id": channel_id}),
        "blocks": blocks,
    }


def read_agreement_form(values: Mapping[str, Mapping[str, Any]]) -> AgreementForm:
    """Turn view.state.values back into an AgreementForm. Missing answers become empty values."""

    def element(block: str) -> Mapping[str, Any]:
        return values.get(block, {}).get(block, {}) or {}

    def chosen(block: str) -> str | None:
        selected = element(block).get("selected_option")
        return selected["value"] if selected else None

    weekday = chosen(Block.DISCUSSION_DAY)
    review = element(Block.REVIEW_DATE).get("selected_date")
    return AgreementForm(
        reference=(element(Block.REFERENCE).get("value") or "").strip(),
        coworkers=tuple(element(Block.COWORKERS).get("selected_users") or ()),
        lead=element(Block.LEAD).get("selected_user"),
        developing=tuple(element(Block.DEVELOPING).get("selected_users") or ()),
        reasons=tuple(o["value"] for o in element(Block.REASONS).get("selected_options") or ()),
        responsibilities={
            key: chosen(f"{Block.RESPONSIBILITY_PREFIX}{key}") or terms.DEFAULT_MATRIX[key]
            for key in terms.RESPONSIBILITIES
        },
        discussion_frequency=chosen(Block.DISCUSSION_FREQUENCY) or "fortnightly",
        discussion_custom=(element(Block.DISCUSSION_CUSTOM).get("value") or "").strip() or None,
        discussion_weekday=int(weekday) if weekday is not None else None,
        discussion_time=element(Block.DISCUSSION_TIME).get("selected_time"),
        recorder=chosen(Block.RECORDER) or "rotating",
        supervision_frequency=chosen(Block.SUPERVISION_FREQUENCY) or "monthly",
        learning_goals=(element(Block.LEARNING_GOALS).get("value") or "").strip() or None,
        information_sharing=(element(Block.INFORMATION_SHARING).get("value") or "").strip() or None,
        review_date=date.fromisoformat(review) if review else None,
    )


def _text_input(
    initial: str, *, placeholder: str | None = None, multiline: bool = False, max_length: int = 3000
) -> dict[str, Any]:
    # Slack refuses an initial value longer than max_length: never shorten what someone already has.
    max_length = min(max(max_length, len(initial)), 3000)
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def _users(initial: tuple[str, ...]) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "multi_users_select", "placeholder": plain("Choose people")}
    if initial:
        element["initial_users"] = list(initial)
    return element


def _user(initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "users_select", "placeholder": plain("Choose a person")}
    if initial:
        element["initial_user"] = initial
    return element


def _select(choices: Mapping[Any, str], initial: Any) -> dict[str, Any]:
    as_options = [option(str(value), label) for value, label in choices.items()]
    element: dict[str, Any] = {"type": "static_select", "options": as_options, "placeholder": plain("Choose")}
    if initial is not None and initial in choices:
        element["initial_option"] = option(str(initial), choices[initial])
    return element


def _multi_select(choices: Mapping[str, str], initial: tuple[str, ...]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "options": options(choices),
        "placeholder": plain("Choose one or more"),
    }
    if initial:
        element["initial_options"] = [option(v, choices[v]) for v in initial if v in choices]
    return element


def notice_modal(*, title: str, text: str) -> dict[str, Any]:
    """A modal that only tells the person something (no inputs, no submit), e.g. why a form can't open."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("OK"),
        "blocks": sections(text),
    }
