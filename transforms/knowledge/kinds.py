"""The knowledge base's two levels: kinds of system (one purpose) and the products of each kind.

**Kinds.** Each registered entry becomes a TF-IDF vector of its name (counted twice) and its short
description/goal, over word stems (folded, hyphens dropped, first 7 letters), without stop words,
generic register words and organisation names (so "De gemeente Apeldoorn controleert …" does not
tie Apeldoorn's entries together). Entries are visited most common name first; each joins the most
similar *leader* with cosine ≥ ``KIND_MIN`` or becomes a leader itself. Leaders never grow, so a
generic word cannot chain "Signalen" to "Halt-signaleringsinstrument" to "Signaleren vogels": an
entry joins a kind only by resembling that kind's first entry as a whole, name and description.
Entries that name the same product then go to that product's most common kind (one product, one
purpose).

**Products.** Within a kind, an entry's product is its vendor (the register's provider field,
normalised, in-house and municipalities excepted), else the *product words* of its name: words that
running text never uses as ordinary words — not in any description, or written with a capital
mid-sentence ("Octobox", "Zivver", "Copilot") — and that are not organisation names, law names
(…wet) or public-sector abbreviations (Woo, AVG, BRP, WOZ …). Product keys of one kind are grouped
by leader clustering (Jaccard ≥ 0.5). Entries naming no product form the kind's "product not named"
group, so "Anonimiseren" and "Octobox Anonimiseren" share a kind but not a product.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from transforms.knowledge.organisations import municipalities
from transforms.text import fold, normalise_vendor

__all__ = ["assign_levels", "product_words", "KIND_MIN", "PRODUCT_JACCARD_MIN", "STOP_WORDS"]

KIND_MIN = 0.3
PRODUCT_JACCARD_MIN = 0.5
_STEM = 7
_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    "de het een en van voor met op in bij door naar aan te of om als dat die dit deze is zijn wordt worden "
    "kan kunnen ook niet nog wel er hier daar wat wie waar hoe we wij ons onze zij ze hun hij u uw je "
    "heeft hebben had was waren zal zullen moet moeten mag meer minder zo dan tot uit over onder tussen "
    "na al alle andere veel ander zoals bijvoorbeeld etc via per the and for of to a an is are "
    "algoritme algoritmes algorithm gemeente gemeenten gemeentelijke provincie waterschap organisatie "
    "doel software systeem tool applicatie platform module oplossing dienst diensten ai model "
    "helpt gebruikt gebruiken inzet ingezet maakt maken medewerkers medewerker".split()
)
_NOT_PRODUCTS = frozenset(
    "woo wob avg brp bag bgt woz bsn wmo ww wia wajong ggd uwv rdw ai ict api ocr rpa nha npr "
    "kvk sia pro chat versie ai versie nl nld".split()
)
_IN_HOUSE = ("intern ontwikkeld", "eigen ontwikkeling", "in house", "inhouse", "zelf ontwikkeld", "intern")


def _words(text: object) -> list[str]:
    return _WORD.findall(fold(text).replace("-", "").replace("'", ""))


def _vendor_key(provider: object) -> str:
    v = normalise_vendor(provider)
    if not v or v in ("nan", "none", "null") or v in _IN_HOUSE or v.startswith(("gemeente ", "provincie ")):
        return ""
    return v


def _org_words(organisations: pd.Series) -> frozenset[str]:
    words: set[str] = set()
    for name in list(organisations.dropna().unique()) + list(municipalities().values()):
        words.update(w for w in _words(name) if w not in ("gemeente", "provincie", "regio"))
    return frozenset(words)


def _capital_ratio(texts: list[str]) -> dict[str, float]:
    """Per folded word: the share of its mid-sentence occurrences written with a capital."""
    caps: Counter = Counter()
    total: Counter = Counter()
    for text in texts:
        for sentence in re.split(r"[.!?:;]\s+|\n", text or ""):
            raw = re.findall(r"[^\W_][\w-]*", sentence)
            for tok in raw[1:]:
                w = fold(tok).replace("-", "")
                total[w] += 1
                caps[w] += tok[:1].isupper()
    return {w: caps[w] / n for w, n in total.items()}


def product_words(name: str, cap_ratio: dict[str, float], org_words: frozenset[str]) -> frozenset[str]:
    """The words of a registered name that name a product (see module docstring)."""
    out = set()
    for w in _words(name):
        if len(w) < 3 or w.isdigit() or w in STOP_WORDS or w in _NOT_PRODUCTS or w in org_words or w.endswith("wet"):
            continue
        ratio = cap_ratio.get(w)
        if ratio is None or ratio >= 0.5:
            out.add(re.sub(r"\d+$", "", w) or w)
    return frozenset(out)


def _analyzer(org_words: frozenset[str]):
    def analyse(text: str) -> list[str]:
        return [w[:_STEM] for w in _words(text) if len(w) > 2 and not w.isdigit()
                and w not in STOP_WORDS and w not in org_words]
    return analyse


def _leaders(sim_rows, order: list[int], threshold: float) -> list[int]:
    """Leader clustering in ``order``; sim_rows(i) gives cosine similarities of i to all items."""
    leader_of = [-1] * len(order)
    leaders: list[int] = []
    for i in order:
        if leaders:
            sims = sim_rows(i)[leaders]
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                leader_of[i] = leaders[best]
                continue
        leaders.append(i)
        leader_of[i] = i
    return leader_of


def _cluster_keys(keys: list[frozenset], counts: Counter) -> dict[frozenset, frozenset]:
    order = sorted(set(keys), key=lambda k: (-counts[k], -len(k), sorted(k)))
    leaders: list[frozenset] = []
    out: dict[frozenset, frozenset] = {}
    for k in order:
        best, score = None, 0.0
        for lead in leaders:
            j = len(k & lead) / len(k | lead)
            if j >= PRODUCT_JACCARD_MIN and j > score:
                best, score = lead, j
        if best is None:
            leaders.append(k)
            best = k
        out[k] = best
    return out


def assign_levels(entries: pd.DataFrame, *, kind_min: float = KIND_MIN) -> pd.DataFrame:
    """Per entry (same index): ``kind_key`` (index of the kind's leader entry), ``product_key``
    (sorted product words or ``vendor:<key>``, '' when no product is named) and ``vendor_key``."""
    df = entries.reset_index(drop=True)
    n = len(df)
    if n == 0:
        return pd.DataFrame({"kind_key": pd.Series(dtype="int64"), "product_key": pd.Series(dtype=object),
                             "vendor_key": pd.Series(dtype=object)})
    names = df["name"].fillna("").astype(str).tolist()
    desc_col = df["description_short"] if "description_short" in df else pd.Series([""] * n)
    goal_col = df["goal"] if "goal" in df else pd.Series([""] * n)
    descs = [str(d) if isinstance(d, str) and d.strip() else (str(g) if isinstance(g, str) else "")
             for d, g in zip(desc_col.tolist(), goal_col.tolist(), strict=True)]
    org_words = _org_words(df["organisation"] if "organisation" in df else pd.Series(dtype=object))
    providers = df["provider"].tolist() if "provider" in df else [None] * n
    vendors = [_vendor_key(p) for p in providers]
    vec = TfidfVectorizer(analyzer=_analyzer(org_words), sublinear_tf=True, dtype=np.float32)
    docs = [f"{nm} {nm} {ds}" for nm, ds in zip(names, descs, strict=True)]
    try:
        x = vec.fit_transform(docs)
    except ValueError:  # nothing but stop words
        x = None
    name_counts = Counter(fold(nm) for nm in names)
    order = sorted(range(n), key=lambda i: (-name_counts[fold(names[i])], fold(names[i]), -len(descs[i]), i))
    if x is None:
        kind_of = [i for i in range(n)]
    else:
        xt = x.T.tocsc()
        kind_of = _leaders(lambda i: np.asarray((x[i] @ xt).todense()).ravel(), order, kind_min)
    # products
    caps = _capital_ratio(descs)
    raw_keys = [frozenset([f"vendor:{v}"]) if v else product_words(nm, caps, org_words | frozenset(v.split()))
                for nm, v in zip(names, vendors, strict=True)]
    # a vendor that is also a product word elsewhere ("Octobox" by provider and by name) is one product
    vendor_words = {v: frozenset(v.split()) for v in set(vendors) if v}
    keys = [frozenset(vendor_words[next(iter(k))[7:]]) if len(k) == 1 and next(iter(k)).startswith("vendor:") else k
            for k in raw_keys]
    key_counts = Counter(k for k in keys if k)
    mapping = _cluster_keys([k for k in keys if k], key_counts)
    product = [" ".join(sorted(mapping[k])) if k else "" for k in keys]
    # one product, one purpose: named products go to their most common kind
    kinds_of_product: dict[str, Counter] = defaultdict(Counter)
    for i, p in enumerate(product):
        if p:
            kinds_of_product[p][kind_of[i]] += 1
    for i, p in enumerate(product):
        if p:
            kind_of[i] = sorted(kinds_of_product[p].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return pd.DataFrame({"kind_key": kind_of, "product_key": product, "vendor_key": vendors}, index=entries.index)
