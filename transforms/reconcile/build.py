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


def _mode(df: pd.DataFrame, value: str, rank: str | None = None) -> pd.Series:
    """Per system_id the most common non-empty value (ties: best rank, then alphabetical)."""
    sub = df[["system_id", value] + ([rank] if rank else [])].dropna(subset=[value])
    sub = sub[sub[value].astype(str).str.strip() != ""]
    if rank:
        counts = sub.groupby(["system_id", value], sort=False).agg(n=(rank, "size"), r=(rank, "min")).reset_index()
        counts = counts.sort_values(["system_id", "r", "n", value], ascending=[True, True, False, True])
    else:
        counts = sub.groupby(["system_id", value], sort=False).size().rename("n").reset_index()
        counts = counts.sort_values(["system_id", "n", value], ascending=[True, False, True])
    best = counts.drop_duplicates("system_id")
    return best.set_index("system_id")[value]


def _distinct(df: pd.DataFrame, value: str, only_many: bool = False) -> pd.Series:
    """Per system_id the sorted distinct non-empty values (``only_many``: systems with more than one)."""
    sub = df[["system_id", value]].dropna()
    sub = sub[sub[value].astype(str).str.strip() != ""].drop_duplicates()
    if only_many:
        sub = sub[sub["system_id"].duplicated(keep=False)]
    sub = sub.assign(**{value: sub[value].astype(str)}).sort_values(["system_id", value])
    return sub.groupby("system_id", sort=True)[value].agg(list)


def _portfolio_status(df: pd.DataFrame) -> pd.Series:
    rows = df[df["source_type"] == "application_portfolio"][["system_id", "raw_json"]]
    if rows.empty:
        return pd.Series(dtype="object")

    def status(raw: object) -> str | None:
        try:
            value = json.loads(raw).get("status") if isinstance(raw, str) else None
        except (json.JSONDecodeError, AttributeError):
            return None
        return str(value).strip().lower() if value else None

    rows = rows.assign(status=rows["raw_json"].map(status))
    return _distinct(rows, "status")


def _conflicts(df: pd.DataFrame, system_ids: pd.Index) -> pd.Series:
    parts = pd.Series([[] for _ in system_ids], index=system_ids, dtype="object")
    checks = [
        (_distinct(df, "department", True), "bronnen noemen verschillende afdelingen"),
        (_distinct(df, "vendor_norm", True), "bronnen noemen verschillende leveranciers"),
        (_distinct(df, "vendor_kvk", True), "bronnen noemen verschillende KvK-nummers"),
        (_portfolio_status(df), "applicatieportfolio noemt verschillende statussen"),
    ]
    for values, text in checks:
        many = values[values.map(len) > 1]
        for sid, vals in many.items():
            parts[sid].append(f"{text}: {', '.join(vals)}")
    return parts.map(lambda p: "; ".join(p) if p else None)


def build_systems(df: pd.DataFrame, attrs: dict[str, dict]) -> pd.DataFrame:
    """One row per system_id from its records (columns of the reconcile input + system_id).

    ``attrs``: system_id → reviewer attributes (status, fields, defer_until, decided_*).
    """
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in SYSTEM_COLUMNS})
    df = df.copy()
    df["_rank"] = df["source_type"].map(_NAME_RANK).fillna(4)
    has_product = df["product"].notna() & (df["product"].astype(str).str.strip() != "")
    ledger_like = df["source_type"].isin(["spend_ledger"])
    df["_name"] = df["product"].where(has_product, df["title"])
    df.loc[ledger_like & ~has_product, "_name"] = df.loc[ledger_like & ~has_product, "title"].map(display_name)
    df["_desc_len"] = df["description"].fillna("").astype(str).str.len()
    g = df.groupby("system_id", sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(df["system_id"].unique()), name="system_id"))
    out["name"] = _mode(df, "_name", "_rank")
    out["vendor"] = _mode(df, "vendor", "_rank")
    out["vendor_kvk"] = _mode(df, "vendor_kvk")
    out["department"] = _mode(df, "department", "_rank")
    best_desc = df[df["_desc_len"] > 0].sort_values(["system_id", "_rank", "_desc_len", "source_key"],
                                                    ascending=[True, True, False, True])
    out["description"] = best_desc.drop_duplicates("system_id").set_index("system_id")["description"]
    out["ai_score"] = g["ai_score"].max()
    out["kb_product_id"] = _mode(df, "kb_product_id")
    # distinct source types per system as a bit mask: few distinct masks, each turned into a list once
    types = sorted(df["source_type"].dropna().astype(str).unique())
    bits = df["source_type"].map({t: 1 << i for i, t in enumerate(types)}).fillna(0).astype("int64")
    pairs = pd.DataFrame({"system_id": df["system_id"], "bit": bits}).drop_duplicates()
    masks = pairs.groupby("system_id", sort=True)["bit"].sum()
    lists = {m: [t for i, t in enumerate(types) if m >> i & 1] for m in masks.unique()}
    out["source_types"] = masks.map(lists)
    out["n_sources"] = g.size().astype("int64")
    dates = pd.to_datetime(df["record_date"], errors="coerce")
    out["first_seen"] = dates.groupby(df["system_id"]).min().dt.date
    out["last_seen"] = dates.groupby(df["system_id"]).max().dt.date
    out["conflicts"] = _conflicts(df, out.index)
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
