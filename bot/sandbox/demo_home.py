"""The demo's end: Mere opens casebot's App Home (her team view, each case with its drift signals and the
review and supervision buttons), then the weekly digest job sends her the week's digest by DM, with its
chart of co-working health uploaded as a PNG; the demo writes the PNG to disk and prints where, and the
chart's alt text, so a person can see what a manager receives."""

from __future__ import annotations

from pathlib import Path

from bot import jobs
from bot.sandbox import payloads
from bot.sandbox.demo_transcript import Printer
from bot.sandbox.harness import MANAGER, Sandbox


def play(box: Sandbox, show: Printer, folder: Path) -> Path | None:
    """Scene 7; the chart's path (None if no digest was sent)."""
    show.scene("7. Mere opens casebot's Home tab, and her weekly digest arrives")
    show.narrate("@mere opens casebot's Home tab: her team view, one row per case she manages")
    dm = box.emu.dm_channel_for(MANAGER)
    box.driver.event(payloads.app_home_opened_event(user_id=MANAGER, channel_id=dm))
    box.deps.executor.wait_idle()
    show.flush()
    show.narrate(
        "Monday 09:00 has passed in Mere's time zone: the weekly digest job sends her the week's digest"
    )
    before = len(box.emu.files)
    jobs.run_digests(box.deps)
    show.flush(whole=True)
    uploads = [f for f in box.emu.files[before:] if f.get("channel_id") == dm]
    if not uploads:
        show.out("    (no digest was sent)")
        return None
    chart = uploads[-1]
    path = folder / chart["filename"]
    content = chart["content"]
    path.write_bytes(content if isinstance(content, bytes) else str(content).encode("latin-1"))
    show.out(f"    The chart, as Mere sees it, is written to {path}")
    show.out(f"    Its alt text: {chart.get('alt_txt') or '(none)'}")
    return path
