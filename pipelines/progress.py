"""A tiny in-process hook so ``aigrip run`` can show progress as assets finish.

Assets call :func:`emit`; the CLI registers a listener. Outside the CLI nobody listens.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["emit", "listen", "clear", "asset_printer"]

_listeners: list[Callable[[str, dict[str, Any]], None]] = []


def emit(asset: str, info: dict[str, Any]) -> None:
    for fn in list(_listeners):
        fn(asset, info)


def listen(fn: Callable[[str, dict[str, Any]], None]) -> None:
    _listeners.append(fn)


def clear() -> None:
    _listeners.clear()


def asset_printer(console) -> Callable[[str, dict[str, Any], float], None]:
    """One line per finished asset on a rich console (``aigrip run``, also per tenant): its counts and
    seconds, and the source's failure line when it has one."""
    def show(asset: str, info: dict[str, Any], seconds: float) -> None:
        error = info.get("error")
        parts = [f"{k}={v}" for k, v in info.items() if k != "error" and not isinstance(v, (dict, list))]
        mark = "[yellow]![/]" if error else "[green]✓[/]"
        console.print(f"  {mark} {asset:<24} {' '.join(parts)}  [dim]{seconds:.1f}s[/]", highlight=False)
        if error:
            console.print(f"      [yellow]{error}[/]", highlight=False)
    return show
