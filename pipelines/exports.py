"""``aigrip export``: register formats, the public site, the inventory and the peer comparison.

Everything is read from the last published snapshot; only confirmed systems' published fields
leave through the register formats and the site.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pandas as pd

from pipelines.config import AigripConfig
from pipelines.publishing import confirmed_systems, org_info, published_entries, write_site
from transforms.privacy.sheets import write_xlsx
from warehouse import snapshot_connect
from warehouse.db import fetch_df

__all__ = ["EXPORTERS", "run_export", "write_csv", "INVENTORY_COLUMNS"]

INVENTORY_COLUMNS = [
    "system_id", "status", "name", "vendor", "department", "ai_act_class", "ai_act_area", "publication_category",
    "dpia_required", "dpia_status", "iama_recommended", "needs_review", "ai_score", "n_sources", "source_types",
    "first_seen", "last_seen", "conflicts", "ai_act_reason", "publication_reason", "dpia_reason", "iama_reason",
]


def _national_json(con, cfg: AigripConfig, out: Path, peers, sep: str | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    paths = []
    entries = published_entries(con)
    for system_id, entry in entries:
        p = out / f"{system_id}.json"
        p.write_text(json.dumps(entry, ensure_ascii=False, indent=2), encoding="utf-8")
        paths.append(p)
    allp = out / "register.json"
    allp.write_text(json.dumps([e for _, e in entries], ensure_ascii=False, indent=2), encoding="utf-8")
    return [allp, *paths]


def _national_csv(con, cfg, out: Path, peers, sep: str | None = None) -> list[Path]:
    from transforms.publish.register import to_national_csv

    out.mkdir(parents=True, exist_ok=True)
    df = to_national_csv([e for _, e in published_entries(con)])
    p = out / "algoritmeregister.csv"
    write_csv(df, p, sep or ",", quoting=1)
    return [p]


def _national_xlsx(con, cfg, out: Path, peers, sep: str | None = None) -> list[Path]:
    from transforms.publish.register import standard_fields, to_national_csv

    out.mkdir(parents=True, exist_ok=True)
    df = to_national_csv([e for _, e in published_entries(con)])
    p = out / "algoritmeregister.xlsx"
    # Like the register's own Excel export: transposed (one row per field, one column per algorithm),
    # with the Dutch field titles as row labels, on a sheet named after the standard version.
    titles = {k: v.get("title", k) for k, v in standard_fields().items()} | {"algorithm_id": "Algoritme-ID"}
    sheet = df.T
    sheet.index = [titles.get(k, k) for k in df.columns]
    sheet.columns = [f"Algoritme {i + 1}" for i in range(len(df))]
    write_xlsx(sheet, p, sheet_name="1.0", index=True, index_label="Veld")
    return [p]


def _confirmed_frames(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Published systems (as their published register version says) and their classifications."""
    from transforms.publish.register_view import system_from_entry

    published = dict(published_entries(con))
    pairs = [(system_from_entry(s, published[s["system_id"]]), c)
             for s, c in confirmed_systems(con) if s["system_id"] in published]
    return pd.DataFrame([s for s, _ in pairs]), pd.DataFrame([c for _, c in pairs])


def _eurocities(con, cfg, out: Path, peers, sep: str | None = None) -> list[Path]:
    from transforms.publish.register import to_eurocities_rows

    out.mkdir(parents=True, exist_ok=True)
    p = out / "eurocities_ats.csv"
    write_csv(to_eurocities_rows(*_confirmed_frames(con), org_info(cfg)), p, sep or ";")
    return [p]


