"""``python -m bench national [--scale N] [--sizes 10000,100000] [--no-spark] [--json]`` — the national
picture on Splink's DuckDB backend against its Spark backend (local mode).

Generated national records (:func:`generate_records`): products named by many organisations with
variation (case, word order, a suffix, a typo, another description wording, a provider written
differently), plus one-off algorithms. For each size: wall time of ``link_records`` + clustering
on each backend (Spark: session start-up timed apart), pairwise agreement of the two clusterings
(pairs in the same product on both / pairs in the same product on either), agreement of the scored
pairs, the differing pairs listed, and pairwise precision/recall/F1 of each against the generated truth.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import pandas as pd

from bench.reconcile import pairwise_scores
from transforms.national import link_records, national_clusters
from transforms.reconcile.backend import local_spark_session, spark_available

__all__ = ["main", "generate_records", "cluster_agreement"]

_WORDS = ("parkeer scan kenteken camera anonimiseer tekst vertaal chatbot assistent route afval container "
          "melding signaal fraude risico subsidie bijstand woz taxatie leges zorg jeugd match werk beheer "
          "veilig mail document archief spraak lees beeld herken plan omgeving vergunning belasting").split()
_SUFFIX = ("app", "tool", "scan", "check", "model", "platform", "systeem", "portaal", "wijzer", "monitor")
_VENDOR = ("Datalab", "Solutions", "Software", "Systems", "Analytics", "Tech", "Group", "Labs")
_FORMS = ("B.V.", "BV", "", "N.V.")
_DESC = ("{p} ondersteunt medewerkers bij {a} door {b} te analyseren en {c} voor te stellen",
         "Met {p} worden {b} automatisch gecontroleerd op {a}; de uitkomst is {c}",
         "Het systeem {p} gebruikt {b} om {a} te signaleren, een medewerker beoordeelt {c}")


def _typo(rng: np.random.Generator, s: str) -> str:
    if len(s) < 6:
        return s
    i = int(rng.integers(2, len(s) - 2))
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


_SYLLABLES = ("ka ro me ti lu sa ne vo di ba ge ri to mu la pe zo fi ha de ko ni wa se bu ja li mo te ru "
              "ve do pa si ge").split()


def _lexicon(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct made-up words (product names and their own description words); 2–4 syllables
    give 1.3 million possible words, enough for 1M records."""
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYLLABLES, size=int(rng.integers(2, 5)))))
    return sorted(words)


