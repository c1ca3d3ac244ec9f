"""One run at a time per data_dir: a second run waits or stops with a Dutch line; stale locks are taken over."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from pipelines.config import load_config
from pipelines.runlock import RunLockedError, lock_holder, run_lock
from pipelines.runner import run_pipeline
from tests.conftest import ROOT, copy_demo

_HOLD = """
import sys, time
sys.path.insert(0, {root!r})
from pipelines.runlock import run_lock
with run_lock({data_dir!r}, command="aigrip run"):
    print("locked", flush=True)
    time.sleep(120)
"""


def _holder(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", _HOLD.format(root=str(ROOT), data_dir=str(tmp_path))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_stops_with_the_dutch_message(tmp_path):
    proc = _holder(tmp_path)
    try:
        message = lock_holder(tmp_path)
        assert re.fullmatch(rf"er loopt al een run sinds \d\d:\d\d, pid {proc.pid}", message)
        with pytest.raises(RunLockedError) as err, run_lock(tmp_path):
            pass
        assert str(err.value).startswith(message) and "--wait" in str(err.value)
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_run_leaves_a_lock_that_is_taken_over(tmp_path):
    proc = _holder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (tmp_path / "run.lock").read_text()  # the dead run's note is still there
    assert lock_holder(tmp_path) is None
    with run_lock(tmp_path):
        assert str(os.getpid()) in (tmp_path / "run.lock").read_text()


def test_waiting_run_starts_when_the_other_ends(tmp_path):
    proc = _holder(tmp_path)
    threading.Timer(1.0, proc.kill).start()
    start = time.monotonic()
    with run_lock(tmp_path, wait=30, poll=0.2):
        assert time.monotonic() - start < 20
    proc.wait()


def test_reentrant_within_one_process(tmp_path):
    with run_lock(tmp_path), run_lock(tmp_path):
        assert lock_holder(tmp_path)
    assert lock_holder(tmp_path) is None


def test_two_concurrent_runs_one_exits_with_the_message(tmp_path):
    cfg_path = copy_demo(tmp_path / "demo", sources=["crediteuren_2025", "dpia_register"])
    cfg = load_config(cfg_path)
    first = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--config", str(cfg_path),
                              "--as-of", "2026-11-15"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    try:
        deadline = time.monotonic() + 120
        while lock_holder(cfg.data_dir) is None and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert lock_holder(cfg.data_dir), "the first run holds the lock"
        with pytest.raises(RunLockedError, match=rf"er loopt al een run sinds \d\d:\d\d, pid {first.pid}"):
            run_pipeline(cfg, as_of="2026-11-15")
        out, _ = first.communicate(timeout=600)
        assert first.returncode == 0, out
    finally:
        if first.poll() is None:
            first.kill()
    assert run_pipeline(cfg, as_of="2026-11-15").success  # the lock is free again
