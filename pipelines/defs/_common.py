"""Helpers shared by the thin assets: results with row counts and a preview."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dagster import MaterializeResult, MetadataValue

from pipelines import progress

__all__ = ["result", "preview"]


def preview(df: pd.DataFrame, columns: list[str] | None = None, n: int = 10) -> MetadataValue:
    if df is None or df.empty:
        return MetadataValue.md("_(geen rijen)_")
    cols = [c for c in (columns or list(df.columns)[:6]) if c in df.columns]
    rows = df[cols].head(n).astype(object).where(df[cols].head(n).notna(), "").values.tolist()

    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")[:80]

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return MetadataValue.md("\n".join(lines))


def result(asset: str, counts: dict[str, Any], df: pd.DataFrame | None = None,
           columns: list[str] | None = None, extra: dict[str, Any] | None = None) -> MaterializeResult:
    """A MaterializeResult with row counts (and a preview), also reported to the CLI's progress."""
    metadata: dict[str, Any] = {k: v for k, v in counts.items() if v is not None}
    if df is not None:
        metadata["preview"] = preview(df, columns)
    if extra:
        metadata.update(extra)
    progress.emit(asset, counts)
    return MaterializeResult(metadata=metadata)
