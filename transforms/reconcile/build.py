"""Turn labelled records into ``systems`` and ``provenance`` rows (docs/architecture.md shapes)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from transforms.reconcile.features import display_name

__all__ = ["SYSTEM_COLUMNS", "PROVENANCE_COLUMNS", "build_systems", "build_provenance"]

SYSTEM_COLUMNS = [
    "system_id", "status", "name", "vendor", "vendor_kvk", "department", "description", "ai_score",
    "kb_product_id", "source_types", "n_sources", "first_seen", "last_seen", "conflicts", "fields_json",
    "defer_until", "decided_by", "decided_at", "decision_reason",
]
PROVENANCE_COLUMNS = ["system_id", "source_key", "match_probability", "match_reason"]
# Which source names a system best: a product/portfolio/survey name beats tender and ledger text.
_NAME_RANK = {"application_portfolio": 0, "survey": 1, "tenderned": 2, "ted": 2, "spend_ledger": 3}
_SAME_PROFILE = "zelfde naam, leverancier, afdeling en KB-product"


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)``: per row the index of its value in the sorted distinct values; -1 for
    None/NaN and blank text. Each distinct value is looked at once."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), sort=True)
    uniques = np.asarray(uniques, dtype=object)
    blank = np.fromiter((str(u).strip() == "" for u in uniques), dtype=bool, count=len(uniques))
    if blank.any():
        codes = np.where(codes >= 0, np.where(blank, -1, np.arange(len(uniques)))[codes], -1)
    return codes, uniques


def _pairs(sys_codes: np.ndarray, codes: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (system, value) pairs of the rows with a value: system codes, value codes, inverse."""
    keep = codes >= 0
    key = sys_codes[keep].astype(np.int64) * max(n_values, 1) + codes[keep]
    pairs, inverse = np.unique(key, return_inverse=True)
    return pairs // max(n_values, 1), pairs % max(n_values, 1), inverse


def _mode(sys_codes: np.ndarray, n_sys: int, values: pd.Series, rank: np.ndarray | None = None) -> np.ndarray:
    """Per system (code) the most common non-empty value (ties: best rank, then the smallest value)."""
    codes, uniques = _codes(values)
    s, v, inverse = _pairs(sys_codes, codes, len(uniques))
    n = np.bincount(inverse, minlength=len(s))
    r = np.zeros(len(s))
    if rank is not None:
        r = pd.Series(rank[codes >= 0]).groupby(inverse).min().to_numpy()
    order = np.lexsort((v, -n, r, s))
    s, v = s[order], v[order]
    first = np.r_[True, s[1:] != s[:-1]] if len(s) else np.zeros(0, dtype=bool)
    out = np.full(n_sys, np.nan, dtype=object)
    out[s[first]] = uniques[v[first]]
    return out


def _distinct_many(sys_codes: np.ndarray, values: pd.Series) -> dict[int, list[str]]:
    """System (code) → sorted distinct non-empty values as text, for systems with more than one."""
    codes, uniques = _codes(values)
    s, v, _ = _pairs(sys_codes, codes, len(uniques))
    many = np.flatnonzero(np.bincount(s, minlength=1)[s] > 1) if len(s) else np.zeros(0, dtype=np.int64)
    out: dict[int, list[str]] = {}
    for i in many:
        out.setdefault(int(s[i]), []).append(str(uniques[v[i]]))
    return {k: sorted(vals) for k, vals in out.items()}


def _status(raw: object) -> str | None:
    try:
        value = json.loads(raw).get("status") if isinstance(raw, str) else None
    except (json.JSONDecodeError, AttributeError):
        return None
    return str(value).strip().lower() if value else None


def _portfolio_status(df: pd.DataFrame, sys_codes: np.ndarray) -> dict[int, list[str]]:
    portfolio = (df["source_type"] == "application_portfolio").to_numpy(dtype=bool)
    if not portfolio.any():
        return {}
    codes, uniques = pd.factorize(df["raw_json"].to_numpy(dtype=object)[portfolio])
    statuses = np.array([_status(u) for u in uniques] + [_status(None)], dtype=object)
    return _distinct_many(sys_codes[portfolio], pd.Series(statuses[codes], dtype=object))


