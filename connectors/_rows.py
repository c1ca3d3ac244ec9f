"""Helpers for the small tabular connectors (portfolio, survey, DPIA register)."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from connectors._tabular import Table, open_table
from connectors.base import SourceSpec
from transforms.text import fold

__all__ = ["read_fields", "slug", "unique_refs", "quarantine_frame"]

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: object) -> str:
    """'Naam Applicatie 2.0' -> 'naam-applicatie-2-0'."""
    return _SLUG.sub("-", fold(text)).strip("-")


def unique_refs(refs: pd.Series) -> pd.Series:
    """Second and later occurrences of a ref get '-2', '-3', …"""
    n = refs.groupby(refs).cumcount() + 1
    return refs.where(n == 1, refs + "-" + n.astype(str))


def read_fields(
    spec: SourceSpec, aliases: dict[str, tuple[str, ...]], *, required: tuple[str, ...], sheet_hints: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, Table]:
    """Frame with ``_ord`` plus one text column per field (missing fields are None)."""
    con = duckdb.connect()
    try:
        with open_table(con, spec, aliases, required=required, sheet_hints=sheet_hints) as table:
            cols = [f"c{i}" for i in range(len(table.header))]
            parts = [f"nullif(trim({c}), '') AS {f}" for f, c in table.fields.items()]
            raw = f"concat_ws(?, {', '.join(f'coalesce({c}, {chr(39)}{chr(39)})' for c in cols)}) AS _raw"
            frame = con.execute(
                f"SELECT _ord, {', '.join(parts + [raw])} FROM raw ORDER BY _ord", [table.separator]
            ).df()
    finally:
        con.close()
    frame = frame.astype(object).where(frame.notna(), None)
    for fld in aliases:
        if fld not in frame.columns:
            frame[fld] = None
    return frame, table


def quarantine_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["row_ref", "reason", "raw_text"]).astype(object)
