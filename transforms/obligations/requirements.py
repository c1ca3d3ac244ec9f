"""Algoritmekader requirements (vereisten) and measures (maatregelen) per system.

``transforms/data/algoritmekader.json`` is derived from the Algoritmekader (MinBZK, EUPL-1.2;
refresh with ``scripts/refresh_algoritmekader.py``). A requirement applies to a system when the
system's profile matches the requirement's labels: kind of application (soort-toepassing), risk
group (risicogroep), AI-Act role (rol-ai-act: a municipality that buys a system is
gebruiksverantwoordelijke; one that builds it is also aanbieder) and transparency duty. A measure
applies when a requirement it serves applies. Rule-based algorithms (no AI system) get the
requirements from general law (AVG, Awb, Archiefwet, BIO, Woo, grondrechten), not the AI Act's.
Status, owner, evidence and date come from ``requirement`` decisions in the log.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from transforms.labels import AI_ACT_CLASS_LABELS
from transforms.obligations.decisions import latest_per_key

__all__ = [
    "REQUIREMENT_COLUMNS", "load_algoritmekader", "system_profile", "select_items", "system_requirements",
    "requirement_progress",
]

DATA = Path(__file__).resolve().parent.parent / "data" / "algoritmekader.json"
REQUIREMENT_COLUMNS = [
    "system_id", "item_id", "item_kind", "slug", "title", "url", "serves", "applicable_reason", "status", "owner",
    "evidence_link", "status_date", "status_reason", "decided_by", "decided_at",
]
_AI_CLASSES = {"prohibited", "high_risk", "transparency", "minimal", "needs_review"}
_RISK = {"prohibited": "verboden-ai", "high_risk": "hoog-risico-ai-systeem", "needs_review": "hoog-risico-ai-systeem",
         "transparency": "geen-hoog-risico-ai-systeem", "minimal": "geen-hoog-risico-ai-systeem",
         "out_of_scope": "uitzondering-van-toepassing"}
_REGISTER_ONLY = {"bzk-01": ("Hoog-risico AI-systeem", "Impactvolle algoritmes")}
_IN_HOUSE = re.compile(r"eigen ontwikkeling|zelf ontwikkeld|in eigen beheer ontwikkeld|eigen bouw|intern ontwikkeld", re.I)
_EXPR_TOKEN = re.compile(r'"([a-z0-9-]+)"')


@lru_cache(maxsize=1)
def load_algoritmekader(path: str | None = None) -> dict:
    """The shipped derived Algoritmekader file (attribution, commit, vereisten, maatregelen)."""
    with open(path or DATA, encoding="utf-8") as fh:
        return json.load(fh)


def system_profile(row: dict, *, organisation: str = "", default_role: str = "gebruiksverantwoordelijke") -> dict:
    """The Algoritmekader labels of one system (from its classification and facts), with reasons."""
    cls = row.get("ai_act_class") or "needs_review"
    is_ai = cls in _AI_CLASSES
    general = row.get("ai_act_rule") == "AIA-50.2"
    kind = ("ai-systeem-voor-algemene-doeleinden" if general else "ai-systeem") if is_ai else "algoritme"
    vendor = str(row.get("vendor") or "").strip()
    text = " ".join(str(row.get(k) or "") for k in ("description", "name"))
    roles = [default_role]
    role_why = ("de gemeente gebruikt het systeem" if default_role == "gebruiksverantwoordelijke"
                else f"rol '{default_role}' uit de configuratie")
    if (not vendor or (organisation and organisation.lower() in vendor.lower()) or _IN_HOUSE.search(text)) and is_ai:
        roles = sorted({*roles, "aanbieder"})
        role_why += "; zelf ontwikkeld of geen leverancier bekend, dus ook aanbieder (art. 25)"
    transparency = "transparantieverplichting" if cls == "transparency" else "geen-transparantieverplichting"
    risk = _RISK.get(cls, "niet-van-toepassing")
    why = [f"soort toepassing '{kind}' ({AI_ACT_CLASS_LABELS.get(cls, cls)})", f"risicogroep '{risk}'"
           + (" (nog te beoordelen: voorlopig als hoog risico behandeld)" if cls == "needs_review" else ""),
           f"rol {' en '.join(repr(r) for r in roles)} ({role_why})"]
    if is_ai:
        why.append(f"'{transparency}'")
    return {"soort-toepassing": [kind], "risicogroep": [risk], "rol-ai-act": roles,
            "transparantieverplichting": [transparency], "open-source": ["geen-open-source"],
            "systeemrisico": ["niet-van-toepassing"], "is_ai": is_ai,
            "publication_category": row.get("publication_category"), "reason": "; ".join(why)}


def _excluded(expr: str, flat: set[str]) -> bool:
    """Evaluate an Algoritmekader exception expression ('"a" && ("b" || "c")') on the profile."""
    py = _EXPR_TOKEN.sub(lambda m: str(m.group(1) in flat), expr).replace("&&", " and ").replace("||", " or ")
    if not re.fullmatch(r"[\sTrueFalsandor()]*", py):
        return False  # an expression this code does not understand never excludes
    try:
        return bool(eval(py, {"__builtins__": {}}, {}))  # noqa: S307 - only True/False/and/or/() left
    except SyntaxError:
        return False


def _requirement_applies(req: dict, profile: dict) -> tuple[bool, str]:
    labels = req["labels"]
    slug = req["slug"]
    if slug in _REGISTER_ONLY:
        ok = profile.get("publication_category") in _REGISTER_ONLY[slug]
        return ok, "publicatiecategorie " + repr(profile.get("publication_category"))
    if not profile["is_ai"]:
        if slug.startswith("aia-"):
            return False, ""
        return True, "algemene wet- en regelgeving voor alle algoritmes (geen AI-systeem: AI-verordening niet van toepassing)"
    for dim in ("soort-toepassing", "risicogroep", "rol-ai-act", "transparantieverplichting"):
        wanted = labels.get(dim) or []
        if wanted and not set(wanted) & set(profile[dim]):
            return False, ""
    flat = {f"{dim}-{v}" for dim in ("soort-toepassing", "risicogroep", "rol-ai-act", "transparantieverplichting",
                                     "open-source", "systeemrisico") for v in profile[dim]}
    for exc in labels.get("uitzondering") or []:
        if exc in flat or (("&&" in exc or "||" in exc) and _excluded(exc, flat)):
            return False, ""
    return True, "labels van het Algoritmekader passen: " + profile["reason"]


def select_items(profile: dict, kader: dict | None = None) -> list[dict]:
    """The applicable requirements, then the measures serving them, each with its reason."""
    kader = kader or load_algoritmekader()
    out, chosen = [], {}
    for req in kader["vereisten"]:
        ok, why = _requirement_applies(req, profile)
        if ok:
            chosen[req["slug"]] = req
            out.append({"item_id": req["id"], "item_kind": "vereiste", "slug": req["slug"], "title": req["title"],
                        "url": req.get("url"), "serves": None, "applicable_reason": why[0].upper() + why[1:] + "."})
    for m in kader["maatregelen"]:
        serves = [s for s in m.get("vereisten") or [] if s in chosen]
        if serves:
            out.append({"item_id": m["id"], "item_kind": "maatregel", "slug": m["slug"], "title": m["title"],
                        "url": m.get("url"), "serves": ", ".join(serves),
                        "applicable_reason": "Maatregel bij vereiste " + ", ".join(serves) + " (Algoritmekader)."})
    return out


def _profile_key(p: dict) -> tuple:
    return (tuple(p["soort-toepassing"]), tuple(p["risicogroep"]), tuple(p["rol-ai-act"]),
            tuple(p["transparantieverplichting"]), p["is_ai"],
            p.get("publication_category") in _REGISTER_ONLY["bzk-01"], p["reason"])


def system_requirements(systems: pd.DataFrame, classifications: pd.DataFrame, events: pd.DataFrame | None = None, *,
                        organisation: str = "", default_role: str = "gebruiksverantwoordelijke") -> pd.DataFrame:
    """One row per system and applicable requirement or measure (REQUIREMENT_COLUMNS), with the
    status from the ``requirement`` decisions (default 'niet gestart'). The selection is computed
    once per distinct profile, so thousands of systems cost little."""
    if systems is None or systems.empty:
        return pd.DataFrame(columns=REQUIREMENT_COLUMNS)
    kader = load_algoritmekader()
    cols = [c for c in ("system_id", "name", "vendor", "description") if c in systems.columns]
    facts = systems[cols].merge(classifications, on="system_id", how="left")
    keys, per_key = [], {}
    for row in facts.to_dict("records"):
        row = {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in row.items()}
        profile = system_profile(row, organisation=organisation, default_role=default_role)
        key = _profile_key(profile)
        if key not in per_key:
            per_key[key] = pd.DataFrame(select_items(profile, kader))
        keys.append(key)
    key_ids = {k: i for i, k in enumerate(per_key)}
    items = pd.concat([f.assign(_key=key_ids[k]) for k, f in per_key.items() if len(f)], ignore_index=True) \
        if any(len(f) for f in per_key.values()) else pd.DataFrame(columns=["_key"])
    link = pd.DataFrame({"system_id": facts["system_id"].to_numpy(), "_key": [key_ids[k] for k in keys]})
    out = link.merge(items, on="_key", how="inner").drop(columns="_key")
    out["status"] = "niet gestart"
    for c in ("owner", "evidence_link", "status_date", "status_reason", "decided_by", "decided_at"):
        out[c] = None
    if events is not None and len(events):
        state = latest_per_key(events, "requirement", "item")
        if len(state):
            out = _apply_status(out, state)
    return out.reindex(columns=REQUIREMENT_COLUMNS)


def _apply_status(out: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    """Merge the decided statuses in by (system, slug) — or by the item's URN when that was given."""
    state = state.copy()
    for col in ("status", "owner", "evidence", "date", "_reason", "_reviewer", "_at"):
        if col not in state.columns:
            state[col] = None
    out = out.copy()
    out["_slug"] = out["slug"].str.lower()
    out["_urn"] = out["item_id"].str.lower()
    by_slug = state.rename(columns={"key": "_slug"})
    by_urn = state.rename(columns={"key": "_urn"})
    take = ["status", "owner", "evidence", "date", "_reason", "_reviewer", "_at"]
    m1 = out[["system_id", "_slug"]].merge(by_slug[["system_id", "_slug", *take]], on=["system_id", "_slug"], how="left")
    m2 = out[["system_id", "_urn"]].merge(by_urn[["system_id", "_urn", *take]], on=["system_id", "_urn"], how="left")
    m = m1[take].where(m1[take].notna(), m2[take])
    m.index = out.index
    hit = m["_reviewer"].notna()
    for col, key in (("status", "status"), ("owner", "owner"), ("evidence_link", "evidence"), ("status_date", "date")):
        out[col] = out[col].where(~(hit & m[key].notna()), m[key])
    out.loc[hit, "status_reason"] = m.loc[hit, "_reason"]
    out.loc[hit, "decided_by"] = m.loc[hit, "_reviewer"]
    out.loc[hit, "decided_at"] = m.loc[hit, "_at"]
    return out.drop(columns=["_slug", "_urn"])


