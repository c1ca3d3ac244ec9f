"""Train the reconciliation model and write it as Splink model JSON.

``python -m transforms.reconcile.train --out transforms/reconcile/model.json [--systems N] [--seed S]
[--labelled FILE]`` — the shipped ``model.json`` was made with the defaults (generated labelled data,
so a small municipality needs no training run). With ``--labelled`` a CSV/Parquet of candidate
records with a ``truth`` column (real-world system label) is used as well, e.g. a reviewed inventory.

u-probabilities come from random sampling, m-probabilities from the labels, and the prior
(probability that two random profiles match) from the labelled pairs.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import duckdb
import pandas as pd

from transforms.errors import AigripError
from transforms.reconcile.features import prepare_profiles
from transforms.reconcile.labelled import generate_records
from transforms.reconcile.settings import capped_blocking_columns, settings_creator

__all__ = ["train_model", "main"]

_FLOOR = 1e-5


def _labelled_profiles(records: pd.DataFrame) -> pd.DataFrame:
    keys, profiles = prepare_profiles(records)
    truth = keys.merge(records[["source_key", "truth"]], on="source_key")
    majority = truth.groupby("profile_id")["truth"].agg(lambda s: s.value_counts().index[0])
    profiles["truth"] = profiles["unique_id"].map(majority)
    return profiles


def train_model(records: pd.DataFrame, *, seed: int = 42) -> dict:
    """Train on labelled records (reconcile input columns + ``truth``); returns the model dict."""
    from splink import DuckDBAPI, Linker

    if "truth" not in records.columns:
        raise AigripError("labelled records need a 'truth' column naming the real-world system of each record")
    profiles = capped_blocking_columns(_labelled_profiles(records))
    n = len(profiles)
    sizes = profiles.groupby("truth").size()
    matching_pairs = float((sizes * (sizes - 1) / 2).sum())
    prior = max(matching_pairs / max(n * (n - 1) / 2, 1.0), 1e-6)

    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(profiles)
    settings = settings_creator()
    settings.probability_two_random_records_match = prior
    settings.additional_columns_to_retain = ["truth"]
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=seed)
    linker.training.estimate_m_from_label_column("truth")
    model = linker.misc.save_model_to_json()
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        # no labelled match reached any level of this comparison (e.g. no two matching records both
        # had a description): its m is unknown, not zero, so it is no evidence either way — a floor
        # would make it near-certain evidence (1e-5 against 1.0 is -16.6 bits)
        unobserved = all(not lv.get("m_probability") for lv in levels)
        for level in levels:
            m, u = level.get("m_probability"), level.get("u_probability")
            if unobserved:
                m = u
            # a level never seen among thousands of labelled matches (or random pairs) is strong,
            # not certain, evidence
            level["m_probability"] = min(max(float(m or _FLOOR), _FLOOR), 1.0)
            level["u_probability"] = min(max(float(u or _FLOOR), _FLOOR), 1.0)
    model["additional_columns_to_retain"] = []
    model["probability_two_random_records_match"] = prior
    # matching pairs per profile: reconcile() derives the prior for n profiles as 2 * this / (n - 1)
    model["aigrip_matching_pairs_per_profile"] = matching_pairs / max(n, 1)
    con.close()
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m transforms.reconcile.train", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="where to write the model JSON")
    parser.add_argument("--systems", type=int, default=1500, help="generated systems per variant (default 1500)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--labelled", type=Path, help="extra labelled records (CSV or Parquet with a truth column)")
    args = parser.parse_args(argv)
    frames = [
        generate_records(args.systems, seed=args.seed, hard=False),
        generate_records(args.systems, seed=args.seed + 1, hard=True),
    ]
    frames[1] = frames[1].assign(truth="H" + frames[1]["truth"], source_key="h" + frames[1]["source_key"])
    if args.labelled:
        try:
            extra = (pd.read_parquet if args.labelled.suffix == ".parquet" else pd.read_csv)(args.labelled)
        except (OSError, ValueError) as exc:
            print(f"cannot read labelled file {args.labelled}: {exc}", file=sys.stderr)
            return 1
        frames.append(extra.assign(truth="X" + extra["truth"].astype(str)))
    try:
        model = train_model(pd.concat(frames, ignore_index=True), seed=args.seed)
    except AigripError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
