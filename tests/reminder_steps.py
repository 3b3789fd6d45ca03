"""Small steps shared by the reminder tests: moving time, reading rows, and reading what Slack shows."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import jobs
from bot.sandbox.harness import CASE_CHANNEL
from storage.models import AuditEntry, OutboxMessage, Person, ScheduleItem
from tests.journey import open_case

NZ = ZoneInfo("Pacific/Auckland")


def nz(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A New Zealand wall-clock moment in 2026, as the UTC instant casebot stores."""
    return datetime(2026, month, day, hour, minute, tzinfo=NZ).astimezone(UTC)


FIRST_DUE = nz(2, 10)  # Wed 2 Dec 10:00 NZDT = 2026-12-01 21:00 UTC


def shown(at: datetime) -> str:
    """How a moment appears in a Slack date token's fallback text."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def pass_at(box, moment: datetime) -> jobs.PassReport:
    box.deps.clock.move_to(moment)
    return jobs.run_pass(box.deps)


def rows(box, model, **where) -> list:
    with box.deps.sessions() as session:
        query = select(model).where(*(getattr(model, k) == v for k, v in where.items()))
        return list(session.scalars(query.order_by(model.id)))


def item(box, item_id: int = 1) -> ScheduleItem:
    (found,) = rows(box, ScheduleItem, id=item_id)
    return found


def reminder_rows(box, *, level: int | None = None, to: str | None = None) -> list[OutboxMessage]:
    return [
        row
        for row in rows(box, OutboxMessage, kind="reminder")
        if (level is None or row.payload["level"] == level) and (to is None or row.payload["user_id"] == to)
    ]


def body(message: dict) -> str:
    """Everything a person reads in a message: section and context texts."""
    texts = [b["text"]["text"] for b in message.get("blocks", []) if b.get("type") == "section"]
    texts += [
        e["text"] for b in message.get("blocks", []) if b.get("type") == "context" for e in b["elements"]
    ]
    return "\n".join(texts)


def dms(box, user: str) -> list[str]:
    return [body(m) for m in box.emu.dms(user)]


def reminder_posts(box, card: dict) -> list[dict]:
    """Reminder posts in the case thread (the ones that carry, or carried, reminder controls)."""
    return [m for m in box.emu.thread(CASE_CHANNEL, card["ts"]) if "discussion on case" in body(m)]


def thread_texts(box, card: dict) -> list[str]:
    return [body(m) for m in box.emu.thread(CASE_CHANNEL, card["ts"])]


def schedule_lines(box, card: dict) -> str:
    """The card's schedule section, as the channel shows it now."""
    blocks = box.emu.message(CASE_CHANNEL, card["ts"])["blocks"]
    return next(
        b["text"]["text"] for b in blocks if "*Next discussion:*" in b.get("text", {}).get("text", "")
    )


def controls(message: dict) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def click(box, user: str, action_id: str, message: dict, channel: str = CASE_CHANNEL, **picked):
    return box.driver.click(user, action_id, message=message, channel_id=channel, **picked)


def ephemerals(box, user: str) -> list[str]:
    return [e["text"] for e in box.emu.ephemerals if e["user"] == user]


def away(box, user: str, text: str, channel: str = CASE_CHANNEL) -> str:
    box.driver.slash(user, f"away {text}", channel)
    return ephemerals(box, user)[-1]


def audits(box, action: str) -> list[AuditEntry]:
    return rows(box, AuditEntry, action=action)


def person(box, user: str) -> Person:
    (found,) = rows(box, Person, slack_user_id=user)
    return found


def due_now(box, **changes) -> tuple[dict, dict]:
    """Open the demo case and let the first discussion fall due: (card, its reminder in the thread)."""
    card = open_case(box, **changes)
    pass_at(box, FIRST_DUE)
    (post,) = reminder_posts(box, card)
    return card, post
