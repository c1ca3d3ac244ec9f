"""Cross-source evidence: a mention borrows evidence from strong candidates elsewhere in the same
municipality's sources.

Two kinds of evidence, both of signal kind ``cross_source``, computed from the *own* scores of a
first scoring pass (no chaining: borrowed evidence is never lent on):

- **vendor** (detail ``vendor:<name>``): the mention's supplier — the same company by KvK number, by
  normalised name, or by an unambiguous abbreviation ("MHT B.V." for "Mobiele Handhaving Techniek")
  — supplies a strong candidate in *another* source (an application with AI features, a survey
  answer declaring AI, a tender for an AI system). The weight scales with the share of that
  supplier's other records that are candidates, so a big general IT supplier with many non-AI
  invoice lines lends nothing.
- **product** (detail ``product:<name>``): the mention names an application or product (a short
  name from a portfolio or survey, "Vera") that is also named by a strong candidate in another
  source; the weight scales with the share of the records naming it that are candidates.

Everything works on distinct texts and integer group codes (see docs/detection.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from transforms.detect.sources import IN_HOUSE, NO_SYSTEM, lookup_titles
from transforms.detect.texts import text_column
from transforms.detect.vocabulary import Vocabulary
from transforms.text import factorize_text

__all__ = ["cross_source_signals", "vendor_groups", "SOURCE_LABELS"]

_COLUMNS = ["source_key", "kind", "detail", "weight", "reason"]
SOURCE_LABELS = {"spend_ledger": "crediteurenadministratie", "tenderned": "TenderNed", "ted": "TED",
                 "application_portfolio": "applicatieportfolio", "survey": "uitvraag"}
# the example named in a reason: an application or tender title reads better than an invoice line
_EXAMPLE_RANK = {"application_portfolio": 0, "tenderned": 1, "ted": 1, "survey": 2, "spend_ledger": 3}
_STOPWORDS = {"en", "van", "de", "der", "den", "het", "voor", "of", "the", "and", "t", "s"}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "weight" else "object") for c in _COLUMNS})


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _initials(name: str) -> set[str]:
    words = name.split(" ")
    out = {"".join(w[0] for w in words)}
    content = [w for w in words if w not in _STOPWORDS]
    if len(content) >= 2:
        out.add("".join(w[0] for w in content))
    return out


def _clean_codes(values: pd.Series, clean) -> np.ndarray:
    """Integer code per value (-1: empty or unusable after ``clean``), cleaning each distinct value once."""
    codes, uniques = factorize_text(values)
    cleaned = [clean(u) for u in uniques.tolist()]
    index = {}
    ucode = np.array([index.setdefault(c, len(index)) if c else -1 for c in cleaned] + [-1], dtype=np.int64)
    return ucode[codes], list(index)


def _usable_vendor(name: object) -> str:
    name = str(name or "")
    return "" if name in NO_SYSTEM or IN_HOUSE.search(name) else name


def _usable_kvk(number: object) -> str:
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return digits if len(digits) >= 6 else ""


def vendor_groups(vendor_norm: pd.Series, kvk: pd.Series) -> tuple[np.ndarray, dict[str, str]]:
    """One supplier group code per mention (-1: no usable supplier) and the abbreviations resolved.

    Names (spaced normalised vendor names) and KvK numbers that occur together are one supplier; a
    one-word name of 3-5 letters joins the multi-word name whose initials it is ("mht" ->
    "mobiele handhaving techniek"), only when exactly one supplier has those initials and their KvK
    numbers do not differ. Unknown ("weet ik niet") and in-house suppliers get no group.
    Returns (codes, {abbreviation: full name}). Works on distinct (name, KvK) pairs.
    """
    vc, names = _clean_codes(vendor_norm, _usable_vendor)
    kc, numbers = _clean_codes(kvk, _usable_kvk)
    width = len(numbers) + 1
    pair_ids, inverse = np.unique((vc + 1) * width + (kc + 1), return_inverse=True)
    pv, pk = pair_ids // width - 1, pair_ids % width - 1
    # nodes: names 0..n-1, KvK numbers n..n+k-1; a (name, number) pair is an edge
    n_names = len(names)
    both = (pv >= 0) & (pk >= 0)
    graph = sparse.coo_matrix((np.ones(int(both.sum()), dtype=np.int8), (pv[both], n_names + pk[both])),
                              shape=(n_names + len(numbers),) * 2)
    component = connected_components(graph, directed=False)[1]
    kvks: dict[str, set] = {}
    for v, k in zip(pv[both].tolist(), pk[both].tolist(), strict=True):
        kvks.setdefault(names[v], set()).add(numbers[k])
    by_initials: dict[str, set] = {}
    for name in names:
        if " " in name:
            for ini in _initials(name):
                by_initials.setdefault(ini, set()).add(name)
    index = {name: i for i, name in enumerate(names)}
    uf = _UnionFind()  # over components: the abbreviations join them one by one
    aliases: dict[str, str] = {}
    for name in names:
        if " " in name or not (3 <= len(name) <= 5) or not name.isalpha() or name not in by_initials:
            continue
        fulls = by_initials[name]
        if len({uf.find(int(component[index[f]])) for f in fulls}) != 1:
            continue  # ambiguous abbreviation: leave it alone
        mine, theirs = kvks.get(name, set()), set().union(*(kvks.get(f, set()) for f in fulls))
        if mine and theirs and not (mine & theirs):
            continue  # different companies by KvK number
        full = min(fulls, key=lambda f: (-len(f), f))  # the most complete spelling
        uf.union(int(component[index[name]]), int(component[index[full]]))
        aliases[name] = full
    if uf.parent:
        component = np.array([uf.find(c) if c in uf.parent else c for c in component.tolist()], dtype=np.int64)
    node = np.where(pv >= 0, pv, n_names + pk)
    valid = (pv >= 0) | (pk >= 0)
    pair_code = np.full(len(pair_ids), -1, dtype=np.int64)
    pair_code[valid] = pd.factorize(component[node[valid]])[0]  # numbered in order of first appearance
    return pair_code[inverse.ravel()], aliases


def _examples(units: pd.DataFrame, group: str) -> pd.DataFrame:
    """Per group the strongest strong unit of its best two sources: columns group, ex_rank (0/1),
    ex_source, ex_title, ex_type, ex_vendor, ex_vn."""
    strong = units[units["strong"]]
    rank = strong["source_type"].map(_EXAMPLE_RANK).fillna(len(_EXAMPLE_RANK))
    strong = strong.assign(_rank=rank.to_numpy()).sort_values(["_rank", "score"], ascending=[True, False],
                                                               kind="stable")
    best = strong.drop_duplicates([group, "source_id"])
    best = best.assign(ex_rank=best.groupby(group).cumcount())
    best = best[best["ex_rank"] < 2]
    return best.rename(columns={"source_id": "ex_source", "title_raw": "ex_title", "source_type": "ex_type",
                                "vendor": "ex_vendor", "vn": "ex_vn"})[
        [group, "ex_rank", "ex_source", "ex_title", "ex_type", "ex_vendor", "ex_vn"]]


def _lend(rows: pd.DataFrame, group: str, min_share: float) -> pd.DataFrame:
    """rows: one per (mention, group) with source_id, head, cand, strong, score, title_raw, … Keeps
    the rows whose group has a strong unit in another source and enough candidate share among the
    group's other units (a unit = one distinct text in one source); adds share, others, others_cand
    and the example columns."""
    units = (rows.sort_values("score", ascending=False, kind="stable")
             .drop_duplicates([group, "source_id", "head"]))
    per = units.groupby(group).agg(n_units=("cand", "size"), n_cand=("cand", "sum"))
    unit_cand = units.set_index([group, "source_id", "head"])["cand"]
    r = rows.join(per, on=group)
    own = unit_cand.reindex(pd.MultiIndex.from_frame(r[[group, "source_id", "head"]])).to_numpy(dtype=bool)
    r["others"] = r["n_units"].to_numpy() - 1
    r["others_cand"] = r["n_cand"].to_numpy() - own.astype(int)
    r = r[r["others"] > 0]
    r = r.assign(share=r["others_cand"] / r["others"])
    r = r[r["share"] >= min_share]
    if r.empty:
        return r
    ex = _examples(units, group)
    first = r.merge(ex[ex["ex_rank"] == 0], on=group)
    second = r.merge(ex[ex["ex_rank"] == 1], on=group)
    pick = pd.concat([first[first["ex_source"] != first["source_id"]],
                      second[second["ex_source"] != second["source_id"]]])
    return pick.drop_duplicates(["source_key", group])


def _quote(values: pd.Series) -> pd.Series:
    return "'" + values.astype(str).str.replace(r"\s+", " ", regex=True).str.strip() + "'"


def _general_vendors(names: pd.Series, vocab: Vocabulary) -> pd.Series:
    """Whether each (spaced) vendor name is a curated general IT vendor (level 'general' in
    vendors.yaml: it sells much besides AI, so one AI product says little about its other lines)."""
    if vocab.vendor_re is None:
        return pd.Series(False, index=names.index)
    uniq = pd.Series(names.unique(), dtype="object")
    general = {u: any(vocab.vendors.get(k, {}).get("level") == "general" for k in vocab.vendor_re.findall(u))
               for u in uniq.tolist()}
    return names.map(general).fillna(False).astype(bool)


def _vendor_rows(frame, codes: np.ndarray, strong: np.ndarray, src: np.ndarray, aliases: dict,
                 vocab: Vocabulary, w: dict) -> pd.DataFrame:
    """Vendor evidence. Only suppliers with a strong record and records in two or more sources can
    lend, so the rows are narrowed on integer codes before any text is touched. Curated general IT
    vendors (Microsoft, Centric, …) neither lend nor borrow."""
    ok = codes >= 0
    pairs = pd.DataFrame({"g": codes[ok], "src": src[ok], "strong": strong[ok]})
    per = pairs.groupby("g").agg(strong=("strong", "max"), lo=("src", "min"), hi=("src", "max"))
    lenders = per.index[(per["strong"] & (per["lo"] != per["hi"])).to_numpy()].to_numpy()
    idx = np.flatnonzero(ok & np.isin(codes, lenders))
    if len(idx) == 0:
        return _empty()
    rows = frame(idx).assign(vgroup=codes[idx])
    rows = rows[~_general_vendors(rows["vn"], vocab).to_numpy()]
    if rows.empty:
        return _empty()
    if aliases:  # show the full name as the records spell it
        named = rows[rows["vn"].isin(list(aliases.values()))]
        spelled = named.groupby("vn")["vendor"].agg(lambda v: v.value_counts().index[0])
        aliases = {a: str(spelled.get(f, f)) for a, f in aliases.items()}
    lent = _lend(rows, "vgroup", float(w["min_share"]))
    if lent.empty:
        return _empty()
    via = np.where(lent["vn"] == lent["ex_vn"], "",
                   np.where(lent["vn"].isin(list(aliases)),
                            " ('" + lent["vendor"].astype(str) + "' is de afkorting van '"
                            + lent["vn"].map(aliases).fillna("").astype(str) + "')",
                            np.where(lent["kvk"].astype(str).str.len() > 0,
                                     " (zelfde KvK-nummer " + lent["kvk"].astype(str) + " als "
                                     + lent["ex_vendor"].astype(str) + ")",
                                     " (dezelfde leverancier als " + lent["ex_vendor"].astype(str) + ")")))
    reason = ("leverancier " + lent["vendor"].astype(str) + via + " levert ook " + _quote(lent["ex_title"])
              + " (" + lent["ex_type"].map(SOURCE_LABELS).fillna(lent["ex_type"]).astype(str)
              + "), dat als AI is aangemerkt; " + lent["others_cand"].astype(int).astype(str) + " van de "
              + lent["others"].astype(int).astype(str) + " andere vermeldingen van deze leverancier zijn kandidaat")
    return pd.DataFrame({"source_key": lent["source_key"].to_numpy(), "kind": "cross_source",
                         "detail": ("vendor:" + lent["ex_vn"].astype(str)).to_numpy(),
                         "weight": (float(w["vendor"]) * lent["share"]).to_numpy(dtype=float),
                         "reason": reason.to_numpy(dtype=object)})


def _product_names(products: pd.DataFrame, vocab: Vocabulary) -> dict:
    """Short product/application names worth looking up: 1-4 words, at least 4 letters, not a
    vocabulary term, a generic name, an answer naming no system, or the supplier's own name."""
    p = products[(products["product_sp"].str.len() >= 4) & (products["product_sp"] != products["vn"])]
    names = {}
    for name, raw in zip(p["product_sp"].tolist(), p["product_raw"].tolist(), strict=True):
        if (name in names or name.count(" ") > 3 or name.isdigit() or name in vocab.terms
                or name in vocab.kb_generic or name in NO_SYSTEM or not any(c.isalpha() for c in name)):
            continue
        names[name] = raw
    return names


