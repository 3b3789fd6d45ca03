"""Stored values that the pure core names too. Standard library only: the pure rules may import this
module (the one storage module the import-linter "pure" contract lets them), so each such set of
values is defined once, here, for the models and the rules alike."""

from __future__ import annotations

import enum


class CaptureKind(enum.StrEnum):
    """What a captured message is for the record (capture_items.kind)."""

    DECISION = "decision"
    ACTION = "action"
    CONCERN = "concern"
    LEARNING = "learning"
    DISAGREE = "disagree"
    SHARED = "shared"
    TOLD = "told"  # what a worker told the child or family
    URGENT = "urgent"  # a concern that needs attention now
