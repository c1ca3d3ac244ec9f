"""History for trends: runs ``--as-of`` the end of each earlier month that has no figures yet.

Each such run (``run_pipeline(..., known_then=True)``) sees only what was known on that date: source
records dated up to it, decisions taken by then, training completed by then. So the trend is built
from real data — never fabricated snapshot rows. ``aigrip run --history 6`` does this before the normal run; ``make demo`` uses it.
"""

from __future__ import annotations

import datetime as dt

from pipelines.config import AigripConfig
from transforms.errors import WarehouseError
from warehouse import snapshot_connect, table_exists

__all__ = ["history_dates", "known_periods"]


def history_dates(reference: dt.date, months: int, known: set[str]) -> list[dt.date]:
    """The last day of each of the ``months`` months before ``reference``'s month, oldest first, minus ``known``."""
    out = []
    first = reference.replace(day=1)
    for _ in range(max(0, months)):
        end = first - dt.timedelta(days=1)
        first = end.replace(day=1)
        if end.strftime("%Y-%m") not in known:
            out.append(end)
    return out[::-1]


def known_periods(config: AigripConfig) -> set[str]:
    """Periods that already have figures in the last published snapshot (none before the first run)."""
    try:
        with snapshot_connect(config.data_dir) as con:
            if not table_exists(con, "kpis"):
                return set()
            return {r[0] for r in con.execute("SELECT DISTINCT period FROM kpis").fetchall()}
    except WarehouseError:
        return set()
