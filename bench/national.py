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
import tempfile
import time

import duckdb
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


_SYLLABLES = tuple(dict.fromkeys("ka ro me ti lu sa ne vo di ba ge ri to mu la pe zo fi ha de ko ni wa se bu ja li mo te ru "
                                 "ve do pa si".split()))
# share of made-up words of 2, 3, 4 and 5 syllables (a tier that runs out passes its rest to the next)
_SYLLABLE_MIX = (0.1, 0.3, 0.6, 0.0)


def _lexicon(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct made-up words (product names and their own description words), drawn without
    replacement from the words of 2–5 two-letter syllables (35^5 ≈ 52 million possible words)."""
    k = len(_SYLLABLES)
    want = np.floor(np.asarray(_SYLLABLE_MIX) * n).astype(np.int64)
    want[-1] += n - want.sum()
    words: list[str] = []
    carry = 0
    for tier, size in enumerate(want, start=2):
        count = min(int(size) + carry, k ** tier)
        carry = int(size) + carry - count
        codes = rng.choice(k ** tier, size=count, replace=False)
        digits = (codes[:, None] // k ** np.arange(tier)[None, :]) % k
        words.extend("".join(_SYLLABLES[d] for d in row) for row in digits.tolist())
    return np.asarray(sorted(words), dtype=object)


def _typos(rng: np.random.Generator, names: np.ndarray) -> np.ndarray:
    """Two neighbouring letters swapped somewhere after the second letter (names of 6+ letters)."""
    lengths = np.fromiter((len(s) for s in names), dtype=np.int64, count=len(names))
    pos = (2 + rng.random(len(names)) * np.maximum(lengths - 4, 1)).astype(np.int64)
    return np.asarray([s if len(s) < 6 else s[:i] + s[i + 1] + s[i] + s[i + 2:]
                       for s, i in zip(names.tolist(), pos.tolist(), strict=True)], dtype=object)


def _pick_distinct(rng: np.random.Generator, rows: int, pool: int, k: int) -> np.ndarray:
    """Per row ``k`` distinct indices into a pool of ``pool`` (the first k of a random order)."""
    return np.argsort(rng.random((rows, pool)), axis=1)[:, :k]


def generate_records(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` national records (peer_register_entries shape) and their true product (``truth``):
    80% of them entries of shared products (n/8 products), 20% one-off algorithms. Vectorised:
    1M records in well under a minute."""
    rng = np.random.default_rng(seed)
    common = np.asarray(_WORDS, dtype=object)
    n_products = max(n // 8, 1)
    lexicon = _lexicon(rng, 4 * n_products + n // 2 + 100)
    # products: a made-up name + suffix + second word, a vendor, 8 description words (5 common, 3 own)
    own = rng.integers(0, len(lexicon), size=(n_products, 5))
    own_w = lexicon[own]
    cap = np.asarray([w.capitalize() for w in own_w[:, 0].tolist()], dtype=object)
    p_name = cap + np.asarray(_SUFFIX, dtype=object)[rng.integers(0, len(_SUFFIX), n_products)] + " " + own_w[:, 1]
    p_vendor = (np.asarray([w.capitalize() for w in own_w[:, 2].tolist()], dtype=object) + " "
                + np.asarray(_VENDOR, dtype=object)[rng.integers(0, len(_VENDOR), n_products)])
    p_words = np.concatenate([common[_pick_distinct(rng, n_products, len(common), 5)], own_w[:, 3:], own_w[:, :1],
                              np.full((n_products, 1), None, dtype=object)], axis=1)
    # every record: a product entry (80%) or a one-off algorithm (20%)
    shared = rng.random(n) < 0.8
    product = rng.integers(0, n_products, n)
    s_own = lexicon[rng.integers(0, len(lexicon), size=(n, 3))]
    s_common = common[_pick_distinct(rng, n, len(common), 6)]
    s_first = np.asarray([w.capitalize() for w in s_common[:, 0].tolist()], dtype=object)
    name = np.where(shared, p_name[product], s_first + " " + s_own[:, 0])
    vendor = np.where(shared, p_vendor[product], None)
    words = np.where(shared[:, None], p_words[product], np.concatenate([s_common, s_own], axis=1))
    truth = np.where(shared, np.char.add("P", product.astype(str)).astype(object),
                     np.char.add("S", np.arange(n).astype(str)).astype(object))
    # how the name is written: lower case, words reversed, a word added, a typo, or as is
    r = rng.random(n)
    extra = common[rng.integers(0, len(common), n)]
    reversed_ = np.asarray([" ".join(reversed(s.split())) for s in name.tolist()], dtype=object)
    shown = np.select([r < 0.15, r < 0.25, r < 0.4, r < 0.5],
                      [np.asarray([s.lower() for s in name.tolist()], dtype=object), reversed_,
                       name + " " + extra, _typos(rng, name)], default=name)
    # the description: the words in a random order (missing words last) in one of three wordings
    order = np.argsort(np.where(words == None, 2.0, rng.random(words.shape)), axis=1)  # noqa: E711
    w = np.take_along_axis(words, order, axis=1)
    template = rng.integers(0, len(_DESC), n)
    desc = [_DESC[t].format(p=nm.split()[0], a=" ".join(x for x in ws[0:3] if x), b=" ".join(x for x in ws[3:6] if x),
                            c=" ".join(x for x in ws[6:9] if x))
            for t, nm, ws in zip(template.tolist(), name.tolist(), w.tolist(), strict=True)]
    org = rng.integers(0, 400, n)
    organisations = np.asarray([f"Gemeente {chr(65 + i % 26)}{i:03d}dorp" for i in range(400)], dtype=object)
    form = np.asarray(_FORMS, dtype=object)[rng.integers(0, len(_FORMS), n)]
    provider = np.where((vendor == None) | (rng.random(n) < 0.3), None,  # noqa: E711
                        np.asarray([f"{v} {f}".strip() if v else None for v, f in zip(vendor.tolist(), form.tolist(), strict=True)],
                                   dtype=object))
    ids = np.char.zfill(np.arange(n).astype(str), 8).astype(object)
    return pd.DataFrame({"entry_key": "gen:" + ids, "organisation": organisations[org],
                         "org_code": np.char.add("gm", np.char.zfill(org.astype(str), 4)).astype(object),
                         "lars": ids, "name": shown, "description_short": desc, "provider": provider, "truth": truth})


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


def _edge_diff(records: pd.DataFrame, duck: pd.DataFrame, spark: pd.DataFrame, limit: int = 100) -> tuple[float, int, list]:
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


def _run(n: int, with_spark: bool, spark_cores: int, duckdb_memory: str = "4GB", spark_memory: str = "1g") -> dict:
    from transforms.national import national_records

    peers = generate_records(n)
    records = national_records(peers.drop(columns=["truth"]))
    out: dict = {"records": n, "seconds": {}}
    t = time.perf_counter()
    # DuckDB bounded like a run on a shared node (it spills to disk beyond the limit)
    con = duckdb.connect(config={"memory_limit": duckdb_memory, "threads": 2,
                                 "temp_directory": tempfile.mkdtemp(prefix="aigrip-national-")})
    duck = link_records(records, con=con)
    labels_duck = national_clusters(len(records), duck)
    out["seconds"]["duckdb"] = round(time.perf_counter() - t, 2)
    out["duckdb"] = pairwise_scores(pd.Series(labels_duck), peers["truth"]) | {"scored_pairs": len(duck)}
    if with_spark:
        t = time.perf_counter()
        spark = local_spark_session(cores=spark_cores, memory=spark_memory)
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
    ap.add_argument("--spark-memory", default="1g", help="Spark driver memory (local mode), e.g. 4g for 1M records")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.scale]
    missing = None if args.no_spark else spark_available()
    if missing:
        print(f"Spark backend not available ({missing}): DuckDB only")
    runs = []
    for n in sizes:
        run = _run(n, with_spark=not args.no_spark and missing is None, spark_cores=args.spark_cores,
                   spark_memory=args.spark_memory)
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