def requirement_progress(requirements: pd.DataFrame, systems: pd.DataFrame | None = None, by: str = "system_id") -> pd.DataFrame:
    """Progress per ``by`` (system_id, department, or None for the whole organisation): counts per
    status and the share settled (gedaan or niet van toepassing) of all items; None when there are none."""
    r = requirements
    if by not in (None, "system_id"):
        r = r.merge(systems[["system_id", by]], on="system_id", how="left")
        r[by] = r[by].fillna("(onbekend)")
    keys = [by] if by else []
    if r.empty:
        return pd.DataFrame(columns=[*keys, "items", "niet gestart", "bezig", "gedaan", "niet van toepassing", "settled_share"])
    counts = (r.assign(n=1).pivot_table(index=keys or None, columns="status", values="n", aggfunc="sum", fill_value=0)
              if keys else r["status"].value_counts().to_frame().T)
    counts = counts.reindex(columns=["niet gestart", "bezig", "gedaan", "niet van toepassing"], fill_value=0)
    counts["items"] = counts.sum(axis=1)
    counts["settled_share"] = ((counts["gedaan"] + counts["niet van toepassing"]) / counts["items"]).where(counts["items"] > 0)
    out = counts.reset_index(drop=not keys)
    out.columns.name = None
    return out[[*keys, "items", "niet gestart", "bezig", "gedaan", "niet van toepassing", "settled_share"]]
