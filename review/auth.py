"""Sign-in, sessions and CSRF protection for the review app.

Sessions live in Starlette's signed session cookie (itsdangerous). A session holds the reviewer's
username, display name, a CSRF token and the time of the last request; it ends after
``session_minutes`` without activity (checked here, and the cookie itself expires too).
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request

from review.passwords import DUMMY_HASH, verify_password

__all__ = ["ReviewSettings", "LoginThrottle", "authenticate", "csrf_token", "csrf_ok", "current_user",
           "sign_in", "sign_out"]


@dataclass
class ReviewSettings:
    """What the review app needs: where the data is, who may sign in, how sessions are signed."""

    data_dir: Path
    organisation: str
    reviewers: list[dict]
    secret_key: str
    session_minutes: int = 60
    https_only: bool = False
    max_failures: int = 5
    lockout_minutes: int = 5
    org: dict | None = None  # name, code, contact_email: for the register entry drafts

    @property
    def org_info(self) -> dict:
        return self.org or {"name": self.organisation, "contact_email": ""}
    trusted_proxies: list[str] = field(default_factory=list)  # addresses/ranges whose X-Forwarded-For counts
    cookie_name: str = "aigrip_review"  # per organisation on a platform (review/platform.py)
    cookie_path: str = "/"  # the app's prefix on a platform, so the browser sends the cookie there only

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)


class LoginThrottle:
    """Refuses sign-in for a username/address after too many failures in a short time."""

    def __init__(self, max_failures: int = 5, window_s: float = 300.0):
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures[key]
        cutoff = time.monotonic() - self.window_s
        while stamps and stamps[0] < cutoff:
            stamps.popleft()
        return stamps

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.max_failures

    def failed(self, key: str) -> None:
        self._recent(key).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)


def authenticate(reviewers: list[dict], username: str, password: str) -> dict | None:
    """The reviewer whose username and password match, else None (same work for unknown users)."""
    wanted = (username or "").strip().lower()
    match = next((r for r in reviewers if str(r.get("username", "")).strip().lower() == wanted and wanted), None)
    stored = str(match.get("password_hash", "")) if match else DUMMY_HASH
    ok = verify_password(password or "", stored)
    return match if (ok and match is not None) else None


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, submitted: object) -> bool:
    """True when a submitted form's token matches the session's, compared in constant time."""
    expected = request.session.get("csrf")
    return bool(expected) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)


def current_user(request: Request, session_minutes: int) -> dict | None:
    """The signed-in reviewer ({username, name}) or None; ends a session idle for too long."""
    user = request.session.get("user")
    seen = request.session.get("seen", 0)
    if not user:
        return None
    if time.time() - float(seen) > session_minutes * 60:
        sign_out(request)
        return None
    request.session["seen"] = int(time.time())
    return {"username": user, "name": request.session.get("name") or user}


def sign_in(request: Request, reviewer: dict) -> None:
    """Start a fresh session for ``reviewer`` (new CSRF token: no session fixation)."""
    request.session.clear()
    request.session["user"] = str(reviewer["username"])
    request.session["name"] = str(reviewer.get("name") or reviewer["username"])
    request.session["seen"] = int(time.time())
    request.session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    """End the session."""
    request.session.clear()