def _conflicts(df: pd.DataFrame, sys_codes: np.ndarray, n_sys: int) -> np.ndarray:
    checks = [
        (_distinct_many(sys_codes, df["department"]), "bronnen noemen verschillende afdelingen"),
        (_distinct_many(sys_codes, df["vendor_norm"]), "bronnen noemen verschillende leveranciers"),
        (_distinct_many(sys_codes, df["vendor_kvk"]), "bronnen noemen verschillende KvK-nummers"),
        (_portfolio_status(df, sys_codes), "applicatieportfolio noemt verschillende statussen"),
    ]
    parts: dict[int, list[str]] = {}
    for values, text in checks:
        for code, vals in values.items():
            parts.setdefault(code, []).append(f"{text}: {', '.join(vals)}")
    out = np.full(n_sys, None, dtype=object)
    for code, p in parts.items():
        out[code] = "; ".join(p)
    return out


def _names(df: pd.DataFrame) -> pd.Series:
    """The name each record offers: its product, else its title (ledger text via display_name)."""
    product, title = df["product"], df["title"]
    has_product = product.notna() & (product.astype(str).str.strip() != "")
    names = product.where(has_product, title).astype("object")
    ledger = (df["source_type"].isin(["spend_ledger"]) & ~has_product).to_numpy(dtype=bool)
    if ledger.any():
        codes, uniques = pd.factorize(title.to_numpy(dtype=object)[ledger])
        shown = np.array([display_name(u) for u in uniques] + [display_name(None)], dtype=object)
        values = names.to_numpy(dtype=object).copy()
        values[ledger] = shown[codes]
        names = pd.Series(values, index=df.index, dtype="object")
    return names


def _source_types(df: pd.DataFrame, sys_codes: np.ndarray, n_sys: int) -> np.ndarray:
    """Per system the sorted distinct source types (as a bit mask: few distinct masks, each listed once)."""
    types = sorted(df["source_type"].dropna().astype(str).unique())
    bits = df["source_type"].map({t: 1 << i for i, t in enumerate(types)}).fillna(0).to_numpy(dtype=np.int64)
    masks = np.zeros(n_sys, dtype=np.int64)
    np.bitwise_or.at(masks, sys_codes, bits)
    lists = {m: [t for i, t in enumerate(types) if m >> i & 1] for m in np.unique(masks).tolist()}
    out = np.empty(n_sys, dtype=object)
    out[:] = [lists[m] for m in masks.tolist()]
    return out


def _best_description(df: pd.DataFrame, sys_codes: np.ndarray, n_sys: int, rank: np.ndarray) -> np.ndarray:
    """Per system the description of the best-ranked source, the longest, then the smallest source_key."""
    desc = df["description"]
    codes, uniques = pd.factorize(desc.to_numpy(dtype=object))
    lengths = np.array([len(str(u)) for u in uniques] + [0], dtype=np.int64)[codes]
    rows = np.flatnonzero(lengths > 0)
    keys = df["source_key"]
    # reconcile passes the records in source_key order: then the row number is the key's rank
    key_rank = rows if keys.is_monotonic_increasing else pd.factorize(keys.to_numpy(dtype=object)[rows], sort=True)[0]
    order = rows[np.lexsort((key_rank, -lengths[rows], rank[rows], sys_codes[rows]))]
    first = order[np.r_[True, sys_codes[order][1:] != sys_codes[order][:-1]]] if len(order) else order
    out = np.full(n_sys, np.nan, dtype=object)
    out[sys_codes[first]] = desc.to_numpy(dtype=object)[first]
    return out


def _dates(df: pd.DataFrame, sys_codes: np.ndarray) -> tuple[pd.Series, pd.Series]:
    codes, uniques = pd.factorize(df["record_date"].to_numpy(dtype=object))
    parsed = pd.to_datetime(pd.Series(uniques, dtype="object"), errors="coerce")
    if len(uniques):
        dates = pd.Series(parsed.to_numpy()[codes], dtype=parsed.dtype)
    else:  # no record has a date
        dates = pd.Series(np.full(len(codes), np.datetime64("NaT", "ns")), dtype="datetime64[ns]")
    dates[codes < 0] = pd.NaT
    grouped = dates.groupby(sys_codes)
    return grouped.min().dt.date, grouped.max().dt.date


