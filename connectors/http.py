"""The one HTTP session factory of aigrip, plus a JSON fetch with readable errors.

``make_session`` returns a :class:`requests.Session` that names aigrip in its User-Agent and carries
retry settings; ``get_json`` fetches one URL and either returns the decoded JSON or raises a
:class:`~transforms.errors.SourceFetchError` / :class:`~transforms.errors.SourceFormatError` with
one readable line. Retries (connection errors, timeouts, 429 honouring ``Retry-After`` capped, 5xx)
are done here, with exponential backoff and a bounded number of attempts.

Inside a source's limits (:mod:`connectors.limits`) every request also keeps to the source's
total deadline: the body is read in pieces as they arrive (a per-read timeout alone never
stops a server that drips one byte every two seconds), retries do not wait past the deadline,
and a body larger than ``limits.max_file_mb`` is refused.
"""

from __future__ import annotations

import email.utils
import json as _json
import time
from datetime import datetime, timezone
from typing import Any

import requests
import urllib3

from connectors import limits as _limits
from transforms.errors import SourceFetchError, SourceFormatError

__all__ = ["make_session", "get_json", "fetch", "USER_AGENT", "MAX_RETRY_AFTER_S"]

USER_AGENT = "aigrip/0.1 (+https://github.com/aigrip/aigrip; AI inventory for Dutch municipalities)"
MAX_RETRY_AFTER_S = 60.0
_RETRY_STATUS = {429, 500, 502, 503, 504}


def make_session(
    *, user_agent: str | None = None, timeout: float = 30, retries: int = 4, backoff: float = 0.5
) -> requests.Session:
    """A session with aigrip's User-Agent; ``get_json`` reads its timeout/retries/backoff.

    ``retries`` is the number of extra attempts after the first; waits are ``backoff * 2**n``
    seconds (a 429's ``Retry-After`` is honoured, capped at :data:`MAX_RETRY_AFTER_S`).
    """
    session = requests.Session()
    session.headers["User-Agent"] = user_agent or USER_AGENT
    session.headers["Accept"] = "application/json"
    session.aigrip_timeout = float(timeout)  # type: ignore[attr-defined]
    session.aigrip_retries = max(0, int(retries))  # type: ignore[attr-defined]
    session.aigrip_backoff = max(0.0, float(backoff))  # type: ignore[attr-defined]
    return session


def _retry_after(response: requests.Response, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return default
    try:
        wait = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        wait = (when - datetime.now(timezone.utc)).total_seconds()
    return min(max(wait, 0.0), MAX_RETRY_AFTER_S)


def _looks_like_html(response: requests.Response, text: str) -> bool:
    ctype = response.headers.get("Content-Type", "").lower()
    head = text.lstrip()[:200].lower()
    return "html" in ctype or head.startswith("<!doctype html") or head.startswith("<html")


def get_json(
    session: requests.Session,
    url: str,
    *,
    source_id: str,
    params: dict[str, Any] | None = None,
    json: Any = None,
    method: str = "GET",
    timeout: float | None = None,
) -> Any:
    """Fetch ``url`` and return its decoded JSON body.

    Raises :class:`SourceFetchError` when the server keeps failing (after the session's retries),
    answers with a 4xx, or times out; :class:`SourceFormatError` when the body is HTML (a login
    page) or is not valid JSON (for instance a truncated page).
    """
    retries = getattr(session, "aigrip_retries", 4)
    backoff = getattr(session, "aigrip_backoff", 0.5)
    timeout = float(timeout if timeout is not None else getattr(session, "aigrip_timeout", 30))
    attempts = retries + 1
    last_problem = ""
    for attempt in range(attempts):
        wait = backoff * (2**attempt)
        try:
            response = fetch(session, method, url, source_id=source_id, params=params, json=json, timeout=timeout)
        except requests.Timeout:
            last_problem = f"no answer within {timeout:g} s"
        except requests.ConnectionError as exc:
            last_problem = f"connection failed ({type(exc).__name__})"
        except requests.RequestException as exc:
            raise SourceFetchError(
                f"cannot request {url}: {exc}; check the url in aigrip.yaml", source_id
            ) from None
        else:
            status = response.status_code
            if status in _RETRY_STATUS:
                last_problem = f"HTTP {status}"
                if status == 429:
                    wait = _retry_after(response, wait)
                elif response.headers.get("Retry-After"):
                    wait = _retry_after(response, wait)
            elif status >= 400:
                hint = (
                    "check the credentials (auth_env) in aigrip.yaml"
                    if status in (401, 403)
                    else "check the url in aigrip.yaml"
                )
                raise SourceFetchError(f"{url} answered HTTP {status}; {hint}", source_id)
            else:
                return _decode(response, url, source_id)
        if attempt + 1 < attempts:
            left = _limits.remaining()
            if left is not None and left <= wait:
                _limits.check_deadline(f"fetching {url}")
                time.sleep(max(left, 0))
                _limits.check_deadline(f"fetching {url}")
            time.sleep(wait)
    raise SourceFetchError(
        f"{url} kept failing ({last_problem}) after {attempts} attempts; "
        "try again later or check the url in aigrip.yaml",
        source_id,
    )


def fetch(session: requests.Session, method: str, url: str, *, source_id: str, timeout: float, **kwargs) -> requests.Response:
    """One request whose body is read within the source's deadline and size limit (see the
    module docstring); the returned response has its body loaded (``.content``/``.text``)."""
    left = _limits.remaining()
    if left is not None:
        _limits.check_deadline(f"fetching {url}")
        timeout = max(0.05, min(timeout, left))
    response = session.request(method, url, timeout=timeout, stream=True, **kwargs)
    limit = _limits.current().max_file_mb * 1e6
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            _limits.check_deadline(f"fetching {url}")
            part = response.raw.read1(65536, decode_content=True)
            if not part:
                break
            size += len(part)
            if size > limit:
                raise _limits.SourceLimitError(
                    f"{url} sent more than the limit of {_limits.mb(limit / 1e6)}; raise limits.max_file_mb in "
                    "aigrip.yaml if that is expected", source_id)
            parts.append(part)
    except _limits.SourceLimitError:
        response.close()
        raise
    except urllib3.exceptions.ReadTimeoutError:
        response.close()
        raise requests.Timeout(f"no data from {url} within {timeout:g} s") from None
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:  # broken connection, bad encoding
        response.close()
        raise requests.ConnectionError(str(exc)) from None
    response._content = b"".join(parts)  # noqa: SLF001 — the documented way to preload a streamed body
    response._content_consumed = True  # noqa: SLF001
    return response


def _decode(response: requests.Response, url: str, source_id: str) -> Any:
    text = response.text
    if _looks_like_html(response, text):
        raise SourceFormatError(
            f"{url} returned an HTML page where JSON was expected (a login or error page?); "
            "check the url and credentials in aigrip.yaml",
            source_id,
        )
    if not text.strip():
        raise SourceFormatError(f"{url} returned an empty body where JSON was expected", source_id)
    try:
        return _json.loads(text)
    except ValueError as exc:
        raise SourceFormatError(
            f"{url} returned invalid or truncated JSON ({exc.msg} at character {exc.pos}); "
            "try again later",
            source_id,
        ) from None
