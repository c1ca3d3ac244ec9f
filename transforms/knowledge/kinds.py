"""The knowledge base's two levels: kinds of system (one purpose) and the products of each kind.

**Kinds.** Per pair of entries, the similarity of their names (TF-IDF over character 3–5-grams of
the name without stop words and organisation names: "anonimiseren" meets "anonimiseringstool") and
of their words (TF-IDF over light stems of name and short description/goal, compounds kept whole,
without stop words, generic register words and organisation names, so "De gemeente Apeldoorn
controleert …" does not tie Apeldoorn's entries together). The name resemblance counts only as far as
the descriptions share words (``DESC_GATE``), so "Signalen" (reports about the public space) does
not meet "Signaleren vogels" through its first letters. The weighted sum (``NAME_WEIGHT``) is
clustered with *average linkage* down to ``KIND_MIN``: two groups join only when their entries
resemble each other on average, never through one shared word, so "Parkeercontrole" does not
swallow "Parkeervergunning" and "Parkeerdruk". Entries that name the same product then go to that
product's most common kind (one product, one purpose).

**Products.** Within a kind, an entry's product is its vendor (the register's provider field,
normalised, in-house and municipalities excepted), else the *product words* of its name: words that
running text writes with a capital mid-sentence ("Octobox", "Copilot"), or that no description uses
and that look like a name (the whole name "Zivver", an inner capital "DataMask", an abbreviation,
a capital inside a name not in title case "Chatbot Guus") — and that are not organisation names, law names
(…wet) or public-sector abbreviations (Woo, AVG, BRP, WOZ …). Product keys of one kind are grouped
by leader clustering (Jaccard ≥ 0.5). Entries naming no product form the kind's "product not named"
group, so "Anonimiseren" and "Octobox Anonimiseren" share a kind but not a product.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from transforms.knowledge.organisations import municipalities
from transforms.text import fold, fold_series, normalise_vendor

__all__ = ["assign_levels", "product_words", "KIND_MIN", "PRODUCT_JACCARD_MIN", "STOP_WORDS"]

KIND_MIN = 0.10
NAME_WEIGHT = 0.4
DESC_GATE = 0.05
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


def _capital_ratio(texts: list[str]) -> dict:
    """Per folded word: the share of its mid-sentence occurrences written with a capital."""
    caps: Counter = Counter()
    total: Counter = Counter()
    folded: dict[str, str] = {}
    for text, times in Counter(texts).items():  # a template used by many organisations is read once
        for sentence in re.split(r"[.!?:;]\s+|\n", text or ""):
            raw = re.findall(r"[^\W_][\w-]*", sentence)
            for tok in raw[1:]:
                w = folded.get(tok)
                if w is None:
                    w = folded[tok] = fold(tok).replace("-", "")
                total[w] += times
                caps[w] += times * tok[:1].isupper()
    out = {w: caps[w] / n for w, n in total.items()}
    stem_caps: Counter = Counter()
    stem_total: Counter = Counter()
    for w, n in total.items():
        stem_caps["~" + w[:_STEM]] += caps[w]
        stem_total["~" + w[:_STEM]] += n
    out.update({s: stem_caps[s] / n for s, n in stem_total.items() if len(s) > _STEM})
    out[""] = frozenset(w for w, n in total.items() if len(w) >= 3 and caps[w] / n < 0.5)  # ordinary words
    return out


def _compound(word: str, vocab: frozenset[str], depth: int = 0) -> bool:
    """True when ``word`` is made of ordinary words ("kentekencamerahandhaving", "houtopstand")."""
    if word in vocab or any((word.endswith(x) and word[: -len(x)] in vocab) or word + x in vocab
                            for x in ("en", "e", "s", "n")):
        return depth > 0 or word in vocab
    if depth >= 3:
        return False
    for i in range(3, len(word) - 2):
        head, rest = word[:i], word[i:]
        if head in vocab:
            if _compound(rest, vocab, depth + 1) or (rest[:1] == "s" and _compound(rest[1:], vocab, depth + 1)):
                return True
    return False


def _brand_like(raw: str, position: int, raw_words: list[str]) -> bool:
    """A word no description uses looks like a name: the whole name or its first word ("Zivver",
    "Datamask anonimiseringstool"), an inner capital ("DataMask", "iBurgerzaken"), an abbreviation
    ("SCIL"), or a capital inside a name not written in title case ("Chatbot Guus")."""
    if len(raw_words) == 1 or position == 0:
        return raw[:1].isalpha()
    if re.search(r"[a-z][A-Z]", raw) or (raw.isupper() and len(raw) >= 3):
        return True
    long_words = [w for w in raw_words if len(w) > 3]
    title_case = all(w[:1].isupper() for w in long_words)
    return raw[:1].isupper() and not title_case


def product_words(name: str, cap_ratio: dict[str, float], org_words: frozenset[str]) -> frozenset[str]:
    """The words of a registered name that name a product (see module docstring)."""
    vocab = cap_ratio.get("", frozenset())
    out = set()
    raw_words = re.findall(r"[^\W_][\w'-]*", str(name or ""))
    for pos, raw in enumerate(raw_words):
        w = re.sub(r"\d+$", "", fold(raw).replace("-", "").replace("'", ""))
        if len(w) < 3 or not w.isalnum() or w in STOP_WORDS or w in _NOT_PRODUCTS or w in org_words or w.endswith("wet"):
            continue
        ratio = cap_ratio.get(w)
        if ratio is None:
            unseen = not _compound(w, vocab) and cap_ratio.get("~" + w[:_STEM], 1.0) >= 0.5
            if unseen and _brand_like(raw, pos, raw_words):
                out.add(w)
        elif ratio >= 0.5:
            out.add(w)
    return frozenset(out)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A light Dutch stem: plural and -ing endings off ("meldingen" -> "meld", "signalen" -> "signal"),
    compounds kept whole so "parkeercontrole" stays apart from "parkeervergunning"."""
    for suffix in ("ingen", "ing", "en", "e", "s"):
        if len(word) - len(suffix) >= 5 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _analyzer(org_words: frozenset[str]):
    """Word stems of an already folded text (see :func:`_folded`)."""
    def analyse(text: str) -> list[str]:
        return [_stem(w) for w in _WORD.findall(text) if len(w) > 2 and not w.isdigit()
                and w not in STOP_WORDS and w not in org_words]
    return analyse


