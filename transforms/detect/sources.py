"""Signals that depend on other data than the mention's own text: products that peer organisations
register (``kb_products``), survey self-declarations and extra application-portfolio fields."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from transforms.detect.vocabulary import Vocabulary, spaced, spaced_series
from transforms.text import factorize_text, fold

__all__ = ["kb_signals", "self_declared_signals", "portfolio_signals", "kb_key_index", "survey_shared_keys",
           "lookup_titles", "IN_HOUSE", "NO_SYSTEM", "RAW_SOURCES"]

_COLUMNS = ["source_key", "kind", "detail", "weight", "reason"]
# the source types whose raw fields (``raw_json``) detection reads
RAW_SOURCES = ("survey", "application_portfolio")
_PORTFOLIO_STANDARD = {"row_ref", "app_id", "name", "vendor", "department", "description", "status"}
_AI_FIELD = re.compile(r"(?<![a-z0-9])(ai|ki|kunstmatige intelligentie|algoritme\w*|machine learning|ml|zelflerend)(?![a-z0-9])")
_TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "wel"}
IN_HOUSE = re.compile(r"(?<![a-z0-9])(?:intern|eigen|zelf|gemeente|in house|inhouse|maatwerk)(?![a-z0-9])")
NO_SYSTEM = frozenset({"geen", "nvt", "n v t", "niet van toepassing", "geen idee", "niets", "nee", "onbekend", "weet ik niet",
              "weet niet", "none", "n a", "na", "geen systeem", "geen systemen"})
_FALSE = {"nee", "n", "no", "false", "onwaar", "0", "niet", "geen"}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "weight" else "object") for c in _COLUMNS})


def _as_list(value: object) -> list:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        return []


def kb_key_index(kb_products: pd.DataFrame, vocab: Vocabulary) -> tuple[dict, dict, dict, dict]:
    """Index peer products by spaced match key.

    Returns (title_keys, product_only_keys, vendors, ai_like): the first two map key -> (product_id,
    org_count, display name); title keys may be found inside a title, product-only keys (generic
    or short single words) only as the whole product field. ``vendors`` maps vendor_norm ->
    (vendor, org_count summed); ``ai_like`` maps product_id -> whether its registered names or
    publication category show AI (else it is a registered, possibly rule-based, algorithm).
    """
    title_keys: dict = {}
    product_only: dict = {}
    ai_like: dict = {}
    vendors: dict = {}
    cols = kb_products.columns
    kinds = _kind_index(kb_products)
    for row in kb_products.itertuples(index=False):
        rec = row._asdict()
        names = _as_list(rec.get("names"))
        plain = str(names[0]) if names else str(rec.get("name") or "")
        display = f"'{plain}'"
        count = int(rec.get("org_count") or 0) if "org_count" in cols else 0
        kind = kinds.get(rec.get("kind_id"))
        if kind and kind[0] >= count:  # detection draws on the kind: everyone who registers this purpose
            count, display = kind[0], kind[1]
        cand = _as_list(rec.get("match_keys")) + names + [rec.get("name")]
        for raw in cand:
            key = spaced(raw)
            if len(key) < 3:
                continue
            single = " " not in key
            target = product_only if (key in vocab.kb_generic or (single and len(key) < 6)) else title_keys
            prev = target.get(key)
            if prev is None or count > prev[1]:
                target[key] = (str(rec.get("product_id")), count, display)
        text = spaced(" ".join(str(x) for x in names + [rec.get("name") or ""]))
        strong = any(vocab.terms[t].tier == "strong" for t in vocab.keyword_re.findall(text) if t in vocab.terms)
        pubs = " ".join(str(x) for x in _as_list(rec.get("publication_categories")))
        ai_like[str(rec.get("product_id"))] = bool(strong or (vocab.product_re and vocab.product_re.search(text))
                                                   or "AI-systeem" in pubs)
        vendor = next((v for v in (rec.get("vendor_norm"), rec.get("vendor")) if isinstance(v, str) and v.strip()
                       and v.strip().lower() != "nan"), "")  # NULLs come back from DuckDB as NaN
        vnorm = spaced(vendor)
        if vnorm:
            prev = vendors.get(vnorm)
            is_ai = ai_like[str(rec.get("product_id"))]
            ai_name = plain if is_ai else None
            if prev is not None:
                ai_name = prev[3] or ai_name
            vendors[vnorm] = ((rec["vendor"] if isinstance(rec.get("vendor"), str) and rec["vendor"].strip() else vnorm), (prev[1] if prev else 0) + count,
                              bool(is_ai or (prev[2] if prev else False)), ai_name)
    return title_keys, product_only, vendors, ai_like


def _kind_index(kb_products: pd.DataFrame) -> dict:
    """kind_id -> (organisations registering any product of the kind, display text naming its products)."""
    if "kind_id" not in kb_products.columns:
        return {}
    orgs: dict = {}
    names: dict = {}
    products: dict = {}
    for rec in kb_products.to_dict("records"):
        kid = rec.get("kind_id")
        if not isinstance(kid, str) or not kid:
            continue
        orgs.setdefault(kid, set()).update(str(o) for o in _as_list(rec.get("organisations")))
        names.setdefault(kid, str(rec.get("kind_name") or rec.get("name") or ""))
        label = rec.get("vendor") if isinstance(rec.get("vendor"), str) else None
        if label:
            products.setdefault(kid, []).append(label)
    out = {}
    for kid, members in orgs.items():
        shown = sorted(set(products.get(kid, [])))[:3]
        out[kid] = (len(members), f"'{names[kid]}'" + (f" (o.a. {', '.join(shown)})" if shown else ""))
    return out


def lookup_titles(texts: pd.Series, title_keys: dict) -> pd.DataFrame:
    """Find peer-product keys as whole-word n-grams (also written together) in distinct texts."""
    joined = {k.replace(" ", ""): k for k in title_keys}
    max_n = max((k.count(" ") + 1 for k in title_keys), default=1)
    rows_text, rows_key = [], []
    for text in pd.unique(texts[texts.str.len() > 0]):
        toks = text.split(" ")
        found = set()
        for n in range(1, min(max_n, len(toks)) + 1):
            for i in range(len(toks) - n + 1):
                gram = toks[i:i + n]
                spaced_gram = " ".join(gram)
                if spaced_gram in title_keys:
                    found.add(spaced_gram)
                elif n > 1:
                    glued = "".join(gram)
                    if glued in joined:
                        found.add(joined[glued])
        for k in sorted(found):  # a set: sorted, so the order is the same in every process
            rows_text.append(text)
            rows_key.append(k)
    return pd.DataFrame({"text": pd.Series(rows_text, dtype="object"), "key": pd.Series(rows_key, dtype="object")})


def _kb_weight(count: pd.Series, w: dict) -> pd.Series:
    return (w["base"] + w["per_org"] * (count.clip(lower=1) - 1)).clip(upper=w["max"])


def _org_phrase(count: int) -> str:
    return "1 organisatie" if count == 1 else f"{count} organisaties"


def kb_signals(keys: pd.Series, head: pd.Series, product: pd.Series, vendor_norm: pd.Series,
               kb_products: pd.DataFrame | None, vocab: Vocabulary, product_spaced: pd.Series | None = None) -> pd.DataFrame:
    """Mentions whose title/product names a product peers register (kind kb_product), and mentions
    whose vendor registers algorithms with peers (kind vendor, detail kb_vendor:…). ``product_spaced``:
    ``spaced_series(product)`` when the caller has it already."""
    if kb_products is None or len(kb_products) == 0:
        return _empty()
    w = vocab.weights["kb_product"]
    title_keys, product_only, vendors, ai_like = kb_key_index(kb_products, vocab)
    parts = []
    key_values = keys.to_numpy(dtype=object)
    head_codes, head_uniques = factorize_text(head)  # each distinct title is looked up once
    hits = lookup_titles(pd.Series(head_uniques, dtype="object").fillna(""), title_keys)
    if not hits.empty:
        code_of = {t: i for i, t in enumerate(head_uniques.tolist())}
        hits = pd.DataFrame({"code": hits["text"].map(code_of).to_numpy(dtype=np.int64), "key": hits["key"]})
        idx = np.flatnonzero(np.isin(head_codes, hits["code"].unique()))
        j = pd.DataFrame({"source_key": key_values[idx], "code": head_codes[idx]}).merge(hits, on="code")
        parts.append(j[["source_key", "key"]].assign(src=j["key"].map(title_keys)))
    prod_sp = spaced_series(product) if product_spaced is None else product_spaced
    sel = _members(prod_sp, product_only)
    if sel.any():
        j = pd.DataFrame({"source_key": key_values[sel], "key": prod_sp.to_numpy(dtype=object)[sel]})
        parts.append(j.assign(src=j["key"].map(product_only)))
    out = []
    if parts:
        m = pd.concat(parts, ignore_index=True)
        m["detail"] = m["src"].map(lambda t: t[0])
        count = m["src"].map(lambda t: t[1]).astype(int)
        name = m["src"].map(lambda t: t[2])
        is_ai = m["detail"].map(ai_like).fillna(False).astype(bool)
        m["weight"] = (_kb_weight(count, w) * np.where(is_ai, 1.0, float(w["not_ai_factor"]))).astype(float)
        m["reason"] = [f"geregistreerd door {_org_phrase(c)} als {n}" + ("" if a else " (algoritme; AI niet zeker)")
                       for c, n, a in zip(count, name, is_ai, strict=True)]
        m["kind"] = "kb_product"
        out.append(m[_COLUMNS])
    vsel = _members(vendor_norm, vendors)
    if vsel.any():
        v = pd.DataFrame({"source_key": key_values[vsel], "vn": vendor_norm.to_numpy(dtype=object)[vsel]})
        info = v["vn"].map(vendors)
        v["kind"] = "vendor"
        v["detail"] = "kb_vendor:" + v["vn"]
        general = v["vn"].str.contains(IN_HOUSE)
        if vocab.vendor_re is not None:
            levels = v["vn"].str.extract("(" + vocab.vendor_re.pattern + ")", expand=False).map(
                lambda k: vocab.vendors.get(k, {}).get("level") if isinstance(k, str) else None)
            general = v["vn"].str.contains(IN_HOUSE) | levels.eq("general")
        ai_vendor = info.map(lambda i: i[2]).astype(bool)
        v["weight"] = np.where(general, float(w["vendor_only_general"]),
                               np.where(ai_vendor, float(w["vendor_only_ai"]), float(w["vendor_only"])))
        v["reason"] = [
            f"leverancier {i[0]} levert AI-toepassingen die {_org_phrase(i[1])} registreren (o.a. '{i[3]}')"
            if i[2] else f"leverancier {i[0]} levert algoritmes die {_org_phrase(i[1])} registreren" for i in info]
        out.append(v[_COLUMNS])
    return pd.concat(out, ignore_index=True) if out else _empty()


def _members(values: pd.Series, keys: dict) -> np.ndarray:
    """Per value whether it is a key of ``keys``, deciding each distinct value once."""
    codes, uniques = factorize_text(values)
    member = np.fromiter((u in keys for u in uniques.tolist()), bool, len(uniques))
    return np.append(member, False)[codes]  # code -1 (missing) is the appended False


def _raw(mentions: pd.DataFrame, source_type: str) -> pd.DataFrame:
    if "source_type" not in mentions.columns or "raw_json" not in mentions.columns:
        return mentions.iloc[0:0]
    return mentions.loc[(mentions["source_type"] == source_type).to_numpy(dtype=bool, na_value=False),
                        ["source_key", "raw_json"]]


def _load(raw: object) -> dict:
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def self_declared_signals(mentions: pd.DataFrame, vocab: Vocabulary) -> pd.DataFrame:
    """Survey answers to 'gebruikt dit AI?' (uses_ai: Ja / Nee / Weet ik niet)."""
    rows = _raw(mentions, "survey")
    if rows.empty:
        return _empty()
    weights = {fold(k): float(v) for k, v in vocab.weights["self_declared"].items()}
    out = []
    for key, raw in zip(rows["source_key"], rows["raw_json"], strict=True):
        data = _load(raw)
        system = spaced(data.get("system") or "")
        if system in NO_SYSTEM:
            out.append((str(key), "self_declared", "geen systeem", -0.9,
                        f"het antwoord in de uitvraag noemt geen systeem ('{data.get('system')}')"))
            continue
        answer = data.get("uses_ai")
        if isinstance(answer, bool):
            code = "ja" if answer else "nee"
            answer = "Ja" if answer else "Nee"
        else:
            a = spaced(answer)
            if not a:
                continue
            code = ("ja" if a in _TRUE or a.startswith(("ja ", "yes ")) else
                    "nee" if a in _FALSE or a.startswith(("nee ", "no ")) else "weet ik niet")
        reason = {
            "ja": f"afdeling meldt in de uitvraag dat dit AI gebruikt ('{answer}')",
            "nee": f"afdeling meldt in de uitvraag dat dit geen AI gebruikt ('{answer}')",
            "weet ik niet": f"afdeling weet niet of dit AI gebruikt ('{answer}')",
        }[code]
        out.append((str(key), "self_declared", code, weights[code], reason))
    return pd.DataFrame(out, columns=_COLUMNS) if out else _empty()


def portfolio_signals(mentions: pd.DataFrame, vocab: Vocabulary) -> pd.DataFrame:
    """Extra columns of an application portfolio: an 'AI (j/n)'-like flag set to yes, or a field
    such as 'Categorie' / 'Technologie' whose value names a strong or medium AI term."""
    rows = _raw(mentions, "application_portfolio")
    if rows.empty:
        return _empty()
    w_field = float(vocab.weights["portfolio_field"])
    out = []
    for key, raw in zip(rows["source_key"], rows["raw_json"], strict=True):
        for field, value in _load(raw).items():
            if field in _PORTFOLIO_STANDARD or value is None or str(value).strip() == "":
                continue
            fkey, fval = spaced(field), spaced(value)
            if _AI_FIELD.search(fkey) and fval in _TRUE:
                out.append((str(key), "portfolio_field", field, w_field,
                            f"applicatieportfolio: veld '{field}' = '{value}'"))
                continue
            if _AI_FIELD.search(fkey) and fval in _FALSE:
                out.append((str(key), "portfolio_field", field, -0.3,
                            f"applicatieportfolio: veld '{field}' = '{value}'"))
                continue
            for term in dict.fromkeys(vocab.keyword_re.findall(fval)):
                t = vocab.terms.get(term)
                if t is None or t.tier not in ("strong", "medium"):
                    continue
                weight = w_field if t.tier == "strong" else t.weight
                out.append((str(key), "portfolio_field", f"{field}:{term}", weight,
                            f"applicatieportfolio: veld '{field}' noemt '{t.label or term}'"))
    frame = pd.DataFrame(out, columns=_COLUMNS) if out else _empty()
    frame["weight"] = np.asarray(frame["weight"], dtype=float)
    return frame


def survey_shared_keys(mentions: pd.DataFrame) -> dict[str, str]:
    """Survey mentions split from one answer naming several systems, mapped to their response id:
    their vendor and 'uses AI' answer belong to the whole answer, not to each system."""
    rows = _raw(mentions, "survey")
    if rows.empty:
        return {}
    resp = [str(_load(r).get("response_id", "")) for r in rows["raw_json"]]
    frame = pd.DataFrame({"key": rows["source_key"].astype(str).to_numpy(), "resp": resp})
    sizes = frame.groupby("resp")["key"].transform("size")
    keep = frame[(sizes > 1) & (frame["resp"] != "")]
    return dict(zip(keep["key"], keep["resp"], strict=True))