def build_systems(df: pd.DataFrame, attrs: dict[str, dict]) -> pd.DataFrame:
    """One row per system_id from its records (columns of the reconcile input + system_id).

    ``attrs``: system_id → reviewer attributes (status, fields, defer_until, decided_*).
    """
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in SYSTEM_COLUMNS})
    df = df.reset_index(drop=True)
    sys_codes, system_ids = pd.factorize(df["system_id"].to_numpy(dtype=object), sort=True)
    n_sys = len(system_ids)
    rank = df["source_type"].map(_NAME_RANK).fillna(4).to_numpy(dtype=np.float64)
    out = pd.DataFrame(index=pd.Index(list(system_ids), name="system_id"))
    out["name"] = _mode(sys_codes, n_sys, _names(df), rank)
    out["vendor"] = _mode(sys_codes, n_sys, df["vendor"], rank)
    out["vendor_kvk"] = _mode(sys_codes, n_sys, df["vendor_kvk"])
    out["department"] = _mode(sys_codes, n_sys, df["department"], rank)
    out["description"] = pd.Series(_best_description(df, sys_codes, n_sys, rank), index=out.index, dtype="object")
    out["ai_score"] = df["ai_score"].groupby(sys_codes).max().to_numpy()
    out["kb_product_id"] = _mode(sys_codes, n_sys, df["kb_product_id"])
    out["source_types"] = _source_types(df, sys_codes, n_sys)
    out["n_sources"] = np.bincount(sys_codes, minlength=n_sys).astype("int64")
    first_seen, last_seen = _dates(df, sys_codes)
    out["first_seen"] = first_seen.to_numpy()
    out["last_seen"] = last_seen.to_numpy()
    out["conflicts"] = _conflicts(df, sys_codes, n_sys)
    out = out.reset_index()
    statuses, fields_json, defer, by, at, reason = [], [], [], [], [], []
    for i, sid in enumerate(out["system_id"]):
        a = attrs.get(sid, {})
        statuses.append(a.get("status", "candidate"))
        fields = a.get("fields") or {}
        for col in ("name", "vendor", "department", "description"):
            if fields.get(col):
                out.at[i, col] = fields[col]
        fields_json.append(json.dumps(fields, ensure_ascii=False, sort_keys=True) if fields else None)
        defer.append(a.get("defer_until"))
        by.append(a.get("decided_by"))
        at.append(a.get("decided_at"))
        reason.append(a.get("decision_reason"))
    out["status"] = statuses
    out["fields_json"] = fields_json
    out["defer_until"] = defer
    out["decided_by"] = by
    out["decided_at"] = pd.to_datetime(pd.Series(at, dtype="object"), errors="coerce", utc=True).dt.tz_localize(None)
    out["decision_reason"] = reason
    return out[SYSTEM_COLUMNS]


def build_provenance(keys: pd.DataFrame, edges: pd.DataFrame, reviewer_linked: set[str]) -> pd.DataFrame:
    """Provenance rows: per record its system, the best link inside that system and why.

    ``keys``: DataFrame[source_key, profile_id, system_id]; ``edges``: scored profile pairs (and
    rule-based links from :mod:`attach`, whose match_probability is NULL: no model probability).
    """
    if keys.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PROVENANCE_COLUMNS})
    profile_system = keys.drop_duplicates("profile_id").set_index("profile_id")["system_id"]
    best = pd.DataFrame(columns=["profile_id", "match_probability", "match_reason"])
    if len(edges):
        both = pd.concat([
            edges.rename(columns={"unique_id_l": "profile_id", "unique_id_r": "other"}),
            edges.rename(columns={"unique_id_r": "profile_id", "unique_id_l": "other"}),
        ], ignore_index=True)
        same = both["profile_id"].map(profile_system).to_numpy() == both["other"].map(profile_system).to_numpy()
        both = both[same].sort_values(["profile_id", "match_probability", "other"], ascending=[True, False, True])
        best = both.drop_duplicates("profile_id")[["profile_id", "match_probability", "match_reason"]]
    prov = keys.merge(best, on="profile_id", how="left")
    per_profile = prov.groupby("profile_id")["source_key"].transform("size")
    per_system = prov.groupby("system_id")["source_key"].transform("size")
    # no link inside the system (a rule-based link, see attach.py, has a reason but no probability)
    missing = prov["match_reason"].isna()
    linked = prov["system_id"].isin(reviewer_linked)
    conditions = [missing & (per_system == 1), missing & (per_profile > 1), missing & linked]
    prov["match_reason"] = np.select(
        conditions, ["enige bron van dit systeem", _SAME_PROFILE, "samengevoegd door beoordelaar"],
        default=prov["match_reason"].fillna("ingedeeld door beoordelaar").to_numpy(dtype=object),
    )
    prov["match_probability"] = prov["match_probability"].astype("float64").where(~missing, 1.0)
    return prov.sort_values(["system_id", "source_key"])[PROVENANCE_COLUMNS].reset_index(drop=True)
