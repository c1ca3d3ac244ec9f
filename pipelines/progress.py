"""A tiny in-process hook so ``aigrip run`` can show progress as assets finish.

Assets call :func:`emit`; the CLI registers a listener. Outside the CLI nobody listens.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["emit", "listen", "clear"]

_listeners: list[Callable[[str, dict[str, Any]], None]] = []


def emit(asset: str, info: dict[str, Any]) -> None:
    for fn in list(_listeners):
        fn(asset, info)


def listen(fn: Callable[[str, dict[str, Any]], None]) -> None:
    _listeners.append(fn)


def clear() -> None:
    _listeners.clear()
