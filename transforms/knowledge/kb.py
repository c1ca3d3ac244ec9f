"""The knowledge base: what peer organisations register, in two levels.

* **kinds** (``kb_kinds``): systems for one purpose (document anonymisation, secure e-mail, parking
  scan cars, face comparison at the counter …), grouped on name and description without chaining
  generic words (``transforms.knowledge.kinds``). Detection draws on the kind: "37 organisaties
  registreren anonimiseringssoftware".
* **products** (``kb_products``): within a kind, one product per vendor or named product (Octobox,
  DataMask; Zivver, SmartLockr …), plus one "product not named" group per kind. The peer comparison
  draws on the product.

``product_id`` = ``KB-`` + 8 hex of sha1(kind's representative name | product key) and ``kind_id`` =
``KIND-`` + 8 hex of sha1(the kind's representative name, its most common registered name): stable
for the same data, whatever the order of the entries. ``match_keys`` are the
folded registered names (also without the vendor's name); keys of generic words only or shorter than
4 characters are left out. A vendor is a provider as registered, never "nan".
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

import pandas as pd

from transforms.knowledge.kinds import assign_levels
from transforms.text import fold, tokens

__all__ = ["build_kb", "build_kb_levels", "kb_summary", "name_stems", "KB_COLUMNS", "KIND_COLUMNS", "GENERIC_WORDS"]

KB_COLUMNS = [
    "product_id", "name", "vendor", "vendor_norm", "names", "match_keys", "org_count", "organisations",
    "categories", "publication_categories", "impact_assessments", "entry_count", "kind_id", "kind_name",
]
KIND_COLUMNS = ["kind_id", "name", "terms", "names", "products", "product_ids", "org_count", "organisations",
                "entry_count"]
GENERIC_WORDS = frozenset(
    "software algoritme algoritmes algorithm gemeente gemeentelijke module modules systeem systemen "
    "tool tools applicatie applicaties platform oplossing dienst diensten de het een van voor en met "
    "op in bij door naar aan te of the and for of ai model".split()
)
_GENERIC_TAILS = ("software", "systeem", "applicatie", "platform", "module", "tool", "algoritme")
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


def _ranked(values) -> list[str]:
    counts = Counter(v for v in values if isinstance(v, str) and v)  # NULLs come back from DuckDB as NaN
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _as_list(value: object) -> list:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _clean(value: object) -> str | None:
    """Provider text as registered, or None for empty/NaN/'nan'."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return None if not text or text.lower() in ("nan", "none", "null") else text


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def build_kb_levels(peer_entries: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(kb_kinds, kb_products, levels)``; levels has, per entry (same order), kind_id and product_id."""
    if peer_entries is None or len(peer_entries) == 0:
        return _empty(KIND_COLUMNS), _empty(KB_COLUMNS), pd.DataFrame(columns=["kind_id", "product_id"])
    df = peer_entries.reset_index(drop=True)
    levels = assign_levels(df)
    names = df["name"].fillna("").astype(str).str.strip().tolist()
    keep = [bool(n) for n in names]
    providers = [_clean(p) for p in (df["provider"].tolist() if "provider" in df else [None] * len(df))]
    org_keys = [(c if isinstance(c, str) and c else o) for c, o in
                zip(df.get("org_code", pd.Series([None] * len(df))).tolist(), df["organisation"].tolist(), strict=True)]
    n = len(df)
    cols = {c: (df[c].tolist() if c in df else [None] * n)
            for c in ("organisation", "categories", "publication_category", "impact_assessments")}
    product_keys = levels["product_key"].tolist()
    vendor_keys = levels["vendor_key"].tolist()
    kinds: dict[int, list[int]] = defaultdict(list)
    for i, k in enumerate(levels["kind_key"].tolist()):
        if keep[i]:
            kinds[k].append(i)
    kind_rows, product_rows = [], []
    kind_id_of: dict[int, str] = {}
    product_id_of: dict[int, str] = {}
    for members in kinds.values():
        kind_name = _representative([names[m] for m in members])
        kind_id = "KIND-" + hashlib.sha1(fold(kind_name).encode("utf-8")).hexdigest()[:8]
        by_product: dict[str, list[int]] = defaultdict(list)
        for m in members:
            by_product[product_keys[m]].append(m)
        prods = []
        for key, pm in sorted(by_product.items()):
            row = _product(cols, sorted(pm), vendor_keys, providers, org_keys, names)
            row["product_id"] = "KB-" + hashlib.sha1(f"{fold(kind_name)}|{key}".encode("utf-8")).hexdigest()[:8]
            row["kind_id"], row["kind_name"] = kind_id, kind_name
            product_rows.append(row)
            prods.append((key, row))
            for m in pm:
                product_id_of[m] = row["product_id"]
        for m in members:
            kind_id_of[m] = kind_id
        named = sorted((r for k, r in prods if k), key=lambda r: (-r["org_count"], r["name"]))
        kind_rows.append({
            "kind_id": kind_id, "name": kind_name, "terms": _terms([names[m] for m in members]),
            "names": _ranked([names[m] for m in members]), "products": [r["vendor"] or r["name"] for r in named],
            "product_ids": [r["product_id"] for r in named],
            "org_count": len({org_keys[m] for m in members if org_keys[m]}),
            "organisations": sorted({str(cols["organisation"][m]) for m in members if cols["organisation"][m]}),
            "entry_count": len(members),
        })
    kb = _frame(product_rows, KB_COLUMNS, ["org_count", "entry_count"], "product_id")
    kk = _frame(kind_rows, KIND_COLUMNS, ["org_count", "entry_count"], "kind_id")
    per_entry = pd.DataFrame({"kind_id": [kind_id_of.get(i) for i in range(len(df))],
                              "product_id": [product_id_of.get(i) for i in range(len(df))]})
    return kk, kb, per_entry


def _frame(rows: list[dict], columns: list[str], ints: list[str], id_col: str) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns, dtype=object)
    for c in ints:
        out[c] = out[c].astype("int64")
    out = out.sort_values(["org_count", "entry_count", id_col], ascending=[False, False, True], kind="stable")
    dup = out.groupby(id_col).cumcount()
    out.loc[dup > 0, id_col] = out[id_col] + "-" + dup.astype(str)
    return out.reset_index(drop=True)


def _representative(names: list[str]) -> str:
    counts = Counter(names)
    top = max(counts.values())
    return sorted((n for n, c in counts.items() if c == top), key=lambda n: (len(n), n))[0]


def _terms(names: list[str]) -> list[str]:
    counts: Counter = Counter()
    for n, times in Counter(names).items():
        for stem in set(name_stems(n)):
            counts[stem] += times
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:6]


def build_kb(peer_entries: pd.DataFrame) -> pd.DataFrame:
    """The ``kb_products`` table (products within kinds; see the module docstring)."""
    return build_kb_levels(peer_entries)[1]


def _product(cols: dict[str, list], members, vendors, providers, org_keys, names) -> dict:
    vendor_norm = _ranked([vendors[m] for m in members])
    vendor_norm = vendor_norm[0] if vendor_norm else ""
    registered = _ranked([names[m] for m in members])
    rep = _representative([names[m] for m in members])
    vendor_as_written = _ranked([providers[m] for m in members if vendors[m] == vendor_norm and providers[m]])
    match_keys: list[str] = []
    vendor_tokens = set(vendor_norm.split())
    for n in registered:
        for cand in (fold(n), " ".join(t for t in tokens(n) if t not in vendor_tokens)):
            if len(cand) >= 4 and cand not in match_keys and not set(cand.split()) <= GENERIC_WORDS:
                match_keys.append(cand)
    orgs = sorted({str(cols["organisation"][m]) for m in members if cols["organisation"][m]})
    return {
        "product_id": None,
        "name": rep,
        "vendor": vendor_as_written[0] if (vendor_norm and vendor_as_written) else None,
        "vendor_norm": vendor_norm or None,
        "names": registered,
        "match_keys": match_keys,
        "org_count": len({org_keys[m] for m in members if org_keys[m]}),
        "organisations": orgs,
        "categories": _ranked([c for m in members for c in _as_list(cols["categories"][m])]),
        "publication_categories": _ranked([cols["publication_category"][m] for m in members]),
        "impact_assessments": _ranked([a for m in members for a in _as_list(cols["impact_assessments"][m])]),
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
            "kind_id": r.get("kind_id"), "kind_name": r.get("kind_name"),
        })
    return out
