"""The shape every sweep shares: due rows found by index, each advanced in its own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

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
