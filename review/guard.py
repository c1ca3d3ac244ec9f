"""Hardening of the review app: the client address behind a proxy, sessions that end server-side,
idempotent bulk forms and conflicts between two reviewers' decisions.

* :func:`client_address` trusts ``X-Forwarded-For`` only from the addresses in
  ``review.trusted_proxies`` (none by default), and then takes the right-most address that is not
  a trusted proxy: the one the proxy itself saw. A client rotating the header cannot escape the
  sign-in lock-out.
* :class:`SessionRegistry` keeps the ids of live sessions in the server; the signed cookie only
  names one. Logging out (or a restart of the app) revokes it, so a copied cookie is useless.
* :func:`bulk_event_id` derives each decision's ``event_id`` from the form's one-time id and the
  system, so a bulk form sent twice is logged once.
* :func:`latest_decisions` / :func:`conflict_with` compare the decision a reviewer saw on the page
  with the latest one in the log: when another reviewer decided in between, the new decision is
  not saved but shown as a conflict to resolve.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time
import uuid
from pathlib import Path

from warehouse.decision_log import log_path, read_decisions

__all__ = ["client_address", "SessionRegistry", "bulk_event_id", "latest_decisions", "conflict_with",
           "parse_proxies"]

_BULK_NAMESPACE = uuid.UUID("1c7d9a52-3f0e-4b7e-9d35-2f4c8a6b0e11")


def parse_proxies(entries: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Networks from ``review.trusted_proxies`` entries (addresses or CIDR ranges)."""
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e and e.strip()]


def _trusted(address: str, proxies) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies) -> str:
    """The client's address: the peer itself, unless the peer is a trusted proxy; then the
    right-most ``X-Forwarded-For`` entry that is not a trusted proxy."""
    peer = peer or ""
    if not proxies or not forwarded_for or not _trusted(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, proxies):
            return hop
    return peer


class SessionRegistry:
    """Live session ids of this app process; a session not listed here is signed out."""

    def __init__(self) -> None:
        self._live: dict[str, float] = {}
        self._lock = threading.Lock()

    def start(self) -> str:
        sid = secrets.token_urlsafe(24)
        with self._lock:
            self._live[sid] = time.time()
        return sid

    def alive(self, sid: object) -> bool:
        with self._lock:
            return isinstance(sid, str) and sid in self._live

    def revoke(self, sid: object) -> None:
        with self._lock:
            if isinstance(sid, str):
                self._live.pop(sid, None)


def bulk_event_id(form_id: str, system_id: str) -> str:
    """The event_id of one system's decision in a bulk form (stable for a re-sent form)."""
    return uuid.uuid5(_BULK_NAMESPACE, f"{form_id}:{system_id}").hex


def latest_decisions(data_dir: Path) -> dict[str, dict]:
    """The latest decision per system in the log (by system_id and merge target)."""
    path = log_path(data_dir)
    latest: dict[str, dict] = {}
    if not path.exists():
        return latest
    for event in read_decisions(path):
        for sid in (event.get("system_id"), event.get("into")):
            if sid:
                latest[sid] = event
    return latest


def conflict_with(data_dir: Path, system_id: str, seen: str | None) -> dict | None:
    """The decision saved for ``system_id`` after the one the reviewer saw (``seen``: its
    event_id, or empty when the page showed none), or None when the reviewer saw the latest."""
    latest = latest_decisions(data_dir).get(system_id)
    if latest is None or latest.get("event_id") == (seen or None):
        return None
    return latest
