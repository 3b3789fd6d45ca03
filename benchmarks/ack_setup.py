"""What benchmarks/ack.py sends casebot and the bare bolt app: each measure's requests, with the state
they need, made through the sandbox the way people make it (the agreement form, Agree,
`/case discuss` and its start form), so that every timed request does its real work.

Each `Measure` prepares the requests for its casebot requests before the timing starts (opening forms,
opening cases), hands them out one by one (`take`), and afterwards checks that the work was done
(`check`: rows counted, so a run that measured refusals fails rather than prints).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from bot.ids import ActionId, Block
from bot.sandbox import payloads
from bot.sandbox.demo import AGREEMENT
from bot.sandbox.harness import (
    ADMIN,
    CASE_CHANNEL,
    COLLEAGUE,
    DEVELOPING,
    LEAD,
    MANAGER,
    TEAM_ID,
    Sandbox,
)
from bot.sandbox.payloads import Kind
from storage import outbox as outbox_store
from storage.models import AgreementAcceptance, Case, Discussion, DiscussionPrompt, ThreadMessage

# The benchmark's own cases are opened by another manager, so the manager's `/case list` stays at 200.
OPENER = COLLEAGUE
DISCUSSIONS = 48  # Next question and replies go round this many discussions (each in its own case)
REPLY = "We saw the family on Tuesday; school says she has settled in well this week."


@dataclass
class Measure:
    name: str  # for --only
    label: str
    kind: Kind
    take: Callable[[], dict[str, Any]]  # the next request (state for it already made)
    prepare: Callable[[int], None] = lambda _n: None  # make the state for n casebot requests
    check: Callable[[int], None] = lambda _n: None  # after n casebot requests: fail unless done
    counted: dict[str, int] = field(default_factory=dict)
    bare_stores: bool = False  # compared with a bare app that stores each event before its ack


class Setup:
    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.references = (f"BENCH-{n:05d}" for n in itertools.count(1))
        self.discussions: list[tuple[int, str]] = []  # (discussion id, its case's thread ts)
        self.pressed: dict[int, int] = {}  # discussion id -> the question last pressed Next on
        self.turn = itertools.count()
        box.driver.slash(ADMIN, f"admin manager add <@{OPENER}|kiri>", CASE_CHANNEL)

    # ------------------------------------------------------------ helpers

    def count(self, model: Any) -> int:
        with self.box.deps.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def settle(self) -> None:
        """Until every listener's work after its ack is done and every due outbox row is sent. The
        sandbox's delivery loop passes only when woken, at most 100 rows a pass, and a wake comes only
        with a commit that queued rows: a backlog left by a measure is sent by waking it again here."""
        for _ in range(1000):
            self.box.deps.executor.wait_idle(300)
            with self.box.deps.reads() as session:
                if not outbox_store.due_outbox_ids(session, now=self.box.deps.clock(), limit=1):
                    return
            self.box.delivery.wake()
        raise SystemExit("the outbox did not empty")

    def expect(self, model: Any, before: int, sent: int, what: str) -> None:
        self.settle()
        made = self.count(model) - before
        if made != sent:
            raise SystemExit(f"{what}: {sent} requests sent, {made} done; the benchmark measured refusals")

    def form(self) -> dict[str, Any]:
        """A filled-in agreement form for a new case: a modal really opened by `/case open`."""
        self.box.driver.slash(OPENER, "open", CASE_CHANNEL)
        view = self.box.emu.open_views_for(OPENER)[-1]
        answers = {**AGREEMENT, Block.REFERENCE: next(self.references)}
        values = payloads.state_values_from_inputs(view["blocks"], answers)
        return payloads.view_submission(user_id=OPENER, team_id=TEAM_ID, view=view, values=values)

    def open_case(self) -> Case:
        form = self.form()
        reply = self.box.driver.deliver("interactive", form)
        assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
        self.settle()
        reference = form["view"]["state"]["values"][Block.REFERENCE]
        with self.box.deps.sessions() as session:
            case = session.scalar(
                select(Case).where(Case.reference == next(iter(reference.values()))["value"])
            )
            assert case is not None and case.thread_ts, "the card was posted"
            return case

    def thread(self, thread_ts: str) -> list[dict[str, Any]]:
        return self.box.emu.thread(CASE_CHANNEL, thread_ts)

    # ------------------------------------------------------------ the measures

    def slash(self, text: str) -> dict[str, Any]:
        hooks = self.box.emu  # serves the command's response_url, as Slack gives every command one
        return payloads.slash_command(
            text=text,
            user_id=MANAGER,
            user_name="mere",
            channel_id=CASE_CHANNEL,
            channel_name="cases-north",
            team_id=TEAM_ID,
            response_url=hooks.response_url_for(kind="commands", user_id=MANAGER, channel_id=CASE_CHANNEL),
        )

    def command(self, name: str, label: str, text: str) -> Measure:
        return Measure(name, label, "slash_commands", take=lambda: self.slash(text))

    def forms(self) -> Measure:
        """Each request saves a new case (its own modal, its own reference): the form is accepted."""
        ready: deque[dict[str, Any]] = deque()
        measure = Measure("form", "agreement form (new case)", "interactive", take=ready.popleft)

        def prepare(n: int) -> None:
            ready.extend(self.form() for _ in range(n))
            measure.counted["cases"] = self.count(Case)

        measure.prepare = prepare
        measure.check = lambda n: self.expect(Case, measure.counted["cases"], n, "agreement form")
        return measure

    def agrees(self) -> Measure:
        """Each request is a co-worker's first Agree on a case's agreement (never a repeated click)."""
        ready: deque[dict[str, Any]] = deque()
        measure = Measure("agree", "Agree", "interactive", take=ready.popleft)

        def prepare(n: int) -> None:
            firsts, seconds = [], []
            for i in range((n + 1) // 2):
                agreement = self.thread(self.open_case().thread_ts or "")[1]
                first, second = (LEAD, DEVELOPING) if i % 2 == 0 else (DEVELOPING, LEAD)
                firsts.append(self._agree(agreement, first))
                seconds.append(self._agree(agreement, second))
            ready.extend((firsts + seconds)[:n])
            measure.counted["agreed"] = self.count(AgreementAcceptance)

        measure.prepare = prepare
        measure.check = lambda n: self.expect(AgreementAcceptance, measure.counted["agreed"], n, "Agree")
        return measure

    def _agree(self, agreement: dict[str, Any], user_id: str) -> dict[str, Any]:
        (value,) = [
            b["accessory"]["value"]
            for b in agreement["blocks"]
            if b.get("accessory", {}).get("value", "").endswith(f":{user_id}")
        ]
        return payloads.block_actions(
            user_id=user_id,
            team_id=TEAM_ID,
            action_id=ActionId.AGREE,
            value=value,
            message=agreement,
            channel_id=CASE_CHANNEL,
        )

    def _discussions(self, _n: int) -> None:
        """DISCUSSIONS cases, each with a discussion started by its lead (`/case discuss REF`, Start)."""
        while len(self.discussions) < DISCUSSIONS:
            case = self.open_case()
            self.box.driver.slash(LEAD, f"discuss {case.reference}", CASE_CHANNEL)
            view = self.box.emu.open_views_for(LEAD)[-1]
            started = self.box.driver.submit(LEAD, view, {})
            assert started.status == 200 and not (started.json or {}).get("errors"), started.body
            with self.box.deps.sessions() as session:
                discussion = session.scalar(select(Discussion).where(Discussion.case_id == case.id))
                assert discussion is not None and discussion.current_prompt_id is not None
                self.discussions.append((discussion.id, case.thread_ts or ""))

    def nexts(self) -> Measure:
        """Each request moves a live discussion on to a new question (round the discussions, so a press
        is never on a question already moved on from, which would be the cheap "already moved on")."""
        measure = Measure("next", "Next question", "interactive", take=self._next)

        def prepare(n: int) -> None:
            self._discussions(n)
            measure.counted["asked"] = self.count(DiscussionPrompt)

        measure.prepare = prepare
        measure.check = lambda n: self.expect(DiscussionPrompt, measure.counted["asked"], n, "Next question")
        return measure

    def _next(self) -> dict[str, Any]:
        turn = next(self.turn)
        discussion_id, thread_ts = self.discussions[turn % len(self.discussions)]
        for settled in (False, True):
            if settled:  # the last press on it is still being worked on, or its question not yet posted
                self.settle()
            with self.box.deps.sessions() as session:
                current = session.get(Discussion, discussion_id)
                assert current is not None
                prompt_id = current.current_prompt_id
            block_id = f"question:{discussion_id}:{prompt_id}"
            posted = [
                m for m in self.thread(thread_ts) if any(b.get("block_id") == block_id for b in m["blocks"])
            ]
            if prompt_id != self.pressed.get(discussion_id) and posted:
                break
        else:
            raise SystemExit(f"discussion {discussion_id} did not move on to a new question")
        self.pressed[discussion_id] = prompt_id
        return payloads.block_actions(
            user_id=(LEAD, DEVELOPING)[turn // len(self.discussions) % 2],
            team_id=TEAM_ID,
            action_id=ActionId.QUESTION_NEXT,
            message=posted[-1],
            channel_id=CASE_CHANNEL,
        )

    def replies(self, *, bare_stores: bool = False) -> Measure:
        """Each request is a member's plain reply in the thread of a case with a discussion under way
        (stored as said during the discussion)."""
        name, label = (
            ("reply_stored", "reply, bare stores it too") if bare_stores else ("reply", "capture reply event")
        )
        measure = Measure(name, label, "events_api", take=self._reply, bare_stores=bare_stores)

        def prepare(n: int) -> None:
            self._discussions(n)
            measure.counted["stored"] = self.count(ThreadMessage)

        measure.prepare = prepare
        measure.check = lambda n: self.expect(ThreadMessage, measure.counted["stored"], n, "capture reply")
        return measure

    def _reply(self) -> dict[str, Any]:
        turn = next(self.turn)
        _discussion, thread_ts = self.discussions[turn % len(self.discussions)]
        author = (LEAD, DEVELOPING)[turn % 2]
        said = self.box.emu.post_user_message(CASE_CHANNEL, user=author, text=REPLY, thread_ts=thread_ts)
        event = payloads.message_event(
            user_id=author,
            channel_id=CASE_CHANNEL,
            text=said["text"],
            ts=said["ts"],
            thread_ts=thread_ts,
            team_id=TEAM_ID,
            parent_user_id=said.get("parent_user_id"),
        )
        return payloads.event_callback(team_id=TEAM_ID, event=event)

    def measures(self) -> list[Measure]:
        return [
            self.command("help", "/case help", "help"),
            self.command("list", "/case list, 200 cases", "list"),
            self.command("overdue", "/case overdue, 200 cases", "overdue"),
            self.forms(),
            self.agrees(),
            self.nexts(),
            self.replies(),
            self.replies(bare_stores=True),
        ]
