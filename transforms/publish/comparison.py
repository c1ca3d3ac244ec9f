"""Our register against peers: field-fill rates, products they register that we use but have not
registered, and our register size against similar-sized municipalities.

Municipality sizes come from ``transforms/data/gemeenten_inwoners.csv`` (approximate CBS figures,
see docs/registers.md); "similar" = inhabitants between half and double ours.
"""

from __future__ import annotations

import csv
import statistics
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.text import fold

__all__ = ["compare_with_peers", "comparison_tables", "inhabitants", "FIELD_MAP"]

# peer_register_entries column -> our national 1.0 key
FIELD_MAP = {
    "name": "name", "description_short": "description_short", "goal": "goal", "status": "status",
    "categories": "category", "publication_category": "publication_category", "provider": "provider",
    "impact_assessments": "impacttoetsen_grouping", "lawful_basis": "lawful_basis", "begin_date": "begin_date",
}
_DATA = Path(__file__).resolve().parent.parent / "data" / "gemeenten_inwoners.csv"


@lru_cache(maxsize=1)
def inhabitants() -> dict[str, int]:
    """gm-code -> approximate number of inhabitants (bundled file)."""
    with _DATA.open(encoding="utf-8") as fh:
        return {r["gm_code"]: int(r["inhabitants"]) for r in csv.DictReader(fh)}


def _lst(value: Any) -> list:
    """A list from a list, a numpy array (as read back from DuckDB) or None."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _filled(value: Any) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return False
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, (list, tuple, dict)):
        return len(value) > 0
    return bool(str(value).strip())


def _fill_rates(records: list[dict], keys: dict[str, str]) -> dict[str, float]:
    n = len(records)
    return {field: round(sum(_filled(r.get(key)) for r in records) / n, 3) if n else 0.0 for field, key in keys.items()}


def _our_records(our_entries: list[dict] | pd.DataFrame) -> tuple[list[dict], dict[str, str]]:
    if isinstance(our_entries, pd.DataFrame):
        records = our_entries.to_dict("records")
        keys = {f: (f if f in our_entries.columns else k) for f, k in FIELD_MAP.items()}
    else:
        records, keys = list(our_entries), FIELD_MAP
    return records, keys


def compare_with_peers(
    our_entries: list[dict] | pd.DataFrame,
    our_mentions_products: pd.DataFrame,
    peer_entries: pd.DataFrame,
    kb_products: pd.DataFrame,
    *,
    peers: tuple[str, ...] = ("gm0772", "gm0363"),
    similar_orgs: list[str] | None = None,
    our_org_code: str | None = None,
) -> dict:
    """Compare our register with chosen peers and similar organisations (see module docstring).

    ``our_mentions_products`` holds ``kb_product_id`` (and optionally ``system_id``) of what we use
    (systems or scored mentions). A product counts as registered by us when one of our entries
    comes from a system with that product, or its name folds to one of the product's match keys.
    """
    ours, our_keys = _our_records(our_entries)
    used = set()
    registered = set()
    if our_mentions_products is not None and len(our_mentions_products):
        mp = our_mentions_products.dropna(subset=["kb_product_id"])
        used = set(mp["kb_product_id"])
        if "system_id" in mp.columns:
            our_ids = {str(r.get("source_id") or r.get("system_id") or "") for r in ours}
            registered |= set(mp.loc[mp["system_id"].astype(str).isin(our_ids), "kb_product_id"])
    our_names = {fold(r.get("name")) for r in ours if r.get("name")}
    kb = kb_products if kb_products is not None else pd.DataFrame(columns=["product_id", "match_keys", "organisations"])
    for row in kb.to_dict("records"):
        if our_names & set(_lst(row.get("match_keys"))):
            registered.add(row["product_id"])
    entries = peer_entries if peer_entries is not None else pd.DataFrame(columns=["org_code"])
    result: dict[str, Any] = {
        "fields": list(FIELD_MAP),
        "our": {"entries": len(ours), "fill_rates": _fill_rates(ours, our_keys)},
        "peers": {},
    }
    for code in peers:
        theirs = entries[entries["org_code"] == code]
        names = sorted(set(theirs["organisation"].dropna())) if len(theirs) else []
        org_name = names[0] if names else code
        missing = []
        for row in kb.to_dict("records"):
            if row["product_id"] in used and row["product_id"] not in registered and set(names) & set(_lst(row.get("organisations"))):
                missing.append({
                    "product_id": row["product_id"], "name": row["name"], "vendor": row.get("vendor"),
                    "org_count": int(row.get("org_count") or 0),
                    "reden": f"{org_name} registreert '{row['name']}'; wij gebruiken het maar hebben het niet geregistreerd",
                })
        result["peers"][code] = {
            "organisation": org_name,
            "entries": int(len(theirs)),
            "fill_rates": _fill_rates(theirs.to_dict("records"), {f: f for f in FIELD_MAP}),
            "missing_products": missing,
        }
    result["similar"] = _similar(entries, similar_orgs, our_org_code, len(ours))
    return result


def _similar(entries: pd.DataFrame, similar_orgs: list[str] | None, our_code: str | None, ours: int) -> dict:
    sizes = inhabitants()
    if similar_orgs is None:
        mine = sizes.get(str(our_code or "").lower())
        if mine:
            similar_orgs = [c for c, n in sizes.items() if c != our_code and mine / 2 <= n <= mine * 2]
        else:
            similar_orgs = sorted({c for c in entries["org_code"].dropna() if str(c).startswith("gm")})
    counts = entries["org_code"].value_counts().to_dict() if len(entries) else {}
    per_org = {c: int(counts.get(c, 0)) for c in similar_orgs}
    median = statistics.median(per_org.values()) if per_org else 0
    return {
        "organisations": list(similar_orgs),
        "entries_per_org": per_org,
        "median_entries": median,
        "our_entries": ours,
        "verschil": ours - median,
    }


def comparison_tables(result: dict) -> dict[str, pd.DataFrame]:
    """CSV-ready tables: field_fill, missing_products, register_size."""
    fill = pd.DataFrame({"field": result["fields"]})
    fill["ours"] = [result["our"]["fill_rates"].get(f, 0.0) for f in result["fields"]]
    for code, peer in result["peers"].items():
        fill[code] = [peer["fill_rates"].get(f, 0.0) for f in result["fields"]]
    missing = pd.DataFrame(
        [{"peer": code, **m} for code, peer in result["peers"].items() for m in peer["missing_products"]],
        columns=["peer", "product_id", "name", "vendor", "org_count", "reden"],
    )
    sizes = inhabitants()
    sim = result["similar"]
    size = pd.DataFrame(
        [{"org_code": c, "entries": n, "inhabitants": sizes.get(c)} for c, n in sim["entries_per_org"].items()],
        columns=["org_code", "entries", "inhabitants"],
    )
    size = pd.concat([size, pd.DataFrame([{"org_code": "ours", "entries": sim["our_entries"], "inhabitants": None},
                                          {"org_code": "median_similar", "entries": sim["median_entries"], "inhabitants": None}])],
                     ignore_index=True)
    return {"field_fill": fill, "missing_products": missing, "register_size": size}
