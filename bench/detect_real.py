"""``python -m bench detect --real``: detection measured on real registrations (development data).

Cross-validation in ``FOLDS`` folds: the dev register (``../shared/data/register-dev/``, real national
Algoritmeregister entries) split **by organisation** (one organisation's entries never on both
sides) and the shipped Dutch CPV labels (``transforms/vocab/cpv_labels_nl.tsv``, AI-like labels
screened out) split by label. Per fold the training organisations are the peers (knowledge base
and peer model) and the training labels the model's negatives; the held-out entries are scored
from title + description and from the title alone, the held-out labels as titles. Everything at
the configured default threshold. The hand-labelled kinds (``tests/fixtures/detect/kind_labels_dev.csv``)
are checked against the kind guess of their entries, in their own fold.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["evaluate_real", "dev_data_paths", "FOLDS"]

FOLDS = 5
REPO = Path(__file__).resolve().parent.parent
KIND_LABELS = REPO / "tests" / "fixtures" / "detect" / "kind_labels_dev.csv"
CPV_AI_LIKE = REPO / "tests" / "fixtures" / "detect" / "cpv_ai_like.tsv"


def dev_data_paths(repo: Path = REPO) -> dict[str, Path]:
    shared = repo.parent / "shared" / "data"
    return {"register": shared / "register-dev" / "site-data-dev.json", "cpv": shared / "cpv_nl_labels_dev.tsv"}


def _hash(text: str) -> int:
    return int(hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest(), 16)


def _org_folds(orgs: pd.Series, k: int) -> dict[str, int]:
    """Organisations over k folds, biggest first onto the lightest fold (ties by a stable hash)."""
    sizes = orgs.value_counts()
    order = sorted(sizes.index, key=lambda o: (-sizes[o], _hash(o)))
    load, fold = [0] * k, {}
    for org in order:
        f = min(range(k), key=lambda i: (load[i], i))
        fold[org] = f
        load[f] += int(sizes[org])
    return fold


def _mentions(keys: list[str], titles: pd.Series, descriptions: pd.Series | None) -> pd.DataFrame:
    return pd.DataFrame({"source_key": keys, "source_type": "file", "title": titles.to_numpy(dtype=object),
                         "description": None if descriptions is None else descriptions.to_numpy(dtype=object)})


def _score(mentions: pd.DataFrame, kb, model, threshold: float) -> pd.DataFrame:
    from transforms.detect import detect_signals, guess_kinds, score_mentions

    signals = detect_signals(mentions, kb, peer_model=model)
    scored = score_mentions(mentions, signals, threshold)
    kinds = guess_kinds(mentions, signals, model)
    return scored.merge(kinds, on="source_key", how="left")


def _rate(mask: np.ndarray) -> float:
    return round(float(mask.mean()), 4) if len(mask) else 0.0


def evaluate_real(threshold: float, paths: dict[str, Path] | None = None) -> dict | None:
    """The real-data figures, or None when the development data is not there."""
    from connectors import load_source
    from connectors.base import SourceSpec
    from transforms.detect.peer_model import fit_peer_model, load_cpv_labels
    from transforms.knowledge.kb import build_kb

    paths = paths or dev_data_paths()
    if not paths["register"].exists():
        return None
    t0 = time.perf_counter()
    entries = load_source(SourceSpec(id="register_dev", type="national_register", path=paths["register"])).frame
    entries = entries.reset_index(drop=True)
    labels = pd.Series(load_cpv_labels(), dtype="object")
    ai_like = pd.read_csv(CPV_AI_LIKE, sep="\t", dtype=str)["dutch"]
    org_fold = _org_folds(entries["organisation"].astype(str), FOLDS)
    entries["fold"] = entries["organisation"].astype(str).map(org_fold)
    label_fold = labels.map(lambda s: _hash(s) % FOLDS).to_numpy()
    desc = entries["description_short"].where(entries["description_short"].notna(), entries["goal"])
    rows, cpv_rows, ai_like_rows = [], [], []
    for k in range(FOLDS):
        train, test = entries[entries["fold"] != k], entries[entries["fold"] == k]
        kb = build_kb(train)
        model = fit_peer_model(train, tuple(labels[label_fold != k]))
        keys = [f"e:{i}" for i in test.index]
        full = _score(_mentions(keys, test["name"], desc.loc[test.index]), kb, model, threshold)
        title = _score(_mentions(keys, test["name"], None), kb, model, threshold)
        rows.append(pd.DataFrame({
            "index": test.index, "organisation": test["organisation"].to_numpy(), "name": test["name"].to_numpy(),
            "score_full": full["ai_score"].to_numpy(), "cand_full": full["is_candidate"].to_numpy(dtype=bool),
            "kind_full": full["kind"].to_numpy(dtype=object), "kind_reason": full["kind_reason"].to_numpy(dtype=object),
            "score_title": title["ai_score"].to_numpy(), "cand_title": title["is_candidate"].to_numpy(dtype=bool)}))
        held = labels[label_fold == k]
        cpv = _score(_mentions([f"c:{i}" for i in held.index], held, None), kb, model, threshold)
        cpv_rows.append(cpv.assign(label=held.to_numpy(dtype=object)))
        if k == 0:  # the screened AI-like labels were never negatives: score them once, for information
            ai_like_rows.append(_score(_mentions([f"a:{i}" for i in ai_like.index], ai_like, None), kb, model,
                                       threshold).assign(label=ai_like.to_numpy(dtype=object)))
    res = pd.concat(rows, ignore_index=True)
    cpv = pd.concat(cpv_rows, ignore_index=True)
    out = {
        "entries": len(res), "organisations": int(entries["organisation"].nunique()), "cpv_labels": len(cpv),
        "folds": FOLDS, "recall_title_description": _rate(res["cand_full"].to_numpy()),
        "recall_title": _rate(res["cand_title"].to_numpy()),
        "false_positive_rate_cpv": _rate(cpv["is_candidate"].to_numpy(dtype=bool)),
        "false_positives_cpv": int(cpv["is_candidate"].sum()),
        "missed_title_description": res.loc[~res["cand_full"], ["organisation", "name", "score_full"]]
        .head(15).to_dict("records"),
        "missed_title": res.loc[~res["cand_title"], ["name", "score_title"]].drop_duplicates("name")
        .head(15).to_dict("records"),
        "cpv_false_hits": cpv.loc[cpv["is_candidate"].astype(bool), ["label", "ai_score", "reasons"]]
        .head(15).to_dict("records"),
    }
    if ai_like_rows:
        a = ai_like_rows[0]
        out["ai_like_cpv_flagged"] = f"{int(a['is_candidate'].sum())} van {len(a)}"
    out["kind"] = _kind_accuracy(res, entries)
    out["curves"] = {
        "echt: titel + beschrijving": (res["score_full"].to_numpy(), cpv["ai_score"].to_numpy()),
        "echt: alleen titel": (res["score_title"].to_numpy(), cpv["ai_score"].to_numpy()),
    }
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def _kind_accuracy(res: pd.DataFrame, entries: pd.DataFrame) -> dict:
    labels = pd.read_csv(KIND_LABELS, dtype=str)
    j = labels.merge(res, left_on=["name", "organisation"], right_on=["name", "organisation"], how="inner")
    j = j.drop_duplicates(["name", "organisation"])
    right = (j["kind"] == j["kind_full"]).to_numpy()
    wrong = j.loc[~right, ["name", "kind", "kind_full", "kind_reason"]]
    return {"labelled": len(labels), "matched": len(j), "accuracy": _rate(right),
            "ai_as_algorithm": int(((j["kind"] == "ai") & (j["kind_full"] == "algorithm")).sum()),
            "algorithm_as_ai": int(((j["kind"] == "algorithm") & (j["kind_full"] == "ai")).sum()),
            "wrong": wrong.head(15).to_dict("records")}