def _amsterdam(con, cfg, out: Path, peers, sep: str | None = None) -> list[Path]:
    from transforms.publish.register import to_amsterdam

    out.mkdir(parents=True, exist_ok=True)
    p = out / "amsterdam_register.json"
    rows = to_amsterdam(*_confirmed_frames(con), org_info(cfg))
    p.write_text(json.dumps(rows, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return [p]


def _site(con, cfg, out: Path, peers, sep: str | None = None) -> list[Path]:
    write_site(con, cfg, out)
    return [out / "index.html"]


def _inventory(con, cfg, out: Path, peers, sep: str | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    inv = fetch_df(con,
        "SELECT s.*, c.* EXCLUDE (system_id) FROM systems s LEFT JOIN classifications c USING (system_id) "
        "ORDER BY s.system_id")
    for c in INVENTORY_COLUMNS:
        if c not in inv.columns:
            inv[c] = None
    inv = inv[INVENTORY_COLUMNS]
    inv["source_types"] = inv["source_types"].map(_join)
    prov = fetch_df(con, "SELECT system_id, source_key, match_probability, match_reason FROM provenance "
                       "ORDER BY system_id, source_key")
    p1, p2 = out / "inventory.csv", out / "provenance.csv"
    write_csv(inv, p1, sep or ",")
    write_csv(prov, p2, sep or ",")
    return [p1, p2]


def _join(value) -> str:
    """A list column (lists come back from DuckDB as numpy arrays) as 'a, b'."""
    if value is None or isinstance(value, float):
        return ""
    return ", ".join(map(str, value.tolist() if hasattr(value, "tolist") else value))


def _peer_comparison(con, cfg: AigripConfig, out: Path, peers, sep: str | None = None) -> list[Path]:
    from pipelines.reporting import peer_comparison
    from transforms.publish.comparison import comparison_tables

    out.mkdir(parents=True, exist_ok=True)
    result = peer_comparison(con, cfg, peers)
    p = out / "comparison.json"
    p.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    paths = [p]
    for name, df in comparison_tables(result).items():
        q = out / f"{name}.csv"
        write_csv(df, q, sep or ",")
        paths.append(q)
    kb = fetch_df(con, "SELECT product_id, name, vendor, org_count, entry_count, names, organisations, categories, "
                     "publication_categories, impact_assessments FROM kb_products ORDER BY org_count DESC, name")
    for col in ("names", "organisations", "categories", "publication_categories", "impact_assessments"):
        kb[col] = kb[col].map(_join)
    q = out / "kb_products.csv"  # the knowledge base: what peers register, grouped into products
    write_csv(kb, q, sep or ",")
    return [*paths, q]


def write_csv(df: pd.DataFrame, path: Path, sep: str = ",", quoting: int = 0) -> Path:
    """A CSV that opens in Excel: UTF-8 with a BOM, formula-safe cells; with ``sep=';'`` (Dutch Excel)
    decimals are written with a comma."""
    from transforms.privacy.sheets import write_csv as _safe_csv

    return _safe_csv(df, path, sep=sep, encoding="utf-8-sig", quoting=quoting, decimal="," if sep == ";" else ".")


def _register_xlsx(con, cfg: AigripConfig, out: Path, peers, sep: str | None = None) -> list[Path]:
    from pipelines.register_workbook import export_register_workbook

    return [export_register_workbook(cfg, out)]  # the editors' workbook (all confirmed systems, drafts)


EXPORTERS: dict[str, Callable[..., list[Path]]] = {
    "national-json": _national_json,
    "national-csv": _national_csv,
    "national-xlsx": _national_xlsx,
    "register-xlsx": _register_xlsx,
    "eurocities-csv": _eurocities,
    "amsterdam": _amsterdam,
    "site": _site,
    "inventory": _inventory,
    "peer-comparison": _peer_comparison,
}


def run_export(cfg: AigripConfig, fmt: str, out: Path | None = None, peers: list[str] | None = None,
               sep: str | None = None) -> list[Path]:
    """Write one export; ``sep`` overrides the CSV separator (default ``,``; ``;`` for eurocities-csv)."""
    out = Path(out) if out else cfg.data_dir / "export" / fmt
    with snapshot_connect(cfg.data_dir) as con:
        return EXPORTERS[fmt](con, cfg, out, peers, sep=sep)
