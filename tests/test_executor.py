"""The listener pool hands slow answers to a pool of their own: a listener thread is free for the next
request's ack at once, and waiting for the pool to be idle still waits for the answers."""

from __future__ import annotations

import logging
import threading

from bot.executor import TrackedExecutor


def test_an_answer_after_the_ack_runs_on_its_own_pool_and_is_waited_for():
    pool = TrackedExecutor(max_workers=1, answer_workers=1)
    release, names, done = threading.Event(), [], []

    def slow_answer() -> None:
        names.append(threading.current_thread().name)
        release.wait(5)
        done.append("answer")

    try:
        pool.submit(lambda: pool.after_ack(slow_answer)).result(timeout=5)
        # The one listener thread is free again while the answer is still being built.
        assert pool.submit(lambda: "ack").result(timeout=5) == "ack"
        assert done == []
        release.set()
        pool.wait_idle(timeout=5)
        assert done == ["answer"] and names[0].startswith("casebot-answer")
    finally:
        release.set()
        pool.shutdown(wait=True)


def test_a_failed_answer_is_logged_by_its_type_only(caplog):
    pool = TrackedExecutor(max_workers=1, answer_workers=1)

    def failing() -> None:
        raise ValueError("Aroha's address")  # case text must never reach the log

    try:
        with caplog.at_level(logging.ERROR, logger="casebot.requests"):
            pool.after_ack(failing)
            pool.wait_idle(timeout=5)
    finally:
        pool.shutdown(wait=True)
    assert "ValueError" in caplog.text and "Aroha" not in caplog.text
