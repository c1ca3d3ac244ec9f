"""connectors.http: retries, Retry-After, timeouts, HTML/invalid JSON — against a local server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.http import USER_AGENT, get_json, make_session
from transforms.errors import SourceFetchError, SourceFormatError


class _Handler(BaseHTTPRequestHandler):
    script: dict = {}
    hits: dict = {}
    agents: list = []

    def log_message(self, *args):  # silence the test output
        pass

    def _answer(self):
        path = self.path.split("?")[0]
        n = self.hits.get(path, 0)
        self.hits[path] = n + 1
        self.agents.append(self.headers.get("User-Agent"))
        steps = self.script[path]
        status, headers, body, delay = steps[min(n, len(steps) - 1)]
        if delay:
            time.sleep(delay)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        data = body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer


@pytest.fixture()
def server():
    _Handler.script = {}
    _Handler.hits = {}
    _Handler.agents = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()
    httpd.server_close()


JSON_H = {"Content-Type": "application/json"}


def test_ok_and_user_agent(server):
    base, h = server
    h.script["/a"] = [(200, JSON_H, json.dumps({"x": 1}), 0)]
    s = make_session(retries=0)
    assert get_json(s, base + "/a", source_id="t") == {"x": 1}
    assert h.agents[0] == USER_AGENT and "aigrip" in h.agents[0]


def test_503_then_success(server):
    base, h = server
    h.script["/a"] = [(503, {}, "busy", 0), (200, JSON_H, "[1, 2]", 0)]
    s = make_session(retries=3, backoff=0.01)
    assert get_json(s, base + "/a", source_id="t") == [1, 2]
    assert h.hits["/a"] == 2


def test_429_retry_after_is_honoured(server):
    base, h = server
    h.script["/a"] = [(429, {"Retry-After": "0.3"}, "slow down", 0), (200, JSON_H, "{}", 0)]
    s = make_session(retries=2, backoff=0.001)
    t0 = time.perf_counter()
    assert get_json(s, base + "/a", source_id="t") == {}
    assert time.perf_counter() - t0 >= 0.25


def test_server_keeps_failing(server):
    base, h = server
    h.script["/a"] = [(500, {}, "oops", 0)]
    s = make_session(retries=2, backoff=0.001)
    with pytest.raises(SourceFetchError) as err:
        get_json(s, base + "/a", source_id="tn")
    msg = str(err.value)
    assert "tn" in msg and "HTTP 500" in msg and "3 attempts" in msg and "\n" not in msg
    assert h.hits["/a"] == 3


def test_timeout(server):
    base, h = server
    h.script["/a"] = [(200, JSON_H, "{}", 0.5)]
    s = make_session(retries=1, backoff=0.001, timeout=0.1)
    with pytest.raises(SourceFetchError, match="no answer within"):
        get_json(s, base + "/a", source_id="t")


def test_html_where_json_expected(server):
    base, h = server
    h.script["/a"] = [(200, {"Content-Type": "text/html"}, "<!DOCTYPE html><html>login</html>", 0)]
    with pytest.raises(SourceFormatError, match="HTML") as err:
        get_json(make_session(retries=0), base + "/a", source_id="t")
    assert base + "/a" in str(err.value)


def test_truncated_json(server):
    base, h = server
    h.script["/a"] = [(200, JSON_H, '{"content": [{"publicatieId": "1"', 0)]
    with pytest.raises(SourceFormatError, match="truncated"):
        get_json(make_session(retries=0), base + "/a", source_id="t")


def test_401_is_not_retried(server):
    base, h = server
    h.script["/a"] = [(401, {}, "no", 0)]
    with pytest.raises(SourceFetchError, match="auth_env"):
        get_json(make_session(retries=3, backoff=0.001), base + "/a", source_id="t")
    assert h.hits["/a"] == 1


def test_connection_refused():
    s = make_session(retries=1, backoff=0.001, timeout=1)
    with pytest.raises(SourceFetchError, match="connection failed"):
        get_json(s, "http://127.0.0.1:9/none", source_id="t")


def test_post_json_body(server):
    base, h = server
    h.script["/search"] = [(200, JSON_H, '{"notices": []}', 0)]
    out = get_json(make_session(retries=0), base + "/search", source_id="t", method="POST", json={"q": 1})
    assert out == {"notices": []}
