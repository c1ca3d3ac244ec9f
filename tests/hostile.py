"""Hostile inputs for the limits tests: an XLSX zip bomb and a drip-feed HTTP server (127.0.0.1, free port)."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["write_zip_bomb", "DripServer"]

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def _member(name: str, raw: bytes, size: int, crc: int, offset: int) -> tuple[bytes, bytes]:
    """(local header + data, central directory entry) of one deflated member."""
    n = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(n), 0) + n + raw
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size, len(n),
                          0, 0, 0, 0, 0, offset) + n
    return local, central


def write_zip_bomb(path: Path, unzipped_mb: int = 1200) -> Path:
    """An .xlsx whose worksheet is ``unzipped_mb`` MB of whitespace inside valid XML, deflated to ~1/1000.

    Built from one compressed 8 MB block repeated (full-flush deflate blocks may be concatenated),
    so writing it takes about a second; the sizes and CRC in the zip directory are the true ones."""
    block = b" " * (8 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    part = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    repeats = unzipped_mb * 1_000_000 // len(block) + 1
    c_head = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = c_head.compress(head) + c_head.flush(zlib.Z_FULL_FLUSH) + part * repeats
    c_tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw += c_tail.compress(tail) + c_tail.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * repeats + len(tail)
    members = [("[Content_Types].xml", _CONTENT_TYPES), ("xl/worksheets/sheet1.xml", None)]
    body, directory = b"", b""
    for name, data in members:
        if data is None:
            local, central = _member(name, raw, size, crc, len(body))
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            local, central = _member(name, c.compress(data) + c.flush(), len(data), zlib.crc32(data), len(body))
        body += local
        directory += central
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(body + directory + end)
    return path


class _Drip(BaseHTTPRequestHandler):
    interval = 2.0

    def do_GET(self):  # noqa: N802 — http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            while not self.server.stopping.is_set():
                self.wfile.write(b" ")
                self.wfile.flush()
                self.server.stopping.wait(self.interval)
        except OSError:
            pass

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):  # keep test output quiet
        pass


class DripServer:
    """A server on 127.0.0.1 (free port) that answers every GET with one byte every ``interval`` s."""

    def __init__(self, interval: float = 2.0):
        handler = type("Drip", (_Drip,), {"interval": interval})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.stopping = threading.Event()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0)
