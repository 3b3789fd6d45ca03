"""Whether a Slack call is made while this thread holds SQLite's one write lock (storage/db.WriterGate),
which every acknowledgement that stores something waits for."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from storage.db import writer_gate


def calls_holding_the_write_lock(monkeypatch, box, module: Any, name: str) -> list[bool]:
    """Wrap `module.name` to note, at each call, whether the calling thread holds the write lock. Skips
    on PostgreSQL, which has no such lock to hold."""
    gate = writer_gate(box.deps.engine)
    if gate is None:
        pytest.skip("PostgreSQL has no process-wide write lock")
    noted: list[bool] = []
    real = getattr(module, name)

    def noting(*args: Any, **kwargs: Any) -> Any:
        noted.append(gate.holder == threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, noting)
    return noted
