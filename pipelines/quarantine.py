"""``aigrip quarantine``: the quarantined input rows with their reasons, for the data team.

Reads the last published snapshot. Lists the source, the row reference (file line, sheet row or API
record) and the reason; never the raw text of the row, which may hold personal data: the row
reference points the data team to the row in the file they exported themselves.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.config import AigripConfig
from transforms.errors import ConfigError
from transforms.privacy.cells import neutralise_frame
from warehouse import SNAPSHOT_NAME, snapshot_connect, table_exists
from warehouse.db import fetch_df

__all__ = ["quarantined_rows", "write_quarantine_xlsx", "COLUMNS"]

COLUMNS = {"source_id": "Bron", "row_ref": "Rij", "reason": "Reden"}


def quarantined_rows(config: AigripConfig, source_id: str | None = None) -> pd.DataFrame:
    """source_id, row_ref, reason of every quarantined row (optionally of one source), in source order."""
    if source_id is not None and source_id not in {s.id for s in config.sources}:
        known = ", ".join(s.id for s in config.sources) or "none"
        raise ConfigError(f"no source '{source_id}' in {config.config_path}; sources are: {known}")
    empty = pd.DataFrame(columns=list(COLUMNS))
    if not (config.data_dir / SNAPSHOT_NAME).exists():
        return empty
    with snapshot_connect(config.data_dir) as con:
        if not table_exists(con, "quarantine"):
            return empty
        where, params = ("WHERE source_id = ?", [source_id]) if source_id else ("", [])
        return fetch_df(con,
            f"SELECT source_id, row_ref, reason FROM quarantine {where} ORDER BY source_id, row_ref", params
        )


def write_quarantine_xlsx(rows: pd.DataFrame, out: Path) -> Path:
    """The rows as an XLSX with Dutch headers; text cells neutralised against formula injection."""
    if out.suffix.lower() != ".xlsx":
        raise ConfigError(f"--out {out}: give a file name ending in .xlsx")
    out.parent.mkdir(parents=True, exist_ok=True)
    neutralise_frame(rows.rename(columns=COLUMNS)).to_excel(out, index=False, sheet_name="Quarantaine")
    return out
