"""A busy workspace for benchmarks/sweep.py: realistic cases in the database, and the same people and
channels in the Slack emulator, seeded with set-based SQL (a recursive CTE per table, no row-by-row loop).

Shape, for `size` schedule items:
- 10 items per case (a year's worth for a case: 7 past occurrences held or missed, and the open
  discussion, supervision check-in and review), so `size / 10` cases;
- 10 cases per team channel, each team a manager and 4 workers; every case has a lead and a co-worker
  from its team, its team's manager, an agreement both co-workers accepted, and a card in the channel;
- everyone has opened the App Home (so a changed case re-publishes its people's tabs), time zones are
  fresh (no users.info due) and today's daily channel check has run (that once-a-day job recounts every
  case's channel and is not the per-minute pass this measures);
- DUE items due now: the open discussion of the first case in each of the first DUE channels, so every
  due reminder is in its own case and its own channel, the same at every size.

The emulator knows every person and channel. Card messages exist in it only for the due cases, the
only ones the pass touches: its message look-up is a scan of the channel, and 100,000 cards in it
would charge casebot for the fake's cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, Engine, bindparam
from sqlalchemy import text as sql

from bot.sandbox.emulator import SlackEmulator
from storage.crypto import EncryptedJSON, EncryptedText
from storage.types import UTCDateTime

TEAM = "TBENCH01"
NOW = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # Wednesday 2 December, 13:00 in Auckland: working time
DUE = 100
ITEMS_PER_CASE = 10
CASES_PER_CHANNEL = 10
PEOPLE_PER_TEAM = 5  # person 1 of each team is its manager, 2-5 its workers
FORTNIGHT = timedelta(days=14)

# Named times, bound as UTCDateTime so each database stores them its own way.
TIMES = {
    "now": NOW,
    "soon": NOW - timedelta(minutes=1),
    "soon_ends": NOW + FORTNIGHT,
    **{f"past{k}": NOW - (7 - k) * FORTNIGHT for k in range(7)},
    **{f"past{k}_ends": NOW - (6 - k) * FORTNIGHT for k in range(7)},
    **{f"next{d}": NOW + timedelta(days=2 + d) for d in range(5)},
    **{f"next{d}_ends": NOW + timedelta(days=16 + d) for d in range(5)},
    "supervision": NOW + timedelta(days=20),
    "supervision_ends": NOW + timedelta(days=50),
    "review": NOW + timedelta(days=80),
}


def text(statement: str, **types):
    """SQL with its time parameters bound as UTCDateTime, and any others typed as given."""
    named = set(re.findall(r":(\w+)", statement))
    typed = {n: UTCDateTime() for n in TIMES if n in named} | types
    return sql(statement).bindparams(*(bindparam(n, type_=t) for n, t in typed.items()))


def numbers(count_param: str) -> str:
    """A recursive CTE of the integers 1..:count_param, for INSERT … SELECT."""
    return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :{count_param}) "


@dataclass(frozen=True)
class Layout:
    size: int
    cases: int
    channels: int
    people: int

    @classmethod
    def for_size(cls, size: int) -> Layout:
        cases = max(size // ITEMS_PER_CASE, DUE * CASES_PER_CHANNEL)
        channels = cases // CASES_PER_CHANNEL
        return cls(cases * ITEMS_PER_CASE, cases, channels, channels * PEOPLE_PER_TEAM)

    @property
    def due_cases(self) -> list[int]:
        return [t * CASES_PER_CHANNEL + 1 for t in range(DUE)]

    @property
    def due_items(self) -> list[int]:
        return [(case - 1) * ITEMS_PER_CASE + 8 for case in self.due_cases]  # item k = 7: the discussion


# SQL expressions shared by the statements below (integer division on both databases).
USER = "'UB' || CAST(100000000 + {0} AS TEXT)"
CHANNEL = "'CB' || CAST(10000000 + {0} AS TEXT)"
TEAM_OF_CASE = f"((i - 1) / {CASES_PER_CHANNEL})"  # 0-based
WORKER = f"({TEAM_OF_CASE} * {PEOPLE_PER_TEAM} + 2 + (((i - 1) % {CASES_PER_CHANNEL}) + {{0}}) % 4)"
MANAGER = f"({TEAM_OF_CASE} * {PEOPLE_PER_TEAM} + 1)"


def seed_database(engine: Engine, layout: Layout) -> None:
    sizes = {"people": layout.people, "cases": layout.cases, "items": layout.size}
    with engine.begin() as conn:
        run = conn.execute
        run(text("INSERT INTO workspaces (team_id, created_at) VALUES (:team, :now)"), {"team": TEAM} | TIMES)
        run(
            text(
                numbers("people")
                + "INSERT INTO people (id, team_id, slack_user_id, tz, tz_fetched_at, role, "
                f"deactivated) SELECT i, :team, {USER.format('i')}, 'Pacific/Auckland', :now, "
                f"CASE WHEN i % {PEOPLE_PER_TEAM} = 1 THEN 'manager' ELSE 'member' END, false FROM n"
            ),
            {"team": TEAM} | sizes | TIMES,
        )
        run(
            text(
                numbers("cases")
                + "INSERT INTO cases (id, team_id, reference, channel_id, thread_ts, status, "
                f"manager_id, channel_others, created_at) SELECT i, :team, 'BENCH-' || CAST(i AS TEXT), "
                f"{CHANNEL.format(TEAM_OF_CASE)}, CAST(1600000000 + i AS TEXT) || '.000100', 'open', "
                f"{MANAGER}, 3, :past0 FROM n"
            ),
            {"team": TEAM} | sizes | TIMES,
        )
        for offset, role in ((0, "lead"), (1, "co_worker")):
            run(
                text(
                    numbers("cases") + "INSERT INTO case_members (team_id, case_id, person_id, role, "
                    f"experience) SELECT :team, i, {WORKER.format(offset)}, :role, 'experienced' FROM n"
                ),
                {"team": TEAM, "role": role} | sizes,
            )
        run(
            text(
                numbers("cases") + "INSERT INTO agreements (id, team_id, case_id, version, created_at, "
                "created_by_id, change_reason, reasons, responsibilities, discussion_frequency, "
                "discussion_weekday, discussion_time, recorder, supervision_frequency, review_date) "
                f"SELECT i, :team, i, 1, :past0, {MANAGER}, :reason, :reasons, :duties, 'fortnightly', 2, "
                "'10:00', 'rotating', 'monthly', :review_day FROM n",
                reason=EncryptedText(),
                reasons=EncryptedJSON(),
                duties=JSON(),
            ),
            {
                "team": TEAM,
                "reason": "Initial agreement",
                "reasons": ["learning", "complexity"],
                "duties": {"visits": "shared", "reports": "lead", "plans": "shared", "recording": "shared"},
                "review_day": (NOW + timedelta(days=80)).date().isoformat(),
            }
            | sizes
            | TIMES,
        )
        for offset in (0, 1):
            run(
                text(
                    numbers("cases") + "INSERT INTO agreement_acceptances (team_id, agreement_id, person_id, "
                    f"accepted_at) SELECT :team, i, {WORKER.format(offset)}, :past0 FROM n"
                ),
                {"team": TEAM} | sizes | TIMES,
            )
        run(
            text(
                numbers("cases") + "INSERT INTO slack_posts (team_id, case_id, purpose, channel_id, ts) "
                f"SELECT :team, i, 'card', {CHANNEL.format(TEAM_OF_CASE)}, "
                "CAST(1600000000 + i AS TEXT) || '.000100' FROM n"
            ),
            {"team": TEAM} | sizes,
        )
        run(
            text(
                numbers("people") + "INSERT INTO processed_events (team_id, key, kind, processed_at) "
                f"SELECT :team, 'home:' || {USER.format('i')}, 'home_opened', :past0 FROM n"
            ),
            {"team": TEAM} | sizes | TIMES,
        )
        for day in (NOW, NOW + timedelta(days=1)):  # the daily channel recount: done for today
            run(
                text(
                    "INSERT INTO processed_events (team_id, key, kind, processed_at) "
                    "VALUES (:team, :key, 'daily', :now)"
                ),
                {"team": TEAM, "key": f"channel_others:{day:%Y-%m-%d}"} | TIMES,
            )
        _seed_items(run, layout, sizes)
        _seed_history(run, sizes)
        if engine.dialect.name == "postgresql":  # explicit ids above: move the sequences past them
            for table in ("people", "cases", "agreements", "schedule_items"):
                top = f"(SELECT max(id) FROM {table})"
                run(sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {top})"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sql("ANALYZE"))


def _seed_items(run, layout: Layout, sizes: dict[str, int]) -> None:
    """Item k of case c has id (c - 1) * 10 + k + 1: k 0-6 past (k 4 missed, the others held; 2 and 5
    supervision), 7 the open discussion (due now in the due cases), 8 supervision, 9 the review."""
    k, case = f"((i - 1) % {ITEMS_PER_CASE})", f"((i - 1) / {ITEMS_PER_CASE} + 1)"
    due = f"({case} % {CASES_PER_CHANNEL} = 1 AND {case} <= {DUE * CASES_PER_CHANNEL})"
    past = " ".join(f"WHEN {n} THEN :past{n}" for n in range(7))
    past_ends = " ".join(f"WHEN {n} THEN :past{n}_ends" for n in range(7))
    later = " ".join(f"WHEN {d} THEN :next{d}" for d in range(5))
    later_ends = " ".join(f"WHEN {d} THEN :next{d}_ends" for d in range(5))
    due_at = (
        f"CASE WHEN {k} < 7 THEN CASE {k} {past} END WHEN {k} = 7 AND {due} THEN :soon "
        f"WHEN {k} = 7 THEN CASE {case} % 5 {later} END WHEN {k} = 8 THEN :supervision ELSE :review END"
    )
    expires_at = (
        f"CASE WHEN {k} < 7 THEN CASE {k} {past_ends} END WHEN {k} = 7 AND {due} THEN :soon_ends "
        f"WHEN {k} = 7 THEN CASE {case} % 5 {later_ends} END WHEN {k} = 8 THEN :supervision_ends END"
    )
    run(
        text(
            numbers("items")
            + "INSERT INTO schedule_items (id, team_id, case_id, agreement_id, kind, status, "
            "due_at, expires_at, round, level_sent, next_check_at, created_at, held_at, version) "
            f"SELECT i, :team, {case}, {case}, "
            f"CASE WHEN {k} IN (2, 5, 8) THEN 'supervision' WHEN {k} = 9 THEN 'review' "
            "ELSE 'discussion' END, "
            f"CASE WHEN {k} = 4 THEN 'missed' WHEN {k} < 7 THEN 'held' ELSE 'scheduled' END, "
            f"{due_at}, {expires_at}, 0, CASE WHEN {k} < 7 THEN 2 ELSE -1 END, "
            f"CASE WHEN {k} < 7 THEN NULL ELSE {due_at} END, :past0, "
            f"CASE WHEN {k} < 7 AND {k} <> 4 THEN {due_at} END, 1 FROM n"
        ),
        {"team": TEAM} | sizes | TIMES,
    )


def seed_emulator(emu: SlackEmulator, engine: Engine, layout: Layout) -> None:
    """Every person and team channel; for each due case, its card (the thread's root) as a real message."""
    for person in range(1, layout.people + 1):
        emu.add_user(f"UB{100000000 + person}", name=f"worker{person}", tz="Pacific/Auckland")
    for team in range(layout.channels):
        people = [f"UB{100000000 + team * PEOPLE_PER_TEAM + p}" for p in range(1, PEOPLE_PER_TEAM + 1)]
        emu.add_channel(f"CB{10000000 + team}", name=f"cases-{team}", is_private=True, members=people)
    cards = []
    for case in layout.due_cases:
        channel = emu.channels[f"CB{10000000 + (case - 1) // CASES_PER_CHANNEL}"]
        card = emu.append_message(channel, emu.bot_message(f"Case BENCH-{case}", []))
        cards.append({"case": case, "ts": card["ts"]})
    with engine.begin() as conn:
        conn.execute(sql("UPDATE cases SET thread_ts = :ts WHERE id = :case"), cards)
        conn.execute(sql("UPDATE slack_posts SET ts = :ts WHERE case_id = :case AND purpose = 'card'"), cards)


def _seed_history(run, sizes: dict[str, int]) -> None:
    """A year's traffic: for each past item, its reminder sent through the outbox and a Slack event
    processed (both tables keep every row, so a look-up that is not by index grows with them)."""
    k, case = f"((i - 1) % {ITEMS_PER_CASE})", f"((i - 1) / {ITEMS_PER_CASE} + 1)"
    at = f"CASE {k} {' '.join(f'WHEN {n} THEN :past{n}' for n in range(7))} END"
    run(
        text(
            numbers("items") + "INSERT INTO outbox (team_id, case_id, kind, payload, status, attempts, "
            f"created_at, next_attempt_at, sent_at) SELECT :team, {case}, 'reminder', :payload, 'sent', 1, "
            f"{at}, {at}, {at} FROM n WHERE {k} < 7",
            payload=EncryptedJSON(),
        ),
        {"team": TEAM, "payload": {"audience": "thread", "user_id": "thread"}} | sizes | TIMES,
    )
    run(
        text(
            numbers("items") + "INSERT INTO processed_events (team_id, key, kind, processed_at) "
            f"SELECT :team, 'event:Ev' || CAST(i AS TEXT), 'event', {at} FROM n WHERE {k} < 7"
        ),
        {"team": TEAM} | sizes | TIMES,
    )


def make_due_again(engine: Engine, layout: Layout, now: datetime) -> None:
    """The same DUE items due again, in a new round (claims are per round), so every pass has the same
    work. The last pass's outbox rows stay, all sent, as a busy workspace's would."""
    with engine.begin() as conn:
        conn.execute(
            sql(
                "UPDATE schedule_items SET level_sent = -1, round = round + 1, status = 'scheduled', "
                "next_check_at = :soon WHERE id IN :ids"
            ).bindparams(bindparam("soon", type_=UTCDateTime()), bindparam("ids", expanding=True)),
            {"soon": now - timedelta(minutes=1), "ids": layout.due_items},
        )