def _folded(texts: list[str]) -> list[str]:
    """Vectorised fold, hyphens and apostrophes dropped (as :func:`_words` does per text)."""
    s = fold_series(pd.Series(texts, dtype="object"))
    return s.str.replace("-", "", regex=False).str.replace("'", "", regex=False).tolist()


def _tfidf(docs: list[str], rows: list[int], weight: np.ndarray, **kwargs) -> np.ndarray:
    """Cosine similarities of the distinct documents ``docs[rows]``, each standing for ``weight``
    identical documents: the TF-IDF of all documents (smooth idf, sublinear tf, l2), computed once
    per distinct text. Zero for documents without features."""
    try:
        counts = CountVectorizer(dtype=np.float32, **kwargs).fit_transform([docs[i] for i in rows])
    except ValueError:  # no features at all
        return np.zeros((len(rows), len(rows)), dtype=np.float32)
    df = np.asarray((counts > 0).T.astype(np.float64) @ weight.astype(np.float64)).ravel()
    idf = np.log((1.0 + weight.sum()) / (1.0 + df)) + 1.0
    x = counts.tocsr()
    x.data = 1.0 + np.log(x.data)
    x = normalize(x @ sparse.diags(idf.astype(np.float32)), norm="l2")
    return (x @ x.T).toarray().astype(np.float32, copy=False)


