"""How completely register entries fill publication standard 1.0.

The fields counted are the standard's properties an organisation provides: all of them except the
two the national register assigns itself (``lars``, ``publication_dt``), and ``end_date`` unless the
algorithm is out of use (Buiten gebruik). A field counts as filled when it has visible text, a theme
or a grouping row.
"""

from __future__ import annotations

from transforms.publish.markup import plain_text
from transforms.publish.register import standard_fields

__all__ = ["fill_fields", "entry_fill", "register_fill"]

_ASSIGNED = ("lars", "publication_dt")


def fill_fields(entry: dict) -> list[str]:
    """The fields an entry is measured on."""
    keys = [k for k in standard_fields() if k not in _ASSIGNED]
    return [k for k in keys if k != "end_date" or entry.get("status") == "Buiten gebruik"]


def _filled(value: object) -> bool:
    if isinstance(value, list):
        return any(value)
    return bool(plain_text(value)) if isinstance(value, str) else value is not None


def entry_fill(entry: dict) -> dict:
    """``{filled, total, share, missing}`` of one entry."""
    keys = fill_fields(entry)
    missing = [k for k in keys if not _filled(entry.get(k))]
    filled = len(keys) - len(missing)
    return {"filled": filled, "total": len(keys), "share": filled / len(keys) if keys else 0.0, "missing": missing}


def register_fill(entries: list[dict]) -> dict:
    """Fill over a set of entries: ``{entries, filled, total, share, per_field}`` (share of entries per field)."""
    per_field: dict[str, list[int]] = {}
    filled = total = 0
    for e in entries:
        f = entry_fill(e)
        filled, total = filled + f["filled"], total + f["total"]
        for k in fill_fields(e):
            per_field.setdefault(k, [0, 0])
            per_field[k][1] += 1
            per_field[k][0] += k not in f["missing"]
    return {"entries": len(entries), "filled": filled, "total": total, "share": filled / total if total else 0.0,
            "per_field": {k: round(a / b, 3) for k, (a, b) in per_field.items()}}