def _product_rows(frame, head_codes: np.ndarray, head_uniques: np.ndarray, has_product: np.ndarray,
                  vocab: Vocabulary, w: dict) -> pd.DataFrame:
    """Product evidence: every record whose title names a short product name (found as whole words,
    also written together) borrows from strong records naming it in other sources."""
    idx = np.flatnonzero(has_product)
    if len(idx) == 0:
        return _empty()
    names = _product_names(frame(idx), vocab)
    if not names:
        return _empty()
    hits = lookup_titles(pd.Series(head_uniques, dtype="object"), names)
    if hits.empty:
        return _empty()
    hit_codes = pd.Index(pd.Series(head_uniques, dtype="object")).get_indexer(hits["text"].to_numpy(dtype=object))
    hits = pd.DataFrame({"hcode": hit_codes, "pname": hits["key"].to_numpy(dtype=object)})
    idx = np.flatnonzero(np.isin(head_codes, hits["hcode"].unique()))
    rows = frame(idx).assign(hcode=head_codes[idx]).merge(hits, on="hcode")
    lent = _lend(rows, "pname", float(w["min_share"]))
    if lent.empty:
        return _empty()
    reason = ("noemt " + _quote(lent["pname"].map(names)) + ", net als " + _quote(lent["ex_title"]) + " ("
              + lent["ex_type"].map(SOURCE_LABELS).fillna(lent["ex_type"]).astype(str)
              + "), dat als AI is aangemerkt; " + lent["others_cand"].astype(int).astype(str) + " van de "
              + lent["others"].astype(int).astype(str) + " andere vermeldingen met deze naam zijn kandidaat")
    return pd.DataFrame({"source_key": lent["source_key"].to_numpy(), "kind": "cross_source",
                         "detail": ("product:" + lent["pname"].astype(str)).to_numpy(),
                         "weight": (float(w["product"]) * lent["share"]).to_numpy(dtype=float),
                         "reason": reason.to_numpy(dtype=object)})