def generate_records(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` national records (peer_register_entries shape) and their true product (``truth``):
    80% of them entries of shared products (n/8 products), 20% one-off algorithms."""
    rng = np.random.default_rng(seed)
    n_products = max(n // 8, 1)
    lexicon = _lexicon(rng, 4 * n_products + n // 2 + 100)
    products = []
    for _ in range(n_products):
        own = rng.choice(lexicon, size=5, replace=False)
        name = f"{own[0].capitalize()}{rng.choice(_SUFFIX)} {own[1]}"
        vendor = f"{own[2].capitalize()} {rng.choice(_VENDOR)}"
        words = np.concatenate([rng.choice(_WORDS, size=5, replace=False), own[3:], own[:1]])
        products.append((name, vendor, words))
    rows = []
    organisations = [f"Gemeente {chr(65 + i % 26)}{i:03d}dorp" for i in range(400)]
    for i in range(n):
        if rng.random() < 0.8:
            t = int(rng.integers(0, n_products))
            name, vendor, words = products[t]
            truth = f"P{t}"
        else:
            own = rng.choice(lexicon, size=3, replace=False)
            common = rng.choice(_WORDS, size=6, replace=False)
            name, vendor, words = f"{common[0].capitalize()} {own[0]}", None, np.concatenate([common, own])
            truth = f"S{i}"
        r = rng.random()
        shown = (name.lower() if r < 0.15 else " ".join(reversed(name.split())) if r < 0.25
                 else f"{name} {rng.choice(_WORDS)}" if r < 0.4 else _typo(rng, name) if r < 0.5 else name)
        order = rng.permutation(len(words))
        w = [str(words[k]) for k in order]
        desc = _DESC[int(rng.integers(0, len(_DESC)))].format(
            p=name.split()[0], a=" ".join(w[0:3]), b=" ".join(w[3:6]), c=" ".join(w[6:9]))
        org = int(rng.integers(0, len(organisations)))
        rows.append({"entry_key": f"gen:{i:08d}", "organisation": organisations[org], "org_code": f"gm{org:04d}",
                     "lars": f"{i:08d}", "name": shown, "description_short": desc,
                     "provider": None if vendor is None or rng.random() < 0.3 else f"{vendor} {rng.choice(_FORMS)}".strip(),
                     "truth": truth})
    return pd.DataFrame(rows)


def _same_cluster_pairs(a: np.ndarray) -> int:
    counts = np.bincount(pd.factorize(a)[0])
    return int((counts * (counts - 1) // 2).sum())


def cluster_agreement(a: np.ndarray, b: np.ndarray) -> dict:
    """Pairs in the same cluster on both / on either (1.0 when both have none)."""
    both = _same_cluster_pairs(pd.Series(a).astype(str) + "|" + pd.Series(b).astype(str))
    in_a, in_b = _same_cluster_pairs(np.asarray(a)), _same_cluster_pairs(np.asarray(b))
    either = in_a + in_b - both
    return {"pairs_duckdb": in_a, "pairs_spark": in_b, "pairs_both": both,
            "agreement": 1.0 if either == 0 else round(both / either, 6)}


def _edge_diff(records: pd.DataFrame, duck: pd.DataFrame, spark: pd.DataFrame, limit: int = 20) -> tuple[float, int, list]:
    key = ["unique_id_l", "unique_id_r"]
    m = duck.merge(spark, on=key, how="outer", suffixes=("_duckdb", "_spark"), indicator=True)
    differ = m[(m["_merge"] != "both") | ((m["match_probability_duckdb"] - m["match_probability_spark"]).abs() > 1e-6)]
    agreement = 1.0 if len(m) == 0 else round(1 - len(differ) / len(m), 6)
    names = records["name"].tolist()
    listed = [{"left": names[int(r.unique_id_l)], "right": names[int(r.unique_id_r)],
               "p_duckdb": None if pd.isna(r.match_probability_duckdb) else round(float(r.match_probability_duckdb), 4),
               "p_spark": None if pd.isna(r.match_probability_spark) else round(float(r.match_probability_spark), 4)}
              for r in differ.head(limit).itertuples(index=False)]
    return agreement, len(differ), listed


def _run(n: int, with_spark: bool, spark_cores: int) -> dict:
    from transforms.national import national_records

    peers = generate_records(n)
    records = national_records(peers.drop(columns=["truth"]))
    out: dict = {"records": n, "seconds": {}}
    t = time.perf_counter()
    duck = link_records(records)
    labels_duck = national_clusters(len(records), duck)
    out["seconds"]["duckdb"] = round(time.perf_counter() - t, 2)
    out["duckdb"] = pairwise_scores(pd.Series(labels_duck), peers["truth"]) | {"scored_pairs": len(duck)}
    if with_spark:
        t = time.perf_counter()
        spark = local_spark_session(cores=spark_cores, memory="1g")
        out["seconds"]["spark_start"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        sprk = link_records(records, "spark", spark=spark)
        labels_spark = national_clusters(len(records), sprk)
        out["seconds"]["spark"] = round(time.perf_counter() - t, 2)
        out["spark"] = pairwise_scores(pd.Series(labels_spark), peers["truth"]) | {"scored_pairs": len(sprk)}
        out["cluster_agreement"] = cluster_agreement(labels_duck, labels_spark)
        out["edge_agreement"], out["n_differences"], out["differences"] = _edge_diff(records, duck, sprk)
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench national")
    ap.add_argument("--scale", type=int, default=10_000, help="records (when --sizes is not given)")
    ap.add_argument("--sizes", default=None, help="comma-separated record counts, e.g. 10000,100000")
    ap.add_argument("--no-spark", action="store_true", help="DuckDB only")
    ap.add_argument("--spark-cores", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.scale]
    missing = None if args.no_spark else spark_available()
    if missing:
        print(f"Spark backend not available ({missing}): DuckDB only")
    runs = []
    for n in sizes:
        run = _run(n, with_spark=not args.no_spark and missing is None, spark_cores=args.spark_cores)
        runs.append(run)
        line = f"{n:>9,} records  duckdb {run['seconds']['duckdb']:>7.1f} s  F1 {run['duckdb']['f1']:.4f}"
        if "spark" in run:
            line += (f"  |  spark {run['seconds']['spark']:>7.1f} s (+{run['seconds']['spark_start']:.1f} s start)"
                     f"  F1 {run['spark']['f1']:.4f}  |  cluster agreement {run['cluster_agreement']['agreement']:.6f}"
                     f"  pair agreement {run['edge_agreement']:.6f}  differing pairs {run['n_differences']}")
        print(line.replace(",", "."))
        for d in run.get("differences", [])[:10]:
            print(f"    {d['left']!r} ~ {d['right']!r}: duckdb {d['p_duckdb']}, spark {d['p_spark']}")
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    last = runs[-1]
    summary = {"name": "national", "scale": last["records"],
               "seconds": {**last["seconds"], "total": round(sum(last["seconds"].values()), 2)},
               "peak_rss_mb": round(peak, 1), "runs": runs}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 0
