"""The public site's change history: an append-only JSON-lines file under ``data_dir``.

``record_changes`` compares the entries published now with the history, appends the additions,
changes and withdrawals (file lock, fsync) and returns the whole history, oldest first.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path

from pipelines.delivery import read_state
from transforms.publish.site_changes import fold_history, register_changes

__all__ = ["record_changes", "history_path"]


def history_path(data_dir: Path) -> Path:
    return Path(data_dir) / "publish" / "site_changes.jsonl"


def record_changes(data_dir: Path, entries: list[tuple[str, dict]], at: dt.datetime) -> list[dict]:
    path = history_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        history = read_state(path)  # the same append-only JSON-lines shape as the delivery state
        new = register_changes(fold_history(history), entries, at)
        for rec in new:
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
        fcntl.flock(fh, fcntl.LOCK_UN)
    return history + new
