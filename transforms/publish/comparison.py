"""Our register against peers: field-fill rates, products they register that we use but have not
registered, and our register size against similar-sized municipalities.

"Similar" = municipalities with between half and double our inhabitants: ours from
``organisation.inhabitants``, theirs from the sizes the user supplies (``publish.inhabitants_file``,
read by ``transforms.knowledge.organisations.load_inhabitants``). Without sizes the comparison is
with every municipality in the peer data, and says so. No size is ever made up.
Our register size is what the loaded national register publishes for us (``own_register_entries``)
when we are in it, else the entries aigrip would publish.
"""

from __future__ import annotations

import statistics
from typing import Any

import pandas as pd

from transforms.knowledge.organisations import municipalities
from transforms.text import fold

__all__ = ["compare_with_peers", "comparison_tables", "FIELD_MAP"]

# peer_register_entries column -> our national 1.0 key
FIELD_MAP = {
    "name": "name", "description_short": "description_short", "goal": "goal", "status": "status",
    "categories": "category", "publication_category": "publication_category", "provider": "provider",
    "impact_assessments": "impacttoetsen_grouping", "lawful_basis": "lawful_basis", "begin_date": "begin_date",
}
def _lst(value: Any) -> list:
    """A list from a list, a numpy array (as read back from DuckDB) or None."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _text(value: Any) -> str | None:
    """Text, or None for NULL/NaN (never the string 'nan')."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


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
    our_inhabitants: int | None = None,
    sizes: dict[str, int] | None = None,
    own_entries: pd.DataFrame | None = None,
) -> dict:
    """Compare our register with chosen peers and similar organisations (see module docstring).

    ``our_mentions_products`` holds ``kb_product_id`` (and optionally ``system_id``) of what we use
    (systems or scored mentions). A product counts as registered by us when one of our entries
    comes from a system with that product, or its name folds to one of the product's match keys
    (our own entries in the loaded register, ``own_entries``, count as registered too).
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
    own = own_entries if own_entries is not None else pd.DataFrame(columns=["name"])
    our_names = {fold(r.get("name")) for r in ours if r.get("name")} | {fold(n) for n in own["name"].dropna()}
    kb = kb_products if kb_products is not None else pd.DataFrame(columns=["product_id", "match_keys", "organisations"])
    for row in kb.to_dict("records"):
        if our_names & set(_lst(row.get("match_keys"))):
            registered.add(row["product_id"])
    entries = peer_entries if peer_entries is not None else pd.DataFrame(columns=["org_code"])
    if our_org_code and len(entries):
        entries = entries[entries["org_code"] != str(our_org_code).lower()]
    result: dict[str, Any] = {
        "fields": list(FIELD_MAP),
        "our": {"entries": len(ours), "fill_rates": _fill_rates(ours, our_keys)},
        "peers": {},
    }
    for code in peers:
        theirs = entries[entries["org_code"] == code]
        names = sorted(set(theirs["organisation"].dropna())) if len(theirs) else []
        org_name = names[0] if names else (municipalities().get(code) or code)
        their_names = set(theirs["name"].dropna().astype(str)) if len(theirs) else set()
        missing = []
        for row in kb.to_dict("records"):
            if row["product_id"] in used and row["product_id"] not in registered and set(names) & set(_lst(row.get("organisations"))):
                as_they_call_it = sorted(their_names & {str(n) for n in _lst(row.get("names"))}) or [row["name"]]
                missing.append({
                    "product_id": row["product_id"], "name": row["name"], "vendor": _text(row.get("vendor")),
                    "org_count": int(row.get("org_count") or 0),
                    "reden": f"{org_name} registreert '{as_they_call_it[0]}'; wij gebruiken het maar hebben het niet geregistreerd",
                })
        result["peers"][code] = {
            "organisation": org_name,
            "entries": int(len(theirs)),
            "fill_rates": _fill_rates(theirs.to_dict("records"), {f: f for f in FIELD_MAP}),
            "missing_products": missing,
        }
    published = int(len(own))
    result["our"]["register_entries"] = published
    result["similar"] = _similar(entries, similar_orgs, our_org_code, published or len(ours),
                                 our_inhabitants, dict(sizes or {}))
    sim = result["similar"]
    sim["our_register_entries"] = published
    sim["our_aigrip_entries"] = len(ours)
    sim["samenvatting"] = _summary(sim)
    return result


def _nl_num(x: float) -> str:
    return _nl_int(int(x)) if float(x).is_integer() else f"{x:.1f}".replace(".", ",")


def _summary(sim: dict) -> str:
    """One Dutch sentence on our register size against similar organisations."""
    published, ready = sim["our_register_entries"], sim["our_aigrip_entries"]
    if published:
        head = f"Wij publiceren {_nl_int(published)} algoritme{'s' if published != 1 else ''} in het landelijk register"
        if ready and ready != published:
            head += f" (aigrip heeft er {_nl_int(ready)} klaar voor publicatie)"
    else:
        head = f"Wij publiceren nog geen algoritmes in het ingelezen register; aigrip heeft er {_nl_int(ready)} klaar voor publicatie"
    n = len(sim["organisations"])
    if not n:
        return head + "; er zijn geen vergelijkbare organisaties in de ingelezen registers."
    noun = "vergelijkbare gemeente" if n == 1 else "vergelijkbare gemeenten"
    return (f"{head}; {_nl_int(n)} {noun} ({sim['basis']}) publiceren er "
            f"{_nl_num(sim['median_entries'])} (mediaan).")


def _nl_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _similar(entries: pd.DataFrame, similar_orgs: list[str] | None, our_code: str | None, ours: int,
             our_inhabitants: int | None, sizes: dict[str, int]) -> dict:
    our_code = str(our_code or "").lower()
    mine = our_inhabitants or sizes.get(our_code)
    if similar_orgs is not None:
        basis = "de gekozen organisaties"
    elif mine and sizes:
        similar_orgs = sorted(c for c, n in sizes.items() if c != our_code and mine / 2 <= n <= mine * 2)
        basis = (f"{_nl_int(int(mine // 2))} tot {_nl_int(int(mine * 2))} inwoners; wij hebben er "
                 f"{_nl_int(int(mine))}, de anderen volgens het opgegeven bestand")
    else:
        similar_orgs = sorted({c for c in entries["org_code"].dropna() if str(c).startswith("gm") and c != our_code})
        basis = ("alle gemeenten in de ingelezen registers; geen inwonertallen bekend, "
                 "vul organisation.inhabitants en publish.inhabitants_file in")
    counts = entries["org_code"].value_counts().to_dict() if len(entries) else {}
    per_org = {c: int(counts.get(c, 0)) for c in similar_orgs}
    median = statistics.median(per_org.values()) if per_org else 0
    return {
        "organisations": list(similar_orgs),
        "entries_per_org": per_org,
        "inhabitants": {c: sizes[c] for c in similar_orgs if c in sizes},
        "basis": basis,
        "our_inhabitants": int(mine) if mine else None,
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
    sim = result["similar"]
    sizes = sim.get("inhabitants") or {}
    size = pd.DataFrame(
        [{"org_code": c, "entries": n, "inhabitants": sizes.get(c)} for c, n in sim["entries_per_org"].items()],
        columns=["org_code", "entries", "inhabitants"],
    )
    size = pd.concat([size, pd.DataFrame([{"org_code": "ours", "entries": sim["our_entries"], "inhabitants": sim.get("our_inhabitants")},
                                          {"org_code": "median_similar", "entries": sim["median_entries"], "inhabitants": None}])],
                     ignore_index=True)
    return {"field_fill": fill, "missing_products": missing, "register_size": size}
