"""Running aigrip as a user does (CLI subprocesses, ``aigrip serve``) and driving Debian's Chromium.

Used by tests/test_browser.py and by ``python -m tests.browser.save_timing``. Playwright is the
Python package only: no browser download; the browser is the system's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "SECRET_KEY",
    "missing_browser",
    "launch_chromium",
    "free_port",
    "aigrip",
    "aigrip_json",
    "start_run",
    "add_reviewer",
    "ReviewServer",
    "csrf_token",
    "ReviewClient",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic",
]
SECRET_KEY = "browser-test-secret-key-0123456789abcdef"
_ROOT = Path(__file__).resolve().parents[2]


def missing_browser() -> str | None:
    """Why the browser test cannot run here (None when Chromium and Playwright are both present)."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does this)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[dev]')"
    return None


def launch_chromium(playwright):
    """Headless Debian Chromium with the flags a container needs (no sandbox, no GPU, no phoning home)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ, AIGRIP_SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1", NO_COLOR="1", COLUMNS="200")
    env["PYTHONPATH"] = str(_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args]


def aigrip(*args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``aigrip ARGS`` as a subprocess (the installed CLI's entry point) and return its result."""
    result = subprocess.run(_command(*args), capture_output=True, text=True, timeout=timeout, env=_env(),
                            cwd=_ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"aigrip {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def aigrip_json(*args: str) -> object:
    """Run an ``aigrip … --json`` command and parse what it prints."""
    import json

    return json.loads(aigrip(*args, "--json").stdout)


def start_run(config: Path, log: Path, *extra: str) -> subprocess.Popen:
    """Start ``aigrip run --config CONFIG`` in the background, output to ``log``."""
    handle = open(log, "w", encoding="utf-8")
    proc = subprocess.Popen(_command("run", "--config", str(config), *extra), stdout=handle,
                            stderr=subprocess.STDOUT, env=_env(), cwd=_ROOT)
    handle.close()
    return proc


def add_reviewer(config: Path, username: str, name: str, password: str, roles: list[str] | None = None) -> None:
    """Add a reviewer to ``config`` the way the README says: a hash from ``aigrip hash-password``."""
    hashed = aigrip("hash-password", "--password", password).stdout.strip()
    assert hashed.startswith("scrypt$"), hashed
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    others = [r for r in data.get("reviewers") or [] if r.get("username") != username]  # replaces one of that name
    data["reviewers"] = others + [{"username": username, "name": name, "password_hash": hashed}
                                  | ({"roles": roles} if roles else {})]
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


class ReviewServer:
    """``aigrip serve`` on a free 127.0.0.1 port, as a context manager (stopped on exit)."""

    def __init__(self, config: Path, log: Path, port: int | None = None, ready_path: str = "/login"):
        self.config, self.log, self.port = config, log, port or free_port()
        self.ready_path = ready_path  # a page that answers 200 once the app is up ("/" for a tenants.yaml)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> ReviewServer:
        handle = open(self.log, "w", encoding="utf-8")
        self.proc = subprocess.Popen(_command("serve", "--config", str(self.config), "--port", str(self.port)),
                                     stdout=handle, stderr=subprocess.STDOUT, env=_env(), cwd=_ROOT)
        handle.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"aigrip serve exited {self.proc.returncode}: {self.log.read_text()}")
            try:
                if requests.get(f"{self.url}{self.ready_path}", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"aigrip serve did not answer on {self.url} within 60 s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __exit__(self, *exc) -> None:
        self.stop()


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page without a CSRF token"
    return match.group(1)


class ReviewClient:
    """A signed-in reviewer talking HTTP to a running review app (for timing saves without a browser)."""

    def __init__(self, base_url: str, username: str, password: str):
        self.base_url = base_url
        self.session = requests.Session()
        page = self.session.get(f"{base_url}/login", timeout=30)
        response = self.session.post(f"{base_url}/login", timeout=30, allow_redirects=False, data={
            "username": username, "password": password, "csrf_token": csrf_token(page.text), "next": "/"})
        assert response.status_code == 303, f"sign-in failed: {response.status_code}"

    def decide(self, system_id: str, **form: str) -> tuple[float, float, str]:
        """Post one decision; returns (seconds until saved, seconds until the page after it shows, that page)."""
        token = csrf_token(self.session.get(f"{self.base_url}/systemen/{system_id}", timeout=30).text)
        started = time.perf_counter()
        saved = self.session.post(f"{self.base_url}/systemen/{system_id}/besluit", timeout=30,
                                  allow_redirects=False, data={"csrf_token": token, **form})
        save_s = time.perf_counter() - started
        assert saved.status_code == 303, f"save answered {saved.status_code}"
        page = self.session.get(self.base_url + saved.headers["location"], timeout=30)
        return save_s, time.perf_counter() - started, page.text
