"""How long drafting a summary takes for a 1,000-message discussion (target: well under a second).

Builds a discussion of 20 questions with 50 replies each (20-60 words in two sentences, some with
mentions) and 40 marked items, then times `drafting.draft` several times and prints the median. Two
baselines run in the same process, so machine noise hits them too: drafting a 10-message discussion,
and `str.join` over the same 1,000 replies (the least any drafting must do: read the text once).
The templates are rendered the way the flow does it: jinja2 over prompts/templates, no Slack escaping.

    .venv/bin/python benchmarks/draft.py
    .venv/bin/python benchmarks/draft.py --repeat 11
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import Content  # noqa: E402
from bot.notes import rules_drafting as drafting  # noqa: E402
from bot.notes.rules_drafting import DiscussionFacts, Item, QuestionAsked, Reply  # noqa: E402

TZ = ZoneInfo("Pacific/Auckland")
PEOPLE = ("U0000SAM", "U000ALEX", "U000MERE")
NAMES = {"U0000SAM": "Sam Taylor", "U000ALEX": "Alex Ngata", "U000MERE": "Mere Parata"}
VOCABULARY = (
    "mum dad nana koro school teacher visit contact plan safe worried tired home bedroom food sleep calm "
    "upset late kind whānau GP nurse bus homework bedtime weekend appointment attendance said told us we "
    "saw noticed think wonder because after before the a and but was were is not more less again"
)
WORDS = VOCABULARY.split()
LENSES = (None, None, "childs_voice", "risk", None, "culture", "assumptions", None, "learning", None)
KINDS = ("decision", "action", "concern", "learning", "disagree", "shared")


def discussion(questions: int, replies: int, items: int, seed: int = 2026) -> DiscussionFacts:
    rng = random.Random(seed)

    def sentence(n: int) -> str:
        words = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < 0.2:
            words[rng.randrange(n)] = f"<@{rng.choice(PEOPLE)}>"
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def reply(i: int) -> Reply:
        n = rng.randint(20, 60)
        first = rng.randint(8, n - 8)
        return Reply(PEOPLE[i % 2], f"{sentence(first)} {sentence(n - first)}")

    return DiscussionFacts(
        reference="BENCH-0001",
        framework_name="Critical friend",
        focus="Is contact with dad still safe, and what does the child want?",
        started_at=datetime(2026, 12, 15, 21, 0, tzinfo=UTC),
        ended_at=datetime(2026, 12, 15, 22, 30, tzinfo=UTC),
        participant_ids=PEOPLE[:2],
        recorder_id=PEOPLE[0],
        questions=tuple(
            QuestionAsked(
                f"Stage {q + 1}",
                f"Question {q + 1}: what do we know about the child's week, and how do we know it?",
                tuple(reply(i) for i in range(replies)),
                lens=LENSES[q % len(LENSES)],
            )
            for q in range(questions)
        ),
        items=tuple(
            Item(
                KINDS[i % len(KINDS)],
                sentence(rng.randint(10, 30)),
                PEOPLE[i % 2],
                (PEOPLE[1],) if KINDS[i % len(KINDS)] == "action" else (),
                date(2026, 12, 18) if KINDS[i % len(KINDS)] == "action" else None,
            )
            for i in range(items)
        ),
        next_discussion=datetime(2026, 12, 29, 21, 0, tzinfo=UTC),
    )


def renderer() -> drafting.Render:
    content = Content()  # as the flow renders drafts: bot.content's plain (unescaped) environment
    return lambda name, context: content.render_plain(name, **context)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    render = renderer()
    big = discussion(questions=20, replies=50, items=40)
    small = discussion(questions=2, replies=3, items=4)  # 10 messages
    replies = [r.text for q in big.questions for r in q.replies]
    messages = len(replies) + len(big.items)

    result = drafting.draft(big, names=NAMES, tz=TZ, render=render)  # also compiles the template once
    assert all(drafting.slack_length(s.text) <= drafting.MAX_FIELD for s in result.sections), "too long"
    assert result.section("happened").condensed  # it did the work it is timed for

    t_big = median_ms(lambda: drafting.draft(big, names=NAMES, tz=TZ, render=render), args.repeat)
    t_small = median_ms(lambda: drafting.draft(small, names=NAMES, tz=TZ, render=render), args.repeat)
    t_join = median_ms(lambda: "\n".join(replies), args.repeat)
    t_full = median_ms(lambda: drafting.full_capture(big, names=NAMES, tz=TZ, render=render), args.repeat)
    condensed = sum(s.condensed for s in result.sections)
    print(f"Drafting a summary, median of {args.repeat}:")
    print(
        f"  {len(replies):,} replies + {len(big.items)} items ({messages:,} messages, "
        f"{sum(map(len, replies)):,} characters): {t_big:7.1f} ms   (target: well under 1000 ms; "
        f"{condensed} of {len(result.sections)} sections condensed)"
    )
    print(f"  10 messages:                         {t_small:7.1f} ms   ratio {t_big / t_small:6.1f}")
    print(f"  str.join over the same replies:      {t_join:7.3f} ms   ratio {t_big / t_join:6.0f}")
    print(f"  full capture of the 1,000 (export):  {t_full:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
