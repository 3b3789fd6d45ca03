"""The shape every sweep shares: due rows found by index, each advanced in its own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError


class Counts(Protocol):
    looked_at: int
    lost_races: int


def advance_each(ids: Iterable[int], advance: Callable[[int], None], report: Counts) -> None:
    """Advance each row; one changed by someone else meanwhile (a click, another sweeper) raises
    StaleDataError, is counted as a lost race and left for the next sweep to decide afresh."""
    for row_id in ids:
        report.looked_at += 1
        try:
            advance(row_id)
        except StaleDataError:
            report.lost_races += 1


def sweep_due(
    sessions: sessionmaker[Session],
    due: Callable[[Session], Sequence[int]],
    advance: Callable[[int], None],
    report: Counts,
    *,
    rounds: int = 1,
) -> None:
    """Read the due ids in a transaction of their own, then advance each (`advance_each`). With
    rounds > 1 it looks again while rows were due: advancing one may make another due at once."""
    for _ in range(rounds):
        with sessions.begin() as session:
            ids = due(session)
        advance_each(ids, advance, report)
        if not ids:
            break
