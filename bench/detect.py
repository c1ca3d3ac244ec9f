"""``python -m bench detect [--real] [--scale N] [--threshold T] [--out DIR] [--json]`` — detection quality.

With ``--real`` it first measures on real registrations (``bench/detect_real.py``: the dev register
cross-validated by organisation, the CPV labels by label, the hand-labelled kinds).

Generates two labelled municipalities with ``bench.synth`` (variant "demo" and "alt", which uses
different vocabulary), loads them through the real connectors and ``to_mentions``, builds the peer
knowledge base, runs ``detect_signals`` + ``score_mentions`` and compares with truth/mentions.csv:
precision, recall and F1 at the threshold, recall from a title alone (ledger lines and application
names), a precision-recall curve PNG per set, and a confusion matrix of ``classify_systems`` against
truth/systems.csv (AI systems only, texts of their true mentions).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["main", "evaluate_set", "load_mentions"]


def load_mentions(root: Path) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """(mentions, kb_products, peer model) of a generated municipality, through the real connectors."""
    from connectors import MENTION_TYPES, PEER_TYPES, load_source
    from pipelines.config import load_config
    from transforms.knowledge.kb import build_kb
    from transforms.normalise.mentions import to_mentions

    cfg = load_config(root / "aigrip.yaml")
    org = cfg.organisation.name
    mentions, peers = [], []
    for src in cfg.enabled_sources:
        spec = src.to_spec()
        if spec.type in MENTION_TYPES:
            mentions.append(to_mentions(spec.type, spec.id, load_source(spec).frame, org))
        elif spec.type in PEER_TYPES:
            peers.append(load_source(spec).frame)
    from transforms.detect import fit_peer_model, own_texts

    entries = pd.concat(peers, ignore_index=True) if peers else None
    kb = build_kb(entries) if entries is not None else None
    mentions = pd.concat(mentions, ignore_index=True)
    return mentions, kb, fit_peer_model(entries, ledger=own_texts(mentions))


def _prf(truth: np.ndarray, pred: np.ndarray) -> dict:
    tp = int((truth & pred).sum())
    fp = int((~truth & pred).sum())
    fn = int((truth & ~pred).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _curve(truth: np.ndarray, score: np.ndarray) -> tuple[list, list, list]:
    ths = sorted(set(np.round(score, 3).tolist()) | {0.5}, reverse=True)
    ps, rs = [], []
    for t in ths:
        m = _prf(truth, score >= t)
        ps.append(m["precision"])
        rs.append(m["recall"])
    return ths, ps, rs


def _plot(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, (ths, ps, rs, th) in curves.items():
        ax.plot(rs, ps, marker=".", label=f"{name}")
        i = min(range(len(ths)), key=lambda k: abs(ths[k] - th))
        ax.scatter([rs[i]], [ps[i]], s=60, zorder=3)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title("aigrip detect: precision-recall (dot = threshold)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _confusion(root: Path, mentions: pd.DataFrame, truth: pd.DataFrame, as_of: str) -> dict:
    from transforms.classify.systems import classify_systems

    systems = pd.read_csv(root / "truth" / "systems.csv", dtype=str, keep_default_na=False)
    systems = systems[systems["is_ai"].astype(str) == "1"].copy()
    systems["system_id"] = systems["label"]
    links = truth[truth["system"].astype(str).str.len() > 0][["source_key", "system"]]
    m = mentions[["source_key", "title", "description"]].merge(links, on="source_key")
    texts = pd.concat([m[["system", "title"]].rename(columns={"title": "text"}),
                       m[["system", "description"]].rename(columns={"description": "text"})])
    texts = texts.rename(columns={"system": "system_id"}).dropna()
    cls = classify_systems(systems[["system_id", "name", "vendor"]], texts, as_of)
    joined = systems.merge(cls, on="system_id", suffixes=("_true", ""))
    matrix = pd.crosstab(joined["ai_act_class_true"], joined["ai_act_class"])
    pub = float((joined["publication_category_true"] == joined["publication_category"]).mean())
    dpia = float((joined["dpia_required_true"].astype(str) == joined["dpia_required"].astype(int).astype(str)).mean())
    from bench.dpia import evaluate_systems

    return {
        "dpia_required": evaluate_systems(joined),
        "ai_act_accuracy": round(float((joined["ai_act_class_true"] == joined["ai_act_class"]).mean()), 4),
        "publication_accuracy": round(pub, 4),
        "dpia_accuracy": round(dpia, 4),
        "high_risk_as_minimal": int(((joined["ai_act_class_true"].isin(["high_risk", "prohibited"]))
                                     & (joined["ai_act_class"] == "minimal")).sum()),
        "confusion": {r: {c: int(matrix.loc[r, c]) for c in matrix.columns} for r in matrix.index},
        "mismatches": joined.loc[joined["ai_act_class_true"] != joined["ai_act_class"],
                                 ["system_id", "ai_act_class_true", "ai_act_class", "ai_act_rule"]].to_dict("records"),
    }


def evaluate_set(root: Path, threshold: float, as_of: str = "2026-07-01") -> dict:
    """Quality figures for one generated municipality folder."""
    from transforms.detect import detect_signals, guess_kinds, score_mentions

    t0 = time.perf_counter()
    mentions, kb, model = load_mentions(root)
    t1 = time.perf_counter()
    signals = detect_signals(mentions, kb, peer_model=model)
    scored = score_mentions(mentions, signals, threshold)
    t2 = time.perf_counter()
    truth = pd.read_csv(root / "truth" / "mentions.csv", dtype=str, keep_default_na=False)
    if "kind" not in truth.columns:  # a folder generated before kinds were labelled
        truth["kind"] = np.where(truth["is_ai"].eq("1"), "ai", np.where(truth["system"].str.len() > 0, "algorithm", ""))
    j = scored.merge(truth, on="source_key", how="inner")
    y = j["kind"].isin(["ai", "algorithm"]).to_numpy()  # both kinds belong in the register
    pred = j["is_candidate"].astype(bool).to_numpy()
    res = _prf(y, pred)
    res["by_kind_recall"] = {k: _prf(y[(j["kind"] == k).to_numpy()], pred[(j["kind"] == k).to_numpy()])["recall"]
                             for k in ("ai", "algorithm")}
    cand = j[pred & y]
    kinds = guess_kinds(mentions[mentions["source_key"].isin(set(cand["source_key"]))], signals, model)
    kk = cand.merge(kinds, on="source_key", suffixes=("_true", ""))
    res["kind_accuracy"] = round(float((kk["kind_true"] == kk["kind"]).mean()), 4) if len(kk) else None
    lines = int((mentions["source_type"] == "spend_ledger").sum())
    ledger_cand = int(scored["is_candidate"].to_numpy(dtype=bool)[(mentions["source_type"] == "spend_ledger").to_numpy()].sum())
    res["ledger_lines"] = lines
    res["candidates_per_100k_ledger_lines"] = round(ledger_cand * 100_000 / lines, 1) if lines else None
    stype = j["source_key"].map(dict(zip(mentions["source_key"], mentions["source_type"], strict=True)))
    title_only = stype.isin(["spend_ledger", "application_portfolio"]).to_numpy()
    res["title_only_recall"] = _prf(y[title_only], pred[title_only])["recall"]
    res["by_source_type"] = {st: _prf(y[(stype == st).to_numpy()], pred[(stype == st).to_numpy()])
                             for st in sorted(stype.dropna().unique())}
    res["mentions"] = int(len(mentions))
    res["unlabelled"] = int(len(scored) - len(j))
    fn = j[y & ~pred].merge(mentions[["source_key", "title"]], on="source_key")
    fp = j[~y & pred].merge(mentions[["source_key", "title"]], on="source_key")
    res["missed"] = fn[["source_key", "title", "ai_score"]].head(15).to_dict("records")
    res["false_hits"] = fp[["source_key", "title", "ai_score", "reasons"]].head(15).to_dict("records")
    res["curve"] = _curve(y, j["ai_score"].to_numpy())
    res["classification"] = _confusion(root, mentions, truth[truth["is_ai"] == "1"], as_of)
    res["seconds"] = {"load": round(t1 - t0, 3), "detect": round(t2 - t1, 3)}
    return res


_NO_REAL = "no real development data at ../shared/data (register-dev/site-data-dev.json): real-data figures skipped"


def _run_real(args, curves: dict, seconds: dict) -> dict | None:
    """Real-data figures (bench/detect_real.py), printed; their PR curves added to ``curves``."""
    from bench.detect_real import evaluate_real

    real = evaluate_real(args.threshold)
    if real is None:
        print(_NO_REAL)
        return None
    for name, (pos, neg) in real.pop("curves").items():
        truth = np.r_[np.ones(len(pos), dtype=bool), np.zeros(len(neg), dtype=bool)]
        curves[name] = (*_curve(truth, np.r_[pos, neg]), args.threshold)
    seconds["real"] = real.pop("seconds")
    k = real["kind"]
    print(f"real ({real['entries']} entries of {real['organisations']} organisations, {real['folds']} folds by "
          f"organisation; {real['cpv_labels']} CPV labels in folds): recall title+description "
          f"{real['recall_title_description']:.3f}, title only {real['recall_title']:.3f}, false-positive rate "
          f"on CPV labels {real['false_positive_rate_cpv']:.4f}; kind right {k['accuracy']:.3f} of {k['matched']}")
    for m in real["missed_title_description"][:5]:
        print(f"   missed: {m['name']!r} ({m['score_full']})")
    for m in real["cpv_false_hits"][:5]:
        print(f"   false hit: {m['label']!r} ({m['ai_score']})")
    return real


def _timing(root: Path, threshold: float, as_json: bool) -> int:
    """Seconds of each detect step on one generated municipality (connectors and to_mentions untimed)."""
    from transforms.detect import detect_signals, fit_peer_model, guess_kinds, own_texts, score_mentions
    from transforms.detect import peer_model as pm

    mentions, kb, _model = load_mentions(root)
    pm._CACHE.clear()
    entries = _peer_entries(root)
    def now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    marks = [("start", now())]
    model = fit_peer_model(entries, ledger=own_texts(mentions))
    marks.append(("peer_model_fit", now()))
    signals = detect_signals(mentions, kb, peer_model=model)
    marks.append(("detect_signals", now()))
    scored = score_mentions(mentions, signals, threshold)
    marks.append(("score_mentions", now()))
    cand = scored["is_candidate"].to_numpy(dtype=bool)
    guess_kinds(mentions[cand], signals[signals["source_key"].isin(set(scored.loc[cand, "source_key"]))], model)
    marks.append(("guess_kinds", now()))
    seconds = {name: round(t[0] - marks[i][1][0], 2) for i, (name, t) in enumerate(marks[1:])}
    seconds["total"] = round(marks[-1][1][0] - marks[0][1][0], 2)
    # CPU seconds of this process: on a shared machine the wall clock also counts other jobs' time
    cpu = {name: round(t[1] - marks[i][1][1], 2) for i, (name, t) in enumerate(marks[1:])}
    cpu["total"] = round(marks[-1][1][1] - marks[0][1][1], 2)
    out = {"name": "detect-timing", "mentions": len(mentions),
           "distinct_titles": int(mentions["title"].nunique()), "candidates": int(cand.sum()),
           "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    print(f"{out['mentions']} mentions ({out['distinct_titles']} distinct titles), {out['candidates']} candidates: "
          + ", ".join(f"{k} {v} s" for k, v in seconds.items()) + " (CPU: "
          + ", ".join(f"{k} {v} s" for k, v in cpu.items()) + f"); peak RSS {out['peak_rss_mb']} MB")
    if as_json:
        print(json.dumps(out))
    return 0


def _peer_entries(root: Path) -> pd.DataFrame | None:
    from connectors import PEER_TYPES, load_source
    from pipelines.config import load_config

    cfg = load_config(root / "aigrip.yaml")
    frames = [load_source(s.to_spec()).frame for s in cfg.enabled_sources if s.type in PEER_TYPES]
    return pd.concat(frames, ignore_index=True) if frames else None


def main(argv: list[str] | None = None) -> int:
    from transforms.detect import DEFAULT_THRESHOLD

    ap = argparse.ArgumentParser(prog="python -m bench detect", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--out", type=Path, default=Path("var/bench"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--real", action="store_true", help="also measure on the real dev data in ../shared/data")
    ap.add_argument("--timing", type=Path, default=None,
                    help="only time the detect stage on an already generated municipality folder (python -m bench.synth)")
    args = ap.parse_args(argv)
    if args.timing is not None:
        return _timing(args.timing, args.threshold, args.json)
    from bench.synth import generate

    start = time.perf_counter()
    sets, curves, seconds = {}, {}, {}
    real = _run_real(args, curves, seconds) if args.real else None
    with tempfile.TemporaryDirectory(prefix="aigrip-bench-detect-") as tmp:
        for variant in ("demo", "alt"):
            root = Path(tmp) / variant
            g0 = time.perf_counter()
            generate(root, seed=args.seed, scale=args.scale, variant=variant)
            seconds[f"{variant}_generate"] = round(time.perf_counter() - g0, 3)
            res = evaluate_set(root, args.threshold)
            for k, v in res.pop("seconds").items():
                seconds[f"{variant}_{k}"] = v
            ths, ps, rs = res.pop("curve")
            curves[variant] = (ths, ps, rs, args.threshold)
            sets[variant] = res
    png = args.out / "detect_pr_curve.png"
    _plot(curves, png)
    seconds["total"] = round(time.perf_counter() - start, 3)
    tp = sum(s["tp"] for s in sets.values())
    fp = sum(s["fp"] for s in sets.values())
    fn = sum(s["fn"] for s in sets.values())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    summary = {
        "name": "detect", "scale": args.scale, "seconds": seconds,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threshold": args.threshold, "precision": round(p, 4), "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "pr_curve_png": str(png), "sets": sets,
    }
    from bench.dpia import evaluate_fixture

    dpia_fixture = evaluate_fixture()
    summary["dpia_required_accuracy"] = {**{k: s["classification"]["dpia_required"]["accuracy"] for k, s in sets.items()},
                                         "fixture": dpia_fixture["accuracy"]}
    summary["dpia_fixture"] = dpia_fixture
    if args.real:
        summary["real"] = real if real is not None else {"skipped": _NO_REAL}
    for name, s in sets.items():
        c = s["classification"]
        print(f"{name}: precision {s['precision']:.3f} recall {s['recall']:.3f} F1 {s['f1']:.3f} "
              f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']}); title-only recall {s['title_only_recall']:.3f}; "
              f"AI-Act class accuracy {c['ai_act_accuracy']:.3f}, publication {c['publication_accuracy']:.3f}, "
              f"DPIA {c['dpia_accuracy']:.3f}")
        print(f"   recall by kind {s['by_kind_recall']}; kind guess right {s['kind_accuracy']}; "
              f"candidates per 100,000 ledger lines {s['candidates_per_100k_ledger_lines']}")
        for m in s["missed"][:5]:
            print(f"   missed: {m['source_key']} {m['title']!r} ({m['ai_score']})")
        for m in s["false_hits"][:5]:
            print(f"   false hit: {m['source_key']} {m['title']!r} ({m['ai_score']}: {m['reasons']})")
    print("DPIA required accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in summary["dpia_required_accuracy"].items()))
    for name, s in sets.items():
        for m in s["classification"]["dpia_required"]["misses"]:
            print(f"   DPIA miss {name}: {m['id']} truth {m['truth']} predicted {m['predicted']} ({m['rule']})")
    for m in dpia_fixture["misses"]:
        print(f"   DPIA miss fixture: {m['id']} truth {m['truth']} predicted {m['predicted']} ({m['rule']})")
    print(f"overall: precision {summary['precision']:.3f} recall {summary['recall']:.3f} F1 {summary['f1']:.3f}; "
          f"curve {png}; {seconds['total']} s")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0
