"""A local stand-in for the national register's delivery API (aanleverapi v1_0), on 127.0.0.1, port 0.

Built from the OpenAPI spec (MinBZK/amt ``openapi/v1_0/specs/openapi.json``): the same routes,
status codes and response bodies — ``NewAlgorithmResponse {lars_code}``, ``AlgorithmSummary``,
``Message {detail}`` for 401/404/409/429, ``HTTPValidationError {detail: [{loc, msg, type}]}`` for
422 (required fields of ``AlgorithmIn`` and the permitted values of standard 1.0). ``ROUTES`` lists
what it serves, so a test can hold it against the spec when the reference copy is present.
Failures are injected with :meth:`FakeRegister.fail`.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from transforms.publish.register import standard_fields

__all__ = ["FakeRegister", "ROUTES"]

ROUTES = {
    ("get", "/organizations/{organisation_id}/algorithms"): {200, 401, 404, 429, 422},
    ("post", "/organizations/{organisation_id}/algorithms"): {200, 401, 404, 429, 422},
    ("get", "/organizations/{organisation_id}/algorithms/{algorithm_id}"): {200, 401, 404, 429, 422},
    ("put", "/organizations/{organisation_id}/algorithms/{algorithm_id}"): {200, 401, 404, 429, 422},
    ("put", "/organizations/{organisation_id}/algorithms/{algorithm_id}/release"): {200, 401, 404, 409, 429, 422},
    ("delete", "/organizations/{organisation_id}/published-algorithms/{algorithm_id}/retract"): {200, 401, 404, 429, 422},
}
_REQUIRED = ("name", "description_short", "organization", "status", "contact_email", "publication_category", "lang")


class FakeRegister:
    """The register of one organisation; ``url`` is the API base (…/aanleverapi/v1_0)."""

    def __init__(self, organisation_id: str = "gm9999", token: str = "geheim-token"):
        self.organisation_id, self.token = organisation_id, token
        self.algorithms: dict[str, dict] = {}       # lars -> {"entry", "released", "published", "versions"}
        self.requests: list[tuple[str, str]] = []   # (method, path)
        self._failures: list[list] = []             # [method, path regex, status, times left, headers]
        self._next = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/aanleverapi/v1_0"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeRegister":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- test helpers --------------------------------------------------------------------------
    def add(self, entry: dict, *, published: bool = True) -> str:
        """An entry made elsewhere (the register's own web form); returns its lars."""
        lars = self._new_lars()
        self.algorithms[lars] = {"entry": dict(entry) | {"lars": lars}, "released": published,
                                 "published": published, "versions": 1}
        return lars

    def fail(self, method: str, path_regex: str, status: int, times: int = 1, headers: dict | None = None) -> None:
        self._failures.append([method.upper(), path_regex, status, times, headers or {}])

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    def _new_lars(self) -> str:
        self._next += 1
        return f"{self._next:08d}"

    # -- the HTTP side -------------------------------------------------------------------------
    def _handler(self):
        reg = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                return json.loads(raw) if raw else None

            def _handle(self, method: str) -> None:
                with reg._lock:
                    reg.requests.append((method, self.path))
                    for f in reg._failures:
                        if f[0] == method and f[3] > 0 and re.search(f[1], self.path):
                            f[3] -= 1
                            return self._send(f[2], {"detail": "injected failure"}, f[4])
                    if self.headers.get("Authorization") != f"Bearer {reg.token}":
                        return self._send(401, {"detail": "Not authenticated"})
                    m = re.fullmatch(r"/aanleverapi/v1_0/organizations/([^/]+)/(algorithms|published-algorithms)"
                                     r"(?:/([^/]+))?(?:/(release|retract))?", self.path)
                    if not m or m.group(1) != reg.organisation_id:
                        return self._send(404, {"detail": "Organisation not found"})
                    _, kind, lars, action = m.groups()
                    return self._route(method, kind, lars, action)

            def _route(self, method, kind, lars, action):
                algs = reg.algorithms
                if lars is None and kind == "algorithms":
                    if method == "GET":
                        return self._send(200, [_summary(k, a) for k, a in algs.items()])
                    if method == "POST":
                        body = self._body()
                        problems = _validate(body)
                        if problems:
                            return self._send(422, {"detail": problems})
                        new = reg._new_lars()
                        algs[new] = {"entry": body | {"lars": new}, "released": False, "published": False, "versions": 1}
                        return self._send(200, {"lars_code": new})
                if lars not in algs:
                    return self._send(404, {"detail": f"Algorithm {lars} not found"})
                alg = algs[lars]
                if kind == "published-algorithms" and action == "retract" and method == "DELETE":
                    if not alg["published"]:
                        return self._send(404, {"detail": "Algorithm is not published"})
                    alg["published"] = alg["released"] = False
                    return self._send(200, None)
                if kind == "algorithms" and action == "release" and method == "PUT":
                    if alg["released"]:
                        return self._send(409, {"detail": "Algorithm version already released"})
                    alg["released"] = alg["published"] = True
                    return self._send(200, {"message": "released"})
                if kind == "algorithms" and action is None:
                    if method == "GET":
                        return self._send(200, alg["entry"])
                    if method == "PUT":
                        body = self._body()
                        problems = _validate(body)
                        if problems:
                            return self._send(422, {"detail": problems})
                        alg["entry"] = body | {"lars": lars}
                        alg["released"] = False
                        alg["versions"] += 1
                        return self._send(200, {"message": "updated"})
                return self._send(404, {"detail": "Not Found"})

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PUT(self):
                self._handle("PUT")

            def do_DELETE(self):
                self._handle("DELETE")

        return Handler


def _summary(lars: str, alg: dict) -> dict:
    e = alg["entry"]
    return {"name": e.get("name"), "schema_version": "1.0", "last_update_dt": "2026-11-01T10:00:00",
            "lars": lars, "source_id": e.get("source_id"), "published": alg["published"],
            "current_version_released": alg["released"], "current_version_published": alg["published"],
            "last_update_by": "test"}


def _validate(body) -> list[dict]:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    spec = standard_fields()
    out = []
    for key in _REQUIRED:
        if not body.get(key):
            out.append({"loc": ["body", key], "msg": "Field required", "type": "missing"})
    for key, value in body.items():
        permitted = spec.get(key, {}).get("permitted_values")
        if permitted and isinstance(value, str) and value not in permitted:
            out.append({"loc": ["body", key], "msg": f"Input should be {', '.join(map(repr, permitted))}",
                        "type": "enum"})
    return out
