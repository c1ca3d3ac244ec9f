"""Writing CSV and XLSX files meant for people: every text cell neutralised against formula injection.

Every CSV/XLSX aigrip writes for people (inventory, provenance, register CSV/XLSX, Eurocities CSV,
peer comparison, ``aigrip classify`` output) goes through :func:`write_csv` or :func:`write_xlsx`:
text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'``; other control
characters are removed (so a stray one never breaks an XLSX); numbers stay numbers; XLSX text cells
are written as strings, never as formulas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from transforms.privacy.cells import neutralise_cell, neutralise_frame

__all__ = ["write_csv", "write_xlsx", "safe_frame"]


def safe_frame(frame: pd.DataFrame, index: bool = False) -> pd.DataFrame:
    """``frame`` with text cells, column names (and the index when written) neutralised."""
    out = neutralise_frame(frame)
    if index:
        out.index = [neutralise_cell(v) if isinstance(v, str) else v for v in out.index]
        if out.index.name is not None:
            out.index.name = neutralise_cell(str(out.index.name))
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """``frame.to_csv(path, **kwargs)`` after neutralising (default: no index, UTF-8)."""
    kwargs.setdefault("index", False)
    kwargs.setdefault("encoding", "utf-8")
    safe_frame(frame, kwargs["index"]).to_csv(path, **kwargs)
    return Path(path)


def write_xlsx(frame: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """``frame.to_excel(path, **kwargs)`` after neutralising; text cells are forced to string cells."""
    from openpyxl import load_workbook

    kwargs.setdefault("index", False)
    safe = safe_frame(frame, kwargs["index"])
    label = kwargs.get("index_label")
    if isinstance(label, str):
        kwargs["index_label"] = neutralise_cell(label)
    safe.to_excel(path, **kwargs)
    wb = load_workbook(path)
    for ws in wb.worksheets:  # belt and braces: no cell of ours is ever a formula
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.value, cell.data_type = "'" + str(cell.value), "s"
    wb.save(path)
    return Path(path)
