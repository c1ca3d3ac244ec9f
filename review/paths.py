"""Where the review app is mounted: its path prefix, for links, redirects and the sign-in target.

One app per organisation may be mounted under ``/<tenant-id>/`` by the platform app
(review/platform.py); Starlette then sets the ASGI ``root_path`` of every request to that prefix.
On its own (``aigrip serve`` with one aigrip.yaml) the prefix is empty and every URL is as before.
"""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["root_of", "safe_next"]


def root_of(request: Request) -> str:
    """The app's path prefix for this request (``""`` at the site root, else e.g. ``"/gm0363"``)."""
    return str(request.scope.get("root_path") or "").rstrip("/")


def safe_next(target: object, root: str = "") -> str:
    """``target`` when it is a path inside this app (under ``root``), else the app's start page.

    No open redirects: no other site (``//host``, ``\\``), and under a prefix not even another
    organisation's pages on the same platform.
    """
    home = root + "/"
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home
    if root and not (target == root or target.startswith(home) or target.startswith(root + "?")):
        return home
    return target
