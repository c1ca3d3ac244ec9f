"""Knowledge-base grouping measured on real registrations: pairwise precision and recall of kinds and
products against the hand-labelled sample ``tests/fixtures/kb_labels/kb_labels_dev.csv``.

The knowledge base is built from the whole dev register (``../shared/data/register-dev``), as a run
would build it from the loaded national register; the pairs of the labelled entries are scored.
A pair is positive when both entries carry the same label (kind; kind + product) and predicted
positive when the knowledge base puts both in the same kind (same product). Also reports how many
kinds and products the dev register gives, the largest kinds, the build time and any "nan" vendor.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from itertools import combinations
from pathlib import Path

import pandas as pd

from connectors import SourceSpec, load_source
from transforms.knowledge.kb import build_kb_levels

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "register-dev" / "site-data-dev.json"
LABELS = ROOT / "tests" / "fixtures" / "kb_labels" / "kb_labels_dev.csv"

__all__ = ["main", "pairwise", "evaluate"]


def pairwise(truth: list, pred: list) -> dict:
    """Pairwise precision/recall/F1 of a predicted grouping against a true one (same order)."""
    tp = fp = fn = 0
    for (t1, p1), (t2, p2) in combinations(zip(truth, pred, strict=True), 2):
        same_t, same_p = t1 == t2, p1 == p2
        tp += same_t and same_p
        fp += same_p and not same_t
        fn += same_t and not same_p
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_pairs": tp + fn, "predicted_pairs": tp + fp}


def _without_largest(truth: list, pred: list, kinds: list) -> dict:
    largest = max(set(kinds), key=kinds.count)
    keep = [i for i, k in enumerate(kinds) if k != largest]
    return pairwise([truth[i] for i in keep], [pred[i] for i in keep]) | {"left_out": largest}


def evaluate(entries: pd.DataFrame, labels: pd.DataFrame) -> dict:
    start = time.perf_counter()
    kinds, products, levels = build_kb_levels(entries)
    seconds = time.perf_counter() - start
    levels = levels.assign(lars=entries["lars"].astype(str).values)
    lab = labels.astype({"lars": str}).fillna({"product": ""})
    joined = lab.merge(levels, on="lars", how="left")
    missing = int(joined["kind_id"].isna().sum())
    joined = joined.dropna(subset=["kind_id"])
    kind_true = joined["kind"].tolist()
    prod_true = (joined["kind"] + "|" + joined["product"]).tolist()
    out = {
        "labelled_entries": len(lab), "scored_entries": len(joined), "unmatched_labels": missing,
        "kind": pairwise(kind_true, joined["kind_id"].tolist()),
        "product": pairwise(prod_true, joined["product_id"].tolist()),
        # the same without the largest labelled kind, whose pairs dominate the pairwise figures
        "kind_without_largest": _without_largest(kind_true, joined["kind_id"].tolist(), kind_true),
        "product_without_largest": _without_largest(prod_true, joined["product_id"].tolist(), kind_true),
        "kinds": len(kinds), "products": len(products), "build_seconds": round(seconds, 3),
        "nan_vendors": int(products["vendor"].astype(str).str.lower().isin(["nan", "none"]).sum()),
        "largest_kinds": [
            {"name": r["name"], "org_count": int(r["org_count"]), "products": list(r["products"])[:6]}
            for r in kinds.head(8).to_dict("records")
        ],
    }
    return out, joined


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench kb", description=__doc__.splitlines()[0])
    ap.add_argument("--register", type=Path, default=DEV, help="site-data JSON of the dev register")
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--errors", action="store_true", help="print the labelled entries per predicted kind")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.register.exists():
        print(f"{args.register} not found: the real dev register lives in ../shared/data/register-dev/")
        return 2
    t0 = time.perf_counter()
    entries = load_source(SourceSpec(id="nl", type="national_register", path=args.register)).frame
    load_s = time.perf_counter() - t0
    result, joined = evaluate(entries, pd.read_csv(args.labels, dtype=str))
    if args.errors:
        for kind_id, grp in joined.groupby("kind_id"):
            labels = sorted(set(grp["kind"]))
            if len(labels) > 1:
                print(f"{kind_id}: {labels}")
                for r in grp.itertuples():
                    print(f"    {r.kind:35} {r.product:20} {r.name[:60]}")
        for kind, grp in joined.groupby("kind"):
            if grp["kind_id"].nunique() > 1:
                print(f"split {kind}: " + "; ".join(f"{k}: {', '.join(sorted(set(g['name'])))[:90]}"
                                                   for k, g in grp.groupby("kind_id")))
        for (kind, prod), grp in joined.groupby(["kind", "product"]):
            if grp["product_id"].nunique() > 1:
                print(f"product split {kind}|{prod}: " + "; ".join(
                    f"{k}: {', '.join(sorted(set(g['name'])))[:80]}" for k, g in grp.groupby("product_id")))
    summary = {"name": "kb", "scale": len(entries),
               "seconds": {"load": round(load_s, 3), "build": result["build_seconds"],
                           "total": round(time.perf_counter() - t0, 3)},
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), **result}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for level in ("kind", "product", "kind_without_largest", "product_without_largest"):
            m = result[level]
            print(f"{level:24} precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
                  f"({m['true_pairs']} true pairs)")
        print(f"{result['kinds']} kinds, {result['products']} products from {len(entries)} entries "
              f"in {result['build_seconds']:.2f} s; 'nan' vendors: {result['nan_vendors']}")
    return 0
