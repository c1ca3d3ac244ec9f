"""Per-source limits: a wall-clock deadline and byte, row, cell and unzipped-size limits.

A hostile or broken source (a server that drips one byte every two seconds, a 4 MB XLSX that
unzips to gigabytes, a 50 MB line) must fail alone, quickly, with one readable line, while the
rest of the run completes. :func:`run_with_limits` runs one connector under its :class:`Limits`:
the deadline is checked cooperatively by the readers (:func:`check_deadline`, :func:`remaining`:
HTTP reads, XLSX rows) and enforced from outside as well (the connector runs in a worker thread
that is abandoned when the deadline passes). The config keys are in docs/security.md.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

from transforms.errors import SourceError

__all__ = [
    "Limits", "SourceLimitError", "DEFAULT_LIMITS", "limits_scope", "current", "check_deadline",
    "remaining", "run_with_limits", "check_file_size", "check_unzipped_size", "mb",
]


@dataclass(frozen=True)
class Limits:
    deadline_minutes: float = 10.0  # wall clock for one source, fetching and parsing
    max_file_mb: float = 2048.0  # a source file (or one HTTP response) larger than this fails
    max_rows: int = 5_000_000  # data rows of one source
    max_cell_kb: float = 2048.0  # a CSV line or an XLSX cell over this is quarantined
    max_unzipped_mb: float = 1024.0  # an XLSX whose parts unzip to more than this fails (zip bomb)

    @property
    def deadline_s(self) -> float:
        return self.deadline_minutes * 60.0

    @classmethod
    def from_mapping(cls, *layers: dict[str, Any] | None) -> Limits:
        """Defaults overridden by each mapping in turn (global ``limits:``, then the source's)."""
        out = cls()
        names = {f.name for f in fields(cls)}
        for layer in layers:
            if layer:
                out = replace(out, **{k: v for k, v in layer.items() if k in names and v is not None})
        return out


DEFAULT_LIMITS = Limits()


class SourceLimitError(SourceError):
    """A source exceeded one of its limits; the run goes on without it."""


_CURRENT: contextvars.ContextVar[tuple[Limits, float, str] | None] = contextvars.ContextVar("aigrip_limits", default=None)


def mb(n: float) -> str:
    """'1.024 MB' — a size for messages."""
    return f"{n:,.0f} MB".replace(",", ".")


@contextmanager
def limits_scope(limits: Limits, source_id: str) -> Iterator[Limits]:
    """Readers inside see ``limits`` and a deadline ``limits.deadline_s`` from now."""
    token = _CURRENT.set((limits, time.monotonic() + limits.deadline_s, source_id))
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def current() -> Limits:
    """The limits of the source being read (the defaults outside :func:`limits_scope`)."""
    state = _CURRENT.get()
    return state[0] if state else DEFAULT_LIMITS


def remaining() -> float | None:
    """Seconds left before the current source's deadline (None outside a scope)."""
    state = _CURRENT.get()
    return None if state is None else state[1] - time.monotonic()


def _deadline_error(limits: Limits, source_id: str, what: str) -> SourceLimitError:
    minutes = f"{limits.deadline_minutes:g}".replace(".", ",")
    return SourceLimitError(
        f"source '{source_id}' stopped: {what} not finished within the deadline of {minutes} min; "
        "check the source or raise limits.deadline_minutes in aigrip.yaml", source_id)


def check_deadline(what: str = "reading") -> None:
    """Raise :class:`SourceLimitError` when the current source's deadline has passed."""
    state = _CURRENT.get()
    if state is not None and time.monotonic() > state[1]:
        raise _deadline_error(state[0], state[2], what)


def check_file_size(path, source_id: str) -> None:
    """Raise when the file at ``path`` is larger than ``max_file_mb``."""
    limits = current()
    size = path.stat().st_size
    if size > limits.max_file_mb * 1e6:
        raise SourceLimitError(
            f"{path} is {mb(size / 1e6)}, more than the limit of {mb(limits.max_file_mb)}; split the file or raise "
            "limits.max_file_mb in aigrip.yaml", source_id)


def check_unzipped_size(source, name, source_id: str) -> None:
    """Refuse an XLSX (``source``: a path or a binary file object; ``name`` for the message) whose
    parts unzip to more than ``max_unzipped_mb`` (a zip bomb), before anything is decompressed.
    The sizes come from the zip directory; the zip reader stops at the stated size of a part, so a
    part cannot unzip to more than it states. Not a zip: left to the XLSX reader to report."""
    import zipfile

    limit = current().max_unzipped_mb * 1e6
    try:
        with zipfile.ZipFile(source) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if total > limit:
        raise SourceLimitError(
            f"{name} unzips to {mb(total / 1e6)}, more than the limit of {mb(limit / 1e6)} (a damaged file or a "
            "zip bomb); save it again from Excel, or raise limits.max_unzipped_mb in aigrip.yaml", source_id)


def run_with_limits(load: Callable[[], Any], limits: Limits, source_id: str, *, grace_s: float = 5.0) -> Any:
    """``load()`` under ``limits``; raises :class:`SourceLimitError` when it is not done within the
    deadline (plus a short grace for cooperative readers to stop by themselves). A connector that
    ignores the deadline is left behind in its daemon thread; the run goes on without it."""
    box: dict[str, Any] = {}
    ctx = contextvars.copy_context()

    def work() -> None:
        def inner() -> None:
            with limits_scope(limits, source_id):
                box["value"] = load()
        try:
            ctx.run(inner)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, name=f"aigrip-source-{source_id}", daemon=True)
    worker.start()
    worker.join(limits.deadline_s + grace_s)
    if worker.is_alive():
        raise _deadline_error(limits, source_id, "reading the source")
    if "error" in box:
        raise box["error"]
    return box["value"]
