"""``python -m bench ingest [--scale N] [--repeat R] [--json]``: the ledger connector vs DuckDB's read_csv.

Generates a cp1252 ``;`` ledger of N lines in the demo's format (vectorised) and a UTF-8 copy, then
times, R times each (medians reported, the machine may be busy):

* ``read_csv`` — the baseline: DuckDB's own ``read_csv`` (all_varchar) of the UTF-8 file into a
  pandas DataFrame of the same rows, by the fastest route DuckDB offers (Arrow → ``to_pandas``,
  pandas' default string dtype). ``read_csv_df_s`` is the same through ``.df()`` (slower; reported
  for comparison with earlier figures only, the ratio never uses it).
* ``connector_utf8`` — ``connectors.ledger.load`` on the same UTF-8 file: the like-for-like
  comparison (same file, same rows out as a DataFrame, no transcoding on either side). Its
  ratio to the baseline is ``ratio``.
* ``connector`` — ``load`` on the cp1252 file minus the streaming transcode (timed on its own), since
  DuckDB cannot read cp1252 at all; its ratio is ``ratio_cp1252``.

Peak RSS is measured in a fresh child process that only runs ``load`` on the cp1252 file
(``peak_rss_mb``; the bound is 2 GB, exit status 1 above it), so generation and baseline do not count.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from connectors._tabular import transcode_to_utf8
from connectors.base import SourceSpec
from connectors.ledger import load

__all__ = ["main", "generate", "RSS_LIMIT_MB"]

RSS_LIMIT_MB = 2048

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


def _child_load(path: str, queue) -> None:
    result = load(SourceSpec(id="bench", type="spend_ledger", path=Path(path)))
    queue.put((len(result.frame) + len(result.quarantine), _peak_rss_mb()))


def connector_peak_rss_mb(path: Path) -> tuple[int, float]:
    """(rows_in, peak RSS in MB) of ``load(path)`` in a fresh (spawned) process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child_load, args=(str(path), queue))
    proc.start()
    rows, rss = queue.get()
    proc.join()
    return rows, rss


def read_csv_baseline(path: Path, via_df: bool = False) -> pd.DataFrame:
    """DuckDB's own read_csv of a UTF-8 ``;`` file into a DataFrame of VARCHAR columns."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        sql = "SELECT * FROM read_csv(?, delim=';', header=true, all_varchar=true, store_rejects=true)"
        if via_df:
            return con.execute(sql, [str(path)]).df()
        return con.sql(sql, params=[str(path)]).to_arrow_table().to_pandas()
    finally:
        con.close()


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        out = None
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    n, repeat = args.scale, max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="aigrip-bench-") as tmp:
        src, utf8 = Path(tmp) / "crediteuren.csv", Path(tmp) / "utf8.csv"
        t0 = time.perf_counter()
        generate(src, n)
        gen_s = time.perf_counter() - t0
        rss_rows, rss_mb = connector_peak_rss_mb(src)
        transcode_s, _ = _timed(lambda: transcode_to_utf8(src, utf8, "cp1252"), repeat)
        spec_utf8 = SourceSpec(id="bench", type="spend_ledger", path=utf8)
        spec_cp = SourceSpec(id="bench", type="spend_ledger", path=src)
        samples: dict[str, list[float]] = {"read_csv": [], "read_csv_df": [], "connector_utf8": [], "load_cp1252": []}
        for _ in range(repeat):  # interleaved, so a burst of load from other jobs hits all alike
            for name, fn in (("read_csv", lambda: read_csv_baseline(utf8)),
                             ("read_csv_df", lambda: read_csv_baseline(utf8, via_df=True)),
                             ("connector_utf8", lambda: load(spec_utf8)),
                             ("load_cp1252", lambda: load(spec_cp))):
                t0 = time.perf_counter()
                out = fn()
                samples[name].append(time.perf_counter() - t0)
                rows = len(out) if isinstance(out, pd.DataFrame) else len(out.frame) + len(out.quarantine)
                if rows != n:
                    raise SystemExit(f"bench ingest: {name} returned {rows} rows, expected {n}")
                del out
        read_csv_s, read_df_s, utf8_s, load_s = (statistics.median(samples[k]) for k in samples)
    if rss_rows != n:
        raise SystemExit(f"bench ingest: the connector accounted for {rss_rows} rows, expected {n}")
    connector_s = max(load_s - transcode_s, 1e-9)
    out = {
        "name": "ingest", "scale": n, "repeat": repeat,
        "seconds": {"generate": round(gen_s, 3), "transcode": round(transcode_s, 3),
                    "connector_utf8": round(utf8_s, 3), "connector": round(connector_s, 3), "total": round(load_s, 3)},
        "duckdb_read_csv_s": round(read_csv_s, 3), "read_csv_df_s": round(read_df_s, 3),
        "ratio": round(utf8_s / read_csv_s, 2), "ratio_cp1252": round(connector_s / read_csv_s, 2),
        "rows_per_s": round(n / load_s), "peak_rss_mb": round(rss_mb, 1),
        "peak_rss_ok": rss_mb < RSS_LIMIT_MB,
        "samples": {k: [round(x, 3) for x in v] for k, v in samples.items()},
    }
    print(f"{'stage (median of ' + str(repeat) + ')':<34}{'seconds':>10}")
    for name, value in out["seconds"].items():
        print(f"{name:<34}{value:>10.3f}")
    print(f"{'duckdb read_csv → pandas (baseline)':<34}{read_csv_s:>10.3f}")
    print(f"{'duckdb read_csv → .df()':<34}{read_df_s:>10.3f}")
    print(f"connector / read_csv = {out['ratio']} (UTF-8), {out['ratio_cp1252']} (cp1252 minus transcode)  ·  "
          f"{out['rows_per_s']:,} rows/s (cp1252, all in)  ·  connector peak RSS {out['peak_rss_mb']} MB")
    if args.json:
        print(json.dumps(out))
    return 0 if out["peak_rss_ok"] else 1
