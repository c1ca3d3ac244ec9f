"""The knowledge base: products that peer organisations register as algorithms.

Grouping rule (deterministic and explainable):

1. Each peer entry gets a vendor key ``normalise_vendor(provider)`` (empty for in-house or unknown)
   and a set of *name stems*: the folded name's word tokens, without generic words (software,
   algoritme, gemeente, module, …), without the vendor's own name, with generic tails cut off
   compounds ("anonimiseringssoftware" → "anonimiserings"), each cut to its first 7 letters
   ("anonimiseren" and "anonimiserings" both → "anonimi"). A name of generic words only keeps its
   folded name as its one stem.
2. Entries of the same vendor whose stem sets overlap by at least half (Jaccard ≥ 0.5) with a
   product's leading stem set (the most frequent one) form one product; entries without a vendor are grouped the same way among themselves, and a vendorless
   group joins the one vendor product whose stems it matches best (Jaccard ≥ 0.5, ties: most
   organisations, then vendor name).
3. ``product_id`` = ``KB-`` + 8 hex of sha1(vendor key | most common stem set): stable for the same
   data.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

import pandas as pd

from transforms.text import fold, normalise_vendor, tokens

__all__ = ["build_kb", "kb_summary", "name_stems", "KB_COLUMNS", "GENERIC_WORDS", "JACCARD_MIN"]

KB_COLUMNS = [
    "product_id", "name", "vendor", "vendor_norm", "names", "match_keys", "org_count", "organisations",
    "categories", "publication_categories", "impact_assessments", "entry_count",
]
GENERIC_WORDS = frozenset(
    "software algoritme algoritmes algorithm gemeente gemeentelijke module modules systeem systemen "
    "tool tools applicatie applicaties platform oplossing dienst diensten de het een van voor en met "
    "op in bij door naar aan te of the and for of ai model".split()
)
_GENERIC_TAILS = ("software", "systeem", "applicatie", "platform", "module", "tool", "algoritme")
_IN_HOUSE = ("intern ontwikkeld", "eigen ontwikkeling", "in house", "inhouse", "zelf ontwikkeld", "intern")
JACCARD_MIN = 0.5
_STEM_LEN = 7
_CLEAN = re.compile(r"\d+")


def name_stems(name: str, vendor_norm: str = "") -> tuple[str, ...]:
    """Sorted distinct stems of a registered name (see module docstring, rule 1)."""
    vendor_tokens = set(vendor_norm.split())
    stems = set()
    for tok in tokens(_CLEAN.sub(" ", name or "")):
        if len(tok) < 3 or tok in GENERIC_WORDS or tok in vendor_tokens:
            continue
        for tail in _GENERIC_TAILS:
            if tok.endswith(tail) and len(tok) > len(tail) + 3:
                tok = tok[: -len(tail)]
                break
        stems.add(tok[:_STEM_LEN])
    if not stems:
        folded = fold(name)
        return (folded,) if folded else ()
    return tuple(sorted(stems))


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _cluster(stem_sets: list[frozenset]) -> list[int]:
    """Leader clustering: each distinct stem set joins the best earlier leader (Jaccard ≥ JACCARD_MIN).

    Distinct sets are visited most frequent first, then more specific (more stems) first, then
    alphabetically; leaders never grow, so one short name cannot chain unrelated products together.
    Returns, per input position, the position of its leader's first occurrence.
    """
    counts = Counter(stem_sets)
    first: dict[frozenset, int] = {}
    for i, s in enumerate(stem_sets):
        first.setdefault(s, i)
    order = sorted(counts, key=lambda s: (-counts[s], -len(s), sorted(s)))
    leaders: list[frozenset] = []
    index: dict[str, list[int]] = defaultdict(list)
    leader_of: dict[frozenset, frozenset] = {}
    for s in order:
        best, best_score = None, 0.0
        for li in sorted({li for stem in s for li in index.get(stem, [])}):
            score = _jaccard(s, leaders[li])
            if score >= JACCARD_MIN and score > best_score:
                best, best_score = li, score
        if best is None:
            leaders.append(s)
            for stem in s:
                index[stem].append(len(leaders) - 1)
            leader_of[s] = s
        else:
            leader_of[s] = leaders[best]
    return [first[leader_of[s]] for s in stem_sets]


def _vendor_key(provider: object) -> str:
    v = normalise_vendor(provider)
    return "" if not v or v in _IN_HOUSE or v.startswith("gemeente ") else v


def _ranked(values) -> list[str]:
    counts = Counter(v for v in values if isinstance(v, str) and v)  # NULLs come back from DuckDB as NaN
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _as_list(value: object) -> list:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    return list(value) if isinstance(value, (list, tuple)) else [value]


def build_kb(peer_entries: pd.DataFrame) -> pd.DataFrame:
    """Group peer register entries into products (the ``kb_products`` table)."""
    if peer_entries is None or len(peer_entries) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in KB_COLUMNS})
    df = peer_entries.reset_index(drop=True)
    names = df["name"].fillna("").astype(str).tolist()
    providers = df["provider"].tolist() if "provider" in df else [None] * len(df)
    vendors = [_vendor_key(p) for p in providers]
    stems = [frozenset(name_stems(n, v)) for n, v in zip(names, vendors, strict=True)]
    keep = [bool(s) for s in stems]
    # 1. cluster per vendor key (vendorless entries form their own pool)
    group_of = [-1] * len(df)
    by_vendor: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(vendors):
        if keep[i]:
            by_vendor[v].append(i)
    for members in by_vendor.values():
        roots = _cluster([stems[i] for i in members])
        for m, r in zip(members, roots, strict=True):
            group_of[m] = members[r]
    # 2. attach vendorless groups to the best-matching vendor group
    groups: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(group_of):
        if g >= 0:
            groups[g].append(i)
    org_keys = [(c or o) for c, o in zip(df.get("org_code", pd.Series([None] * len(df))).tolist(), df["organisation"].tolist(), strict=True)]

    def stem_union(members: list[int]) -> frozenset:
        return frozenset(_ranked([s for m in members for s in stems[m]])[:6])

    vendor_groups = [(g, m) for g, m in groups.items() if vendors[g]]
    stem_index: dict[str, list[int]] = defaultdict(list)
    for g, members in vendor_groups:
        for s in stem_union(members):
            stem_index[s].append(g)
    for g in sorted(g for g in groups if not vendors[g]):
        members = groups[g]
        mine = stem_union(members)
        cands = {c for s in mine for c in stem_index.get(s, [])}
        scored = []
        for c in cands:
            score = _jaccard(mine, stem_union(groups[c]))
            if score >= JACCARD_MIN:
                scored.append((-score, -len({org_keys[m] for m in groups[c]}), vendors[c], c))
        if scored:
            target = sorted(scored)[0][3]
            groups[target].extend(members)
            del groups[g]
    rows = [_product(df, sorted(members), vendors, stems, providers, org_keys) for members in groups.values()]
    kb = pd.DataFrame(rows, columns=KB_COLUMNS, dtype=object)
    kb["org_count"] = kb["org_count"].astype("int64")
    kb["entry_count"] = kb["entry_count"].astype("int64")
    kb = kb.sort_values(["org_count", "entry_count", "product_id"], ascending=[False, False, True], kind="stable")
    dup = kb.groupby("product_id").cumcount()
    kb.loc[dup > 0, "product_id"] = kb["product_id"] + "-" + dup.astype(str)
    return kb.reset_index(drop=True)


def _product(df, members, vendors, stems, providers, org_keys) -> dict:
    vendor_norm = _ranked([vendors[m] for m in members])
    vendor_norm = vendor_norm[0] if vendor_norm else ""
    stem_sets = _ranked([" ".join(sorted(stems[m])) for m in members])
    key = f"{vendor_norm}|{stem_sets[0]}"
    registered = _ranked([str(df.at[m, "name"]).strip() for m in members])
    counts = Counter(str(df.at[m, "name"]).strip() for m in members)
    top = max(counts.values())
    rep = sorted((n for n, c in counts.items() if c == top), key=lambda n: (len(n), n))[0]
    vendor_as_written = _ranked([str(providers[m]).strip() for m in members if vendors[m] == vendor_norm and providers[m]])
    match_keys: list[str] = []
    vendor_tokens = set(vendor_norm.split())
    for n in registered:
        for cand in (fold(n), " ".join(t for t in tokens(n) if t not in vendor_tokens)):
            if len(cand) >= 4 and cand not in match_keys and not set(cand.split()) <= GENERIC_WORDS:
                match_keys.append(cand)
    orgs = sorted({str(df.at[m, "organisation"]) for m in members if df.at[m, "organisation"]})
    return {
        "product_id": "KB-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8],
        "name": rep,
        "vendor": vendor_as_written[0] if vendor_as_written else None,
        "vendor_norm": vendor_norm or None,
        "names": registered,
        "match_keys": match_keys,
        "org_count": len({org_keys[m] for m in members if org_keys[m]}),
        "organisations": orgs,
        "categories": _ranked([c for m in members for c in _as_list(df.at[m, "categories"])]),
        "publication_categories": _ranked([df.at[m, "publication_category"] for m in members]
                                          if "publication_category" in df else []),
        "impact_assessments": _ranked([a for m in members for a in _as_list(df.at[m, "impact_assessments"])]),
        "entry_count": len(members),
    }


def kb_summary(kb: pd.DataFrame, limit: int = 20) -> list[dict]:
    """The most widely registered products, for display as asset metadata."""
    out = []
    for r in kb.head(limit).to_dict("records"):
        out.append({
            "product_id": r["product_id"], "name": r["name"], "vendor": r["vendor"],
            "org_count": int(r["org_count"]), "entry_count": int(r["entry_count"]),
            "names": list(r["names"])[:3], "categories": list(r["categories"])[:3],
        })
    return out
