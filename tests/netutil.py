"""Local servers in tests: a free port on 127.0.0.1, and waiting until a started process answers there."""

from __future__ import annotations

import socket
import subprocess
import time

__all__ = ["free_port", "wait_for_port"]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (tests run side by side: never a fixed port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, procs: subprocess.Popen | list[subprocess.Popen], seconds: float = 180) -> None:
    """Until something answers on ``port``; fails at once when one of ``procs`` exits, or after ``seconds``."""
    procs = procs if isinstance(procs, list) else [procs]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{p.args[:2]} exited with {p.returncode}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise AssertionError(f"nothing answers on port {port} after {seconds} s")
