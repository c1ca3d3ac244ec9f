"""Client of the national algorithm register's delivery API (aanleverapi v1_0).

Endpoints (all under ``{url}/organizations/{organisation_id}``): ``GET /algorithms`` (summaries),
``POST /algorithms`` (create, answers ``{lars_code}``), ``GET|PUT /algorithms/{lars}`` (latest
version / update), ``PUT /algorithms/{lars}/release`` (release for publication) and
``DELETE /published-algorithms/{lars}/retract``. Authentication: an OAuth2 bearer token.

Retries with exponential backoff on connection errors, 429 (honouring ``Retry-After``) and 5xx —
except that a create (POST) is retried only when the server surely did not act on it (connection
refused, 429): after a 5xx the next delivery adopts whatever the server may have created, by its
``source_id``, instead of creating a duplicate. Errors are :class:`DeliveryError` with one Dutch
line; ``.status`` carries the HTTP status (None for network failures).
"""

from __future__ import annotations

import time
from typing import Any

import requests

from connectors.http import _retry_after, make_session
from transforms.errors import AigripError

__all__ = ["RegisterApi", "DeliveryError", "AuthError"]

_RETRY_STATUS = {429, 500, 502, 503, 504}


class DeliveryError(AigripError):
    """A delivery call failed; ``status`` is the HTTP status or None."""

    def __init__(self, message: str, status: int | None = None):
        self.status = status
        super().__init__(message)


class AuthError(DeliveryError):
    """401/403: the token is missing, expired or lacks rights; no further call can succeed."""


class RegisterApi:
    """Calls of the delivery API for one organisation."""

    def __init__(self, url: str, organisation_id: str, token: str | None, *, retries: int = 3,
                 backoff: float = 0.5, timeout: float = 30, session: requests.Session | None = None):
        self.base = url.rstrip("/") + f"/organizations/{organisation_id}"
        self.session = session or make_session(timeout=timeout, retries=retries, backoff=backoff)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self.calls = 0

    # -- endpoints -------------------------------------------------------------------------------
    def list_algorithms(self) -> list[dict]:
        body = self._call("GET", "/algorithms", what="de lijst van registraties ophalen")
        return body if isinstance(body, list) else []

    def get_algorithm(self, lars: str) -> dict | None:
        try:
            body = self._call("GET", f"/algorithms/{lars}", what=f"registratie {lars} ophalen")
        except DeliveryError as exc:
            if exc.status == 404:
                return None
            raise
        return body if isinstance(body, dict) else None

    def create(self, body: dict) -> str:
        answer = self._call("POST", "/algorithms", json=body, what="registratie aanmaken", idempotent=False)
        lars = (answer or {}).get("lars_code") if isinstance(answer, dict) else None
        if not lars:
            raise DeliveryError("het register gaf geen LARS-code terug na het aanmaken")
        return str(lars)

    def update(self, lars: str, body: dict) -> None:
        self._call("PUT", f"/algorithms/{lars}", json=body | {"lars": lars}, what=f"registratie {lars} bijwerken")

    def release(self, lars: str) -> None:
        self._call("PUT", f"/algorithms/{lars}/release", what=f"registratie {lars} vrijgeven")

    def retract(self, lars: str) -> None:
        self._call("DELETE", f"/published-algorithms/{lars}/retract", what=f"registratie {lars} terugtrekken")

    # -- transport -------------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, what: str, json: Any = None, idempotent: bool = True) -> Any:
        url = self.base + path
        problem = ""
        for attempt in range(self.retries + 1):
            wait = self.backoff * (2 ** attempt)
            self.calls += 1
            try:
                response = self.session.request(method, url, json=json, timeout=self.timeout)
            except requests.ConnectionError as exc:
                problem = "geen verbinding"
                if not idempotent and not isinstance(exc, requests.exceptions.ConnectTimeout) \
                        and "refused" not in str(exc).lower():
                    raise DeliveryError(f"{what}: verbinding verbroken; de volgende levering controleert "
                                        "of de registratie toch is aangemaakt") from None
            except requests.Timeout:
                problem = f"geen antwoord binnen {self.timeout:g} s"
                if not idempotent:
                    raise DeliveryError(f"{what}: {problem}; de volgende levering controleert of de "
                                        "registratie toch is aangemaakt") from None
            else:
                status = response.status_code
                if status < 400:
                    return _json_or_none(response)
                if status in (401, 403):
                    raise AuthError(f"het register weigert de toegang (HTTP {status}) bij {what}; "
                                    "zet een geldig token in AIGRIP_REGISTER_TOKEN", status)
                if status in _RETRY_STATUS and (idempotent or status == 429):
                    problem = f"HTTP {status}"
                    if response.headers.get("Retry-After"):
                        wait = _retry_after(response, wait)
                else:
                    raise DeliveryError(f"{what}: {_explain(response)}", status)
            if attempt < self.retries:
                time.sleep(wait)
        raise DeliveryError(f"{what}: het register bleef falen ({problem}) na {self.retries + 1} pogingen; "
                            "probeer het later opnieuw", _status_of(problem))


def _status_of(problem: str) -> int | None:
    return int(problem[5:]) if problem.startswith("HTTP ") else None


def _json_or_none(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _explain(response: requests.Response) -> str:
    """The API's own error text: a 422's field problems (loc: msg) or a Message's detail."""
    status = response.status_code
    body = _json_or_none(response)
    detail = body.get("detail") if isinstance(body, dict) else None
    if status == 422 and isinstance(detail, list):
        parts = []
        for item in detail[:8]:
            loc = [str(x) for x in item.get("loc", []) if x not in ("body",)]
            parts.append(f"{'.'.join(loc) or 'invoer'}: {item.get('msg', '')}")
        return "het register keurt de registratie af (HTTP 422): " + "; ".join(parts)
    names = {404: "niet gevonden", 409: "conflict", 422: "ongeldige invoer", 429: "te veel verzoeken"}
    text = detail if isinstance(detail, str) else ""
    label = names.get(status, "fout")
    return f"HTTP {status} ({label}){': ' + text[:300] if text else ''}"
