"""One discovery run at a time per ``data_dir``.

Two runs at once (a schedule and a hand-started ``aigrip run``) would both write the one DuckDB
warehouse and both fail. :func:`run_lock` takes an exclusive ``flock`` on ``data_dir/run.lock``
and writes who holds it (pid, start time, command) into the file. The operating system drops a
``flock`` when its process ends, however it ends, so the lock of a crashed or killed run is taken
over at once; the holder text left behind is only informative. A second run waits (``wait``
seconds) or stops with :class:`RunLockedError`: "er loopt al een run sinds 10:02, pid 1234".
Schedules and the decisions sensor check :func:`lock_holder` and skip with that reason.

Re-entrant within one process: ``aigrip run`` takes the lock and the run's Dagster resource,
which takes it too (for runs started from the Dagster UI or a schedule), shares it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from transforms.errors import AigripError

__all__ = ["run_lock", "lock_holder", "RunLockedError", "LOCK_NAME"]

LOCK_NAME = "run.lock"
_TZ = ZoneInfo("Europe/Amsterdam")
_held: dict[str, list] = {}  # resolved lock path -> [fd, depth] for this process
_guard = threading.Lock()


class RunLockedError(AigripError):
    """Another run holds the lock of this data_dir."""


def _describe(info: dict | None) -> str:
    if not info:
        return "er loopt al een run (starttijd onbekend)"
    try:
        started = dt.datetime.fromisoformat(info["started_at"]).astimezone(_TZ)
        today = dt.datetime.now(_TZ).date()
        when = f"{started:%H:%M}" if started.date() == today else f"{started.day} {_MONTHS[started.month - 1]} {started:%H:%M}"
    except (KeyError, TypeError, ValueError):
        when = "onbekende tijd"
    host = info.get("host")
    where = f" op {host}" if host and host != socket.gethostname() else ""
    return f"er loopt al een run sinds {when}, pid {info.get('pid', '?')}{where}"


_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")


def _read_info(path: Path) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def lock_holder(data_dir: Path) -> str | None:
    """A readable line about the run holding the lock of ``data_dir``, or None when it is free."""
    path = Path(data_dir) / LOCK_NAME
    if not path.exists():
        return None
    if str(path.resolve()) in _held:
        return _describe(_read_info(path))
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _describe(_read_info(path))
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextmanager
def run_lock(data_dir: Path, *, wait: float = 0.0, poll: float = 1.0, command: str | None = None) -> Iterator[None]:
    """Hold the run lock of ``data_dir`` for the block; wait up to ``wait`` seconds for another run
    to finish, else raise :class:`RunLockedError` with a Dutch line naming it."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    key = str(path.resolve())
    with _guard:
        if key in _held:
            _held[key][1] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[key][1] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(wait, 0.0)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    hint = "; probeer het later opnieuw of gebruik --wait" if wait <= 0 else f" (na {wait:g} s wachten)"
                    raise RunLockedError(_describe(_read_info(path)) + hint) from None
                time.sleep(min(poll, left))
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "command": command or " ".join(os.path.basename(a) for a in sys.argv[:3])}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        with _guard:
            _held[key] = [fd, 1]
    except BaseException:
        os.close(fd)
        raise
    try:
        yield
    finally:
        with _guard:
            del _held[key]
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
