"""``python -m bench ingest [--scale N] [--json]``: the ledger connector vs DuckDB's own read_csv.

Generates a cp1252 ``;`` ledger of N lines in the demo's format (vectorised), then times the
transcode to UTF-8, the connector's ``load`` (which transcodes again, so its time is reported
minus the transcode), and a bare ``read_csv`` (all_varchar) of the transcoded file into pandas.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from connectors._tabular import transcode_to_utf8
from connectors.base import SourceSpec
from connectors.ledger import load

__all__ = ["main", "generate"]

HEADER = "Boekstuk;Boekdatum;Crediteurnummer;Crediteurnaam;KvK-nummer;Factuuromschrijving;Bedrag incl. btw;Kostenplaats"
_SUPPLIERS = np.array(["Centric Netherlands B.V.", "PinkRoccade Local Government", "Café Één", "Xxllnc", "Brickyard B.V.",
                       "Microsoft Ireland", "DeepL SE", "Octobox", "Totta Data Lab", "Gemeentelijk Gebouwenbeheer"])
_TEXTS = np.array(["Licentie 2025", "Abonnement Q3 “AI-module”", "Onderhoud € contract", "Consultancy", "Scanauto huur",
                   "Vertaaldienst", "Kantoorartikelen", "Hosting"])
_DEPTS = np.array(["Burgerzaken", "Parkeren", "KCC", "Sociaal Domein", "Financiën"])


def generate(path: Path, n: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    day = rng.integers(1, 29, n)
    month = rng.integers(1, 13, n)
    cents = rng.integers(-50_000, 5_000_000, n)
    euros = np.abs(cents) // 100
    amount = pd.Series(euros).map("{:,}".format).str.replace(",", ".") + "," + pd.Series(np.abs(cents) % 100).map("{:02d}".format)
    amount = np.where(cents < 0, "-" + amount, amount)
    frame = pd.DataFrame({
        "b": "2025-" + pd.Series(idx).astype(str).str.zfill(7),
        "d": pd.Series(day).map("{:02d}".format) + "-" + pd.Series(month).map("{:02d}".format) + "-2025",
        "c": pd.Series(rng.integers(1000, 9999, n)).astype(str),
        "s": _SUPPLIERS[rng.integers(0, len(_SUPPLIERS), n)],
        "k": pd.Series(rng.integers(0, 99_999_999, n)).astype(str).str.zfill(8),
        "t": _TEXTS[rng.integers(0, len(_TEXTS), n)],
        "a": amount,
        "p": _DEPTS[rng.integers(0, len(_DEPTS), n)],
    })
    body = frame.to_csv(sep=";", header=False, index=False, lineterminator="\r\n")
    path.write_bytes((HEADER + "\r\n" + body).encode("cp1252"))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aigrip-bench-") as tmp:
        src = Path(tmp) / "crediteuren.csv"
        t0 = time.perf_counter()
        generate(src, args.scale)
        gen_s = time.perf_counter() - t0
        utf8 = Path(tmp) / "utf8.csv"
        t0 = time.perf_counter()
        transcode_to_utf8(src, utf8, "cp1252")
        transcode_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = load(SourceSpec(id="bench", type="spend_ledger", path=src))
        load_s = time.perf_counter() - t0
        connector_s = max(load_s - transcode_s, 1e-9)
        t0 = time.perf_counter()
        con = duckdb.connect()
        baseline = con.execute(
            "SELECT * FROM read_csv(?, delim=';', header=true, all_varchar=true, store_rejects=true)", [str(utf8)]
        ).df()
        con.close()
        read_csv_s = time.perf_counter() - t0
    assert len(result.frame) + len(result.quarantine) == args.scale == len(baseline)
    out = {
        "name": "ingest", "scale": args.scale,
        "seconds": {"generate": round(gen_s, 3), "transcode": round(transcode_s, 3), "connector": round(connector_s, 3),
                    "total": round(load_s, 3)},
        "duckdb_read_csv_s": round(read_csv_s, 3), "ratio": round(connector_s / read_csv_s, 2),
        "rows_per_s": round(args.scale / load_s), "peak_rss_mb": round(_peak_rss_mb(), 1),
    }
    print(f"{'stage':<28}{'seconds':>10}")
    for name, value in out["seconds"].items():
        print(f"{name:<28}{value:>10.3f}")
    print(f"{'duckdb read_csv (baseline)':<28}{read_csv_s:>10.3f}")
    print(f"connector / read_csv = {out['ratio']}  ·  {out['rows_per_s']:,} rows/s  ·  peak RSS {out['peak_rss_mb']} MB")
    if args.json:
        print(json.dumps(out))
    return 0
