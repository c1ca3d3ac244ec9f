"""``aigrip classify FILE``: score any CSV/XLSX of descriptions, keeping every row in order."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from pipelines.config import AigripConfig
from transforms.errors import AigripError, SourceFormatError
from transforms.privacy.sheets import write_csv, write_xlsx
from warehouse.db import fetch_df

__all__ = ["classify_file", "read_table_file"]


def read_table_file(path: Path) -> pd.DataFrame:
    """Read a CSV (separator and encoding detected) or XLSX as text columns."""
    if not path.exists():
        raise AigripError(f"{path} does not exist")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            return pd.read_excel(path, dtype=str).fillna("")
        except Exception as exc:
            raise SourceFormatError(f"{path}: not a readable XLSX file ({type(exc).__name__}); save it again from Excel") from None
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:20000]
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        sep = ","
    import io

    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise SourceFormatError(f"{path}: cannot read as CSV ({str(exc).splitlines()[0]})") from None


def _learned(config: AigripConfig | None):
    """(kb_products, peer model) that the last run learned from the configured peers: the knowledge
    base as stored, the peer model fitted again on the same peer registrations and own texts
    (deterministic, so it is the run's model). (None, None) without a run."""
    if config is None or not (config.data_dir / "snapshot.duckdb").exists():
        return None, None
    from transforms.detect import fit_peer_model, own_texts
    from transforms.detect.peer_model import OWN_BULK_SOURCES
    from warehouse import snapshot_connect, table_exists

    with snapshot_connect(config.data_dir) as con:
        kb = fetch_df(con, "SELECT * FROM kb_products") if table_exists(con, "kb_products") else None
        entries = fetch_df(con, "SELECT * FROM peer_register_entries") \
            if table_exists(con, "peer_register_entries") else None
        own = fetch_df(con, "SELECT DISTINCT title, product, description, source_type FROM mentions "
                          "WHERE list_contains(?, source_type)", [list(OWN_BULK_SOURCES)]) \
            if table_exists(con, "mentions") else None
    return kb, fit_peer_model(entries, ledger=own_texts(own))


def classify_file(path: Path, text_column: str, vendor_column: str | None, config: AigripConfig | None,
                  out: Path | None) -> tuple[Path, int, int]:
    from transforms.classify.table import score_table

    df = read_table_file(Path(path))
    for col in filter(None, [text_column, vendor_column]):
        if col not in df.columns:
            raise AigripError(f"{path}: no column '{col}'; columns are: {', '.join(map(str, df.columns))}")
    kb, model = _learned(config)
    threshold = config.detection.threshold if config is not None else 0.5
    scored = score_table(df, text_column, vendor_column, kb_products=kb, threshold=threshold, peer_model=model)
    target = Path(out) if out else Path(path).with_name(Path(path).stem + ".classified.csv")
    if target.suffix.lower() == ".xlsx":
        write_xlsx(scored, target)
    else:
        write_csv(scored, target)
    return target, len(scored), int(scored["is_candidate"].astype(bool).sum())