def _average_linkage(sim: np.ndarray, weight: np.ndarray, threshold: float) -> list[int]:
    """Average-linkage (UPGMA) clusters of weighted items down to ``threshold`` similarity.

    Nearest-neighbour chain with Lance-Williams updates: an item of weight k counts as k identical
    entries, so clustering the distinct registrations gives the clusters of all of them. A
    reciprocal-nearest pair below the threshold is final (average linkage is reducible: nothing
    that joins either of them later can come closer). Returns per item the index of its cluster's
    representative item.
    """
    m = len(sim)
    sim = sim.astype(np.float64, copy=True)
    np.fill_diagonal(sim, -np.inf)
    size = weight.astype(np.float64, copy=True)
    active = np.ones(m, dtype=bool)
    parent = list(range(m))
    chain: list[int] = []
    remaining = m
    while remaining > 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        a = chain[-1]
        row = sim[a]  # inactive items and the diagonal hold -inf
        b = int(np.argmax(row))
        if len(chain) > 1 and row[chain[-2]] >= row[b]:
            b = chain[-2]
        if len(chain) < 2 or b != chain[-2]:
            chain.append(b)
            continue
        chain.pop()
        chain.pop()
        if row[b] < threshold:  # both are final clusters
            active[a] = active[b] = False
            sim[:, a] = -np.inf
            sim[:, b] = -np.inf
            remaining -= 2
            continue
        merged = (size[a] * sim[a] + size[b] * sim[b]) / (size[a] + size[b])
        sim[a, :] = merged
        sim[:, a] = merged
        sim[a, a] = -np.inf
        size[a] += size[b]
        active[b] = False
        sim[b, :] = -np.inf
        sim[:, b] = -np.inf
        parent[b] = a
        remaining -= 1
    out = []
    for i in range(m):
        r = i
        while parent[r] != r:
            r = parent[r]
        out.append(r)
    return out


def _kinds(names: list[str], descs: list[str], org_words: frozenset[str], kind_min: float) -> list[int]:
    """Average-linkage clusters of the entries; returns per entry the index of its kind's first entry.

    Identical registrations (one vendor template used by many organisations) are clustered once,
    with their count as weight: the same clusters, in memory and time of the distinct texts.
    """
    n = len(names)
    if n == 1:
        return [0]
    f_names, f_descs = _folded(names), _folded(descs)
    distinct: dict[tuple[str, str], int] = {}
    position = [distinct.setdefault(pair, len(distinct)) for pair in zip(f_names, f_descs, strict=True)]
    firsts = [0] * len(distinct)
    for i in range(n - 1, -1, -1):
        firsts[position[i]] = i
    weight = np.bincount(position, minlength=len(distinct))
    words = _analyzer(org_words)
    clean = [" ".join(w for w in _WORD.findall(nm) if w not in STOP_WORDS and w not in org_words and not w.isdigit())
             for nm in f_names]
    name_sim = _tfidf(clean, firsts, weight, analyzer="char_wb", ngram_range=(3, 5))
    text_sim = _tfidf([f"{nm} {ds}" for nm, ds in zip(f_names, f_descs, strict=True)], firsts, weight,
                      analyzer=words)
    # a name resemblance counts only as far as the descriptions agree ("Signalen" / "Signaleren vogels")
    gate = _tfidf(f_descs, firsts, weight, analyzer=words)
    gate /= DESC_GATE
    np.clip(gate, 0.0, 1.0, out=gate)
    described = np.array([bool(descs[i].strip()) for i in firsts])
    gate[~described, :] = 1.0
    gate[:, ~described] = 1.0
    name_sim *= gate  # in place, float32: these m × m matrices are the whole memory cost
    del gate
    name_sim *= NAME_WEIGHT
    text_sim *= 1 - NAME_WEIGHT
    name_sim += text_sim
    del text_sim
    rep = _average_linkage(name_sim, weight, kind_min)
    return [firsts[rep[position[i]]] for i in range(n)]


def _cluster_keys(keys: list[frozenset], counts: Counter) -> dict[frozenset, frozenset]:
    order = sorted(set(keys), key=lambda k: (-len(k), -counts[k], sorted(k)))  # specific keys lead
    leaders: list[frozenset] = []
    out: dict[frozenset, frozenset] = {}
    for k in order:
        best, score = None, 0.0
        for lead in leaders:
            j = len(k & lead) / len(k | lead)
            if j >= PRODUCT_JACCARD_MIN and (j > score or (j == score and counts[lead] > counts[best])):
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
    vendor_of = {p: _vendor_key(p) for p in set(map(str, providers))}
    vendors = [vendor_of[str(p)] for p in providers]
    kind_of = _kinds(names, descs, org_words, kind_min)
    # products
    caps = _capital_ratio(descs)
    words_of: dict[str, frozenset[str]] = {}
    for nm, v in zip(names, vendors, strict=True):
        if not v and nm not in words_of:
            words_of[nm] = product_words(nm, caps, org_words)
    raw_keys = [frozenset([f"vendor:{v}"]) if v else words_of[nm] for nm, v in zip(names, vendors, strict=True)]
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
