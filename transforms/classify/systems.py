"""Classify systems: EU AI Act class, DPIA required, IAMA recommended, register publication category.

Every result carries its rule id and a Dutch reason that names the legal source and the words that
triggered it. Rules are data (``transforms/rules/*.yaml``, see docs/classification.md). Uncertain
cases become ``needs_review``; a prohibited or high-risk match is never classified as minimal.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from transforms.classify.rulebook import dutch_date, found_words, load_rules, rule_hits
from transforms.detect.vocabulary import compile_terms, load_vocabulary, spaced_series
from transforms.labels import ANNEX_III_AREA_LABELS

__all__ = ["classify_texts", "classify_systems", "match_dpia", "CLASSIFICATION_COLUMNS", "DPIA_MATCH_COLUMNS"]

CLASSIFICATION_COLUMNS = [
    "system_id", "ai_act_class", "ai_act_area", "ai_act_rule", "ai_act_reason", "dpia_required", "dpia_rule",
    "dpia_reason", "iama_recommended", "iama_reason", "publication_category", "publication_reason", "needs_review",
]
DPIA_MATCH_COLUMNS = ["system_id", "dpia_status", "dpia_date", "dpia_link", "dpia_match"]


def _as_date(as_of: object) -> dt.date:
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    return pd.Timestamp(str(as_of)).date()


def _since(date: dt.date, as_of: dt.date, what: str) -> str:
    return f"{what} {'gelden sinds' if as_of >= date else 'gelden vanaf'} {dutch_date(date)}"


def _ai_evidence(u: pd.Series) -> pd.Series:
    """Strong AI terms or curated AI products in the text (the system learns/infers)."""
    vocab = load_vocabulary()
    strong = compile_terms({t.term: t.mode for t in vocab.terms.values() if t.tier == "strong"})
    products = vocab.product_re
    words = u.str.extract("(" + strong.pattern + ")", expand=False).fillna("")
    if products is not None:
        prod = u.str.extract("(" + products.pattern + ")", expand=False).fillna("")
        words = words.where(words.str.len() > 0, prod)
    specialist = [k for k, v in vocab.vendors.items() if v.get("level") == "specialist"]
    if specialist:
        vend = u.str.extract("(" + compile_terms({k: "word" for k in specialist}).pattern + ")", expand=False).fillna("")
        words = words.where(words.str.len() > 0, vend)
    return words.astype(object)


def _ai_act(u: pd.Series, as_of: dt.date, rules: dict) -> pd.DataFrame:
    """AI Act class per unique spaced text (priority: scope, prohibited, high-risk, transparency,
    minimal, not AI, needs_review)."""
    n = len(u)
    res = pd.DataFrame({"cls": ["needs_review"] * n, "area": [None] * n, "rule": ["AIA-REVIEW"] * n,
                        "reason": ["Onvoldoende informatie om de klasse onder de AI-verordening te bepalen: geen "
                                   "AI-kenmerken en geen regelgebaseerde werking herkend; beoordeel met de beslishulp "
                                   "AI-verordening."] * n, "annex": [False] * n}, index=u.index, dtype=object)
    res["annex"] = False
    dates = rules["dates"]
    ai_words = _ai_evidence(u)
    is_ai = ai_words.str.len() > 0
    decided = pd.Series(False, index=u.index)

    def put(mask, cls, rule, reason, area=None):
        mask = mask & ~decided
        if not mask.any():
            return
        res.loc[mask, "cls"] = cls
        res.loc[mask, "rule"] = rule
        res.loc[mask, "reason"] = reason[mask] if isinstance(reason, pd.Series) else reason
        if area is not None:
            res.loc[mask, "area"] = area
        decided.loc[mask] = True

    # scope first (art. 2), unless a prohibited/high-risk signal also shows: then a human decides
    risky = pd.Series(False, index=u.index)
    for r in rules["prohibited"] + rules["high_risk"]:
        risky |= rule_hits(u, r)[0]
    for r in rules["scope"]:
        hit, words = rule_hits(u, r)
        put(hit & risky, "needs_review", r["id"],
            "Mogelijk buiten de AI-verordening (" + r["label"] + "; " + r["source"] + "), maar de tekst noemt ook "
            "een verboden of hoog-risico toepassing: beoordelen.")
        put(hit, "out_of_scope", r["id"], "Buiten de AI-verordening (" + r["label"] + "; " + r["source"] + "): noemt " + words + ".")
    for r in rules["prohibited"]:
        hit, words = rule_hits(u, r)
        start = dates.get(r.get("applies_from", "prohibitions"), dates["prohibitions"])
        when = f"verboden {'sinds' if as_of >= start else 'vanaf'} {dutch_date(start)}"
        base = "verboden AI-praktijk (" + r["label"] + "; " + r["source"] + "): noemt " + words
        if r.get("_unless") is not None:
            carve = found_words(u, r["_unless"])
            has = carve.str.len() > 0
            put(hit & has, "needs_review", r["id"], "Mogelijk " + base + ", maar ook een mogelijke uitzondering ('"
                + carve + "'): beoordelen.")
        put(hit, "prohibited", r["id"], "Verboden: " + base + "; " + when + ".")
    exc = rules["exception_6_3"]
    exc_words = found_words(u, exc["_groups"][0])
    profiles = u.str.contains(exc["_profiling"])
    for r in rules["high_risk"]:
        hit, words = rule_hits(u, r)
        area = str(r["area"])
        res.loc[hit, "annex"] = True
        area_txt = f"bijlage III punt {area} ({ANNEX_III_AREA_LABELS.get(area, area)}; {r['source']})"
        duty = _since(dates["annex_iii"], as_of, "hoog-risicoverplichtingen") + (
            f"; systemen die de overheid al gebruikt moeten uiterlijk {dutch_date(dates['public_legacy'])} voldoen")
        put(hit & ~is_ai & u.str.contains(rules["not_ai"]["_groups"][0]), "not_ai", rules["not_ai"]["id"],
            "Geen AI-systeem: regelgebaseerd (" + rules["not_ai"]["source"] + "), maar het raakt " + area_txt
            + " via " + words + ": behandel als impactvol algoritme.", area)
        put(hit & ~is_ai, "needs_review", r["id"], "Valt mogelijk onder " + area_txt + " (noemt " + words
            + "), maar de tekst laat niet zien of het een AI-systeem is: stel dat vast (beslishulp 1.4-1.6).", area)
        put(hit & (exc_words.str.len() > 0) & ~profiles, "needs_review", r["id"], "Hoog-risico volgens " + area_txt
            + " (noemt " + words + "), maar mogelijk uitzondering " + exc["source"] + " (noemt '" + exc_words
            + "'): de aanbieder moet dit onderbouwen; beoordelen.", area)
        if r.get("_unless") is not None:
            carve = found_words(u, r["_unless"])
            put(hit & (carve.str.len() > 0), "needs_review", r["id"], "Mogelijk hoog-risico volgens " + area_txt
                + " (noemt " + words + "), maar mogelijk uitgezonderd (noemt '" + carve + "'): beoordelen.", area)
        put(hit, "high_risk", r["id"], "Hoog-risico AI-systeem: " + area_txt + "; noemt " + words + " en AI ('"
            + ai_words + "'); " + duty + ".", area)
    for r in rules["transparency"]:
        hit, words = rule_hits(u, r)
        put(hit, "transparency", r["id"], "Transparantieverplichting: " + r["label"] + " (" + r["source"] + "); noemt "
            + words + "; " + _since(dates["transparency"], as_of, "verplichtingen") + ".")
    put(is_ai, "minimal", "AIA-MIN", "AI-systeem (noemt '" + ai_words + "') zonder verboden, hoog-risico of "
        "transparantie-kenmerken: minimaal risico; AI-geletterdheid (art. 4) geldt sinds 2 februari 2025.")
    na = rules["not_ai"]
    hit, words = rule_hits(u, na)
    put(hit, "not_ai", na["id"], "Geen AI-systeem: werkt met door mensen opgestelde regels (noemt " + words + "; "
        + na["source"] + "); de AI-verordening is niet van toepassing.")
    return res


def _dpia(u: pd.Series, cls: pd.Series, area: pd.Series, rules: dict) -> pd.DataFrame:
    n = len(u)
    out = pd.DataFrame({"req": [False] * n, "rule": ["D0"] * n, "reason": [""] * n}, index=u.index, dtype=object)
    done = pd.Series(False, index=u.index)
    for r in rules["dpia"]:
        if r.get("when_ai_act_class"):
            hit = cls.isin(r["when_ai_act_class"]) & ~area.isin(r.get("unless_area") or [])
            reason = pd.Series(f"DPIA verplicht: {r['label']} ({r['source']}).", index=u.index)
            if r.get("_personal") is not None:
                words = found_words(u, r["_personal"])
                hit = hit & (words.str.len() > 0)
                reason = "DPIA verplicht: " + r["label"] + " (noemt '" + words + "'; " + r["source"] + ")."
        elif r.get("_categories"):
            names = pd.Series("", index=u.index, dtype=object)
            for cat, rx in r["_categories"].items():
                names = names.where(names.str.len() > 0, np.where(u.str.contains(rx), cat, ""))
            hit = names.str.len() > 0
            reason = "DPIA verplicht: " + r["label"] + " '" + names + "' (" + r["source"] + ")."
        else:
            hit, words = rule_hits(u, r)
            reason = "DPIA verplicht: " + r["label"] + " (" + r["source"] + "); noemt " + words + "."
        m = hit & ~done
        out.loc[m, "req"] = True
        out.loc[m, "rule"] = r["id"] if not r.get("_categories") else r["id"]
        out.loc[m, "reason"] = reason[m]
        done |= m
    e = rules["edpb"]
    names = [pd.Series(np.where(u.str.contains(rx), c, ""), index=u.index) for c, rx in e["_criteria"].items()]
    count = sum((s.str.len() > 0).astype(int) for s in names)
    listed = pd.concat(names, axis=1).apply(lambda row: ", ".join(x for x in row if x), axis=1) if names else ""
    many = (count >= int(e["min_criteria"])) & ~done
    out.loc[many, "req"] = True
    out.loc[many, "rule"] = e["id"]
    out.loc[many, "reason"] = ("DPIA verplicht: " + count.astype(str) + " van de 9 EDPB-criteria (" + listed + "; "
                               + e["source"] + ").")[many]
    one = (count == 1) & ~done & ~many
    out.loc[one, "reason"] = ("Geen DPIA-plicht herkend: 1 van de 9 EDPB-criteria (" + listed
                              + "); afwegen of de verwerking van persoonsgegevens een hoog risico geeft.")[one]
    none = (count == 0) & ~done
    out.loc[none, "reason"] = ("Geen DPIA-criterium herkend (AVG art. 35 lid 3, AP-lijst, EDPB-criteria); een DPIA "
                               "is nodig zodra de verwerking van persoonsgegevens waarschijnlijk een hoog risico geeft.")
    return out


def _publication(u: pd.Series, ai: pd.DataFrame, dpia: pd.DataFrame, rules: dict) -> pd.DataFrame:
    pub = rules["publication"]
    high = ai["cls"].isin(pub["high_risk"]["when_ai_act_class"])
    hit, words = rule_hits(u, pub["impactful"])
    impact = (hit | ai["annex"].astype(bool) | dpia["rule"].eq("D1")) & ~high
    cat = np.where(high, pub["high_risk"]["category"], np.where(impact, pub["impactful"]["category"],
                                                                  pub["other"]["category"]))
    why_imp = np.where(words.str.len() > 0, "noemt " + words, "raakt een bijlage III-gebied of profilering met rechtsgevolgen")
    reason = np.where(
        high, "Hoog-risico AI-systeem volgens de AI-verordening (" + pub["high_risk"]["source"] + ").",
        np.where(impact, "Impactvol: " + pd.Series(why_imp, index=u.index) + " (" + pub["impactful"]["source"] + ").",
                 "Geen rechtsgevolgen of indeling van burgers herkend (" + pub["other"]["source"] + ")."))
    iama_rec = high | impact
    iama_src = {r["id"]: r["source"] for r in rules["iama"]}
    iama_reason = np.where(high, "IAMA aanbevolen: " + iama_src.get("I3-hoog-risico", ""),
                           np.where(impact, "IAMA aanbevolen: " + iama_src.get("I3-impactvol", ""),
                                    "IAMA niet nodig: geen hoog-risico AI-systeem en geen impactvol algoritme."))
    return pd.DataFrame({"cat": cat, "reason": reason, "iama": iama_rec.to_numpy(), "iama_reason": iama_reason},
                        index=u.index)


def classify_texts(texts: pd.Series, as_of: object = None) -> pd.DataFrame:
    """Classify each text (one per mention or per system): the classification columns without
    system_id, in the order and with the index of ``texts``."""
    as_of_d = _as_date(as_of)
    rules = load_rules()
    sp = spaced_series(pd.Series(texts.to_numpy(dtype=object), dtype="object"))
    u = pd.Series(pd.unique(sp), dtype="object")
    ai = _ai_act(u, as_of_d, rules)
    dp = _dpia(u, ai["cls"], ai["area"].astype(object), rules)
    pb = _publication(u, ai, dp, rules)
    per_u = pd.DataFrame({
        "ai_act_class": ai["cls"], "ai_act_area": ai["area"], "ai_act_rule": ai["rule"], "ai_act_reason": ai["reason"],
        "dpia_required": dp["req"].astype(bool), "dpia_rule": dp["rule"], "dpia_reason": dp["reason"],
        "iama_recommended": pb["iama"].astype(bool), "iama_reason": pb["iama_reason"],
        "publication_category": pb["cat"], "publication_reason": pb["reason"],
    })
    per_u["needs_review"] = per_u["ai_act_class"].isin(["needs_review", "prohibited"])
    pos = pd.Index(u).get_indexer(sp)
    out = per_u.iloc[pos].reset_index(drop=True)
    out.index = texts.index
    return out


def classify_systems(systems: pd.DataFrame, texts: pd.DataFrame | None, as_of: object = None) -> pd.DataFrame:
    """One classification row per system (columns CLASSIFICATION_COLUMNS), in ``systems`` order.

    ``texts``: DataFrame[system_id, text], all titles and descriptions behind each system; the
    system's own name, vendor and description are added.
    """
    if systems is None or len(systems) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CLASSIFICATION_COLUMNS})
    ids = systems["system_id"].astype(str).reset_index(drop=True)
    own = pd.Series("", index=ids.index, dtype=object)
    for col in ("name", "vendor", "description"):
        if col in systems.columns:
            own = own + " | " + systems[col].fillna("").astype(str).reset_index(drop=True)
    combined = pd.Series(own.to_numpy(), index=ids.to_numpy(), dtype=object)
    if texts is not None and len(texts):
        t = texts.dropna(subset=["text"]).astype({"system_id": str, "text": str})
        t = t.drop_duplicates()
        joined = t.groupby("system_id", sort=False)["text"].agg(" | ".join)
        combined = combined + " | " + joined.reindex(combined.index).fillna("")
    result = classify_texts(combined.reset_index(drop=True), as_of)
    result.insert(0, "system_id", ids.to_numpy())
    return result[CLASSIFICATION_COLUMNS]


def _tokens(name: object) -> frozenset[str]:
    return frozenset(t for t in str(name).split(" ") if len(t) >= 2)


def match_dpia(systems: pd.DataFrame, dpia_records: pd.DataFrame | None) -> pd.DataFrame:
    """Join systems with the DPIA register by name: exact (folded) name, else the best token overlap
    (Jaccard >= 0.5, or one name's words all inside the other's). No match: status/date/link/match None."""
    ids = systems["system_id"].astype(str).tolist() if len(systems) else []
    empty = pd.DataFrame({"system_id": ids, "dpia_status": None, "dpia_date": None, "dpia_link": None,
                          "dpia_match": None}, columns=DPIA_MATCH_COLUMNS, dtype=object)
    if dpia_records is None or len(dpia_records) == 0 or not ids:
        return empty
    rec = dpia_records.copy()
    rec["_n"] = spaced_series(rec["name"].astype(object))
    rec["_d"] = pd.to_datetime(rec.get("date"), errors="coerce")
    rec = rec.sort_values("_d", ascending=False, na_position="last", kind="stable")
    rec_tokens = [(_tokens(n), i) for n, i in zip(rec["_n"], range(len(rec)), strict=True)]
    by_name = {n: i for i, n in reversed(list(enumerate(rec["_n"])))}
    names = spaced_series(systems["name"].astype(object)).tolist()
    rows = []
    for sid, name in zip(ids, names, strict=True):
        hit, how = None, None
        if name and name in by_name:
            hit, how = by_name[name], "exact"
        elif name:
            st = _tokens(name)
            best = 0.0
            for toks, i in rec_tokens:
                if not toks or not st:
                    continue
                inter = len(st & toks)
                jac = inter / len(st | toks)
                if (toks <= st or st <= toks) and any(len(t) >= 4 for t in st & toks):
                    jac = max(jac, 0.75)
                if jac > best and jac >= 0.5:
                    best, hit, how = jac, i, f"fuzzy ({jac:.2f})"
        if hit is None:
            rows.append((sid, None, None, None, None))
            continue
        r = rec.iloc[hit]
        date = r["_d"].date() if pd.notna(r["_d"]) else None
        rows.append((sid, r.get("status"), date, r.get("link"), how))
    return pd.DataFrame(rows, columns=DPIA_MATCH_COLUMNS, dtype=object)
