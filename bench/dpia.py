"""DPIA-required accuracy: the classifier's ``dpia_required`` against labelled truth.

Two yardsticks: the generated municipalities (``truth/systems.csv`` column ``dpia_required``; the
texts of each true system's mentions, as ``bench detect`` classifies them) and the hand-labelled
fixture ``tests/fixtures/dpia/labelled_cases.csv`` (descriptions from the AP list, AVG art. 35(3)
and the EDPB criteria; labelling rule in docs/obligations.md). ``bench detect`` reports both;
``python -m bench dpia [--json]`` runs the fixture alone. Misses are listed with the rule that
fired and its reason, so they can be explained.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

__all__ = ["FIXTURE", "REAL_REGISTER", "score", "evaluate_systems", "evaluate_fixture", "evaluate_real_register", "main"]

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "dpia" / "labelled_cases.csv"
REAL_REGISTER = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "register-dev" / "site-data-dev.json"


def score(truth: pd.Series, predicted: pd.Series, ids: pd.Series, rules: pd.Series, reasons: pd.Series) -> dict:
    """Accuracy, counts and the misses (id, truth, predicted, rule, reason)."""
    t = truth.astype(str).str.strip().isin(["1", "True", "true"]).to_numpy()
    p = predicted.astype(bool).to_numpy()
    miss = t != p
    return {
        "accuracy": round(float((~miss).mean()), 4) if len(t) else None, "n": int(len(t)),
        "false_required": int((~t & p).sum()), "missed_required": int((t & ~p).sum()),
        "misses": [{"id": i, "truth": bool(a), "predicted": bool(b), "rule": r, "reason": s}
                   for i, a, b, r, s, m in zip(ids, t, p, rules, reasons, miss, strict=True) if m],
    }


def evaluate_systems(joined: pd.DataFrame) -> dict:
    """``joined``: truth/systems.csv rows merged with ``classify_systems`` output (suffix _true)."""
    return score(joined["dpia_required_true"], joined["dpia_required"], joined["system_id"], joined["dpia_rule"],
                 joined["dpia_reason"])


def evaluate_fixture(path: Path = FIXTURE, as_of: str = "2026-12-06") -> dict:
    from transforms.classify.systems import classify_texts

    cases = pd.read_csv(path, dtype=str, keep_default_na=False)
    cls = classify_texts(cases["text"], as_of)
    return score(cases["dpia_required"], cls["dpia_required"], cases["case_id"], cls["dpia_rule"], cls["dpia_reason"])


def evaluate_real_register(path: Path = REAL_REGISTER, as_of: str = "2026-08-08") -> dict | None:
    """A sanity check on real national-register entries (not an accuracy: the register only says
    whether *an* impact assessment was done): the share the rules call "DPIA required" among entries
    with and without one. None when the development data is absent."""
    if not path.exists():
        return None
    from transforms.classify.systems import classify_texts

    entries = pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["algoritme_versions"])
    text = entries["name"].fillna("") + " | " + entries["description_short"].fillna("") + " | " + entries["goal"].fillna("")
    cls = classify_texts(text, as_of)
    done = entries["impacttoetsen_grouping"].notna()
    return {"entries": int(len(entries)), "with_assessment": int(done.sum()),
            "required_share_with_assessment": round(float(cls.loc[done, "dpia_required"].mean()), 4),
            "required_share_without": round(float(cls.loc[~done, "dpia_required"].mean()), 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench dpia", description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = evaluate_fixture()
    print(f"DPIA-required accuracy on the labelled fixture: {res['accuracy']:.3f} ({res['n']} cases)")
    for m in res["misses"]:
        print(f"   miss: {m['id']} truth {m['truth']} predicted {m['predicted']} ({m['rule']}: {m['reason']})")
    real = evaluate_real_register()
    if real:
        print(f"real register entries ({real['entries']}): called 'DPIA required' for "
              f"{real['required_share_with_assessment']:.3f} of those with an impact assessment, "
              f"{real['required_share_without']:.3f} of those without")
    if args.json:
        import resource

        print(json.dumps({"name": "dpia", "scale": 1, "seconds": {"total": round(time.perf_counter() - t0, 3)},
                          "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                          "fixture": res, "real_register": real}, ensure_ascii=False))
    return 0
