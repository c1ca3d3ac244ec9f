"""Child processes that stop with their parent: ``aigrip ui`` (``dagster dev``) on SIGTERM and Ctrl-C.

``dagster dev`` starts a webserver, a daemon and code servers. Stopping only ``dagster dev`` can leave
those running (port 3000 still answering), so :func:`run_supervised` starts the command in its own
process group, forwards SIGTERM/SIGINT to the whole group, and after a grace period kills whatever of
the process tree is left (descendants found through ``/proc`` where it exists).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

__all__ = ["run_supervised", "descendants"]


def descendants(pid: int) -> list[int]:
    """Every living descendant of ``pid`` (Linux: from /proc; elsewhere an empty list)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    children: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _signal_all(pids: list[int], sig: int) -> None:
    for p in pids:
        try:
            os.kill(p, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _stop_tree(proc: subprocess.Popen, grace: float) -> None:
    tree = descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    _signal_all(tree, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        alive = [p for p in [proc.pid, *tree] if _alive(p)]
        if not alive or (alive == [proc.pid] and proc.poll() is not None):
            break
        time.sleep(0.2)
    left = [p for p in [*tree, *descendants(proc.pid)] if _alive(p)]
    _signal_all(left, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True


def run_supervised(cmd: list[str], env: dict[str, str], grace: float = 15.0) -> int:
    """Run ``cmd`` until it ends or this process gets SIGTERM/SIGINT; then stop its whole tree."""
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    stopping = {"signal": None}

    def _on_signal(signum, _frame):
        stopping["signal"] = signum

    old = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while proc.poll() is None and stopping["signal"] is None:
            time.sleep(0.2)
    finally:
        _stop_tree(proc, grace)
        for s, handler in old.items():
            signal.signal(s, handler)
    if stopping["signal"] is not None:
        return 128 + int(stopping["signal"])
    return proc.returncode or 0