def cross_source_signals(mentions: pd.DataFrame, head: pd.Series, vendor_norm: pd.Series,
                         product_sp: pd.Series, own_score: np.ndarray, vocab: Vocabulary) -> pd.DataFrame:
    """Signals of kind ``cross_source`` (details ``vendor:…`` and ``product:…``) for the mentions,
    given their spaced head text (title | product), spaced vendor and product names, and their own
    score from a first pass (aligned with ``mentions``). Weights: ``cross_source`` in weights.yaml."""
    if mentions is None or len(mentions) == 0:
        return _empty()
    w = vocab.weights.get("cross_source")
    if not w:
        return _empty()
    n = len(mentions)

    def col(name: str, idx: np.ndarray | None = None) -> np.ndarray:
        if name not in mentions.columns:
            return np.full(n if idx is None else len(idx), None, dtype=object)
        values = mentions[name] if idx is None else mentions[name].iloc[idx]
        return values.astype("object").to_numpy(dtype=object)

    score = np.asarray(own_score, dtype=float)
    strong = score >= float(w["strong_score"])
    src = factorize_text(text_column(mentions, "source_id"))[0]
    head_all = head.to_numpy(dtype=object)
    head_codes, head_uniques = pd.factorize(head_all)
    prod_all = product_sp.to_numpy(dtype=object)
    prod_codes, prod_uniques = pd.factorize(prod_all)
    prod_uniques = pd.Series(prod_uniques, dtype="object")
    no_system = np.append(prod_uniques.isin(list(NO_SYSTEM)).to_numpy(), False)
    borrower = ~no_system[prod_codes]  # an answer naming no system borrows nothing
    has_product = (prod_codes >= 0) & borrower & np.append(prod_uniques.str.len().to_numpy() > 0, False)[prod_codes]
    vn_all = vendor_norm.to_numpy(dtype=object)

    def frame(idx: np.ndarray) -> pd.DataFrame:
        def text(values: np.ndarray) -> pd.Series:
            return pd.Series(values, dtype="object").fillna("").astype(str)

        return pd.DataFrame({
            "source_key": text(col("source_key", idx)), "source_id": text(col("source_id", idx)),
            "source_type": text(col("source_type", idx)), "head": text(head_all[idx]),
            "title_raw": text(col("title", idx)), "vendor": text(col("vendor", idx)), "vn": text(vn_all[idx]),
            "kvk": text(col("vendor_kvk", idx)).str.replace(r"\D", "", regex=True),
            "product_sp": text(prod_all[idx]), "product_raw": text(col("product", idx)),
            "score": score[idx], "cand": score[idx] >= float(w["candidate_score"]), "strong": strong[idx],
            "borrower": borrower[idx],
        })

    codes, aliases = vendor_groups(vendor_norm, text_column(mentions, "vendor_kvk"))
    codes = np.where(borrower, codes, -1)
    parts = [_vendor_rows(frame, codes, strong, src, aliases, vocab, w),
             _product_rows(frame, head_codes, head_uniques, has_product, vocab, w)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    return out[out["weight"] > 0].reset_index(drop=True)
