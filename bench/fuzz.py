"""``python -m bench fuzz [--files N] [--seed S] [--jobs J] [--json]``: the accounting contract over many
generated files (bench/fuzz_files.py): every CSV/XLSX reader, random quotes, lengths, encodings,
line breaks, control characters and NULs. Prints files per reader, failures (with the first
failing file kept under /tmp for a look) and files per second."""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from bench.fuzz_files import READERS, check_accounting, csv_files, write_file, write_xlsx, xlsx_files
from connectors import SourceSpec, load_source
from transforms.errors import ConfigError, SourceError

__all__ = ["main"]


def _run(reader: str, kind: str, n: int, keep: Path, rng_seed: int) -> dict:
    stats = {"files": 0, "refused": 0, "failures": 0, "first_failure": None}

    @seed(rng_seed)
    @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given((csv_files if kind == "csv" else xlsx_files)(reader))
    def one(f):
        stats["files"] += 1
        with tempfile.TemporaryDirectory() as tmp:
            path = (write_file if kind == "csv" else write_xlsx)(f, Path(tmp) / f"bron.{kind}")
            try:
                result = load_source(SourceSpec(id="fuzz", type=reader, path=path))
                check_accounting(result, f)
            except (SourceError, ConfigError) as exc:
                stats["refused"] += 1
                if "\n" in str(exc):
                    raise AssertionError(f"error of more than one line: {exc!r}") from None
            except AssertionError as exc:
                stats["failures"] += 1
                if stats["first_failure"] is None:
                    target = keep / f"fuzz-failure-{reader}.{kind}"
                    shutil.copy(path, target)
                    stats["first_failure"] = f"{target}: {exc}"

    one()
    return stats


def _timed_run(task: tuple) -> tuple[dict, float]:
    t = time.perf_counter()
    stats = _run(*task)
    return stats, round(time.perf_counter() - t, 2)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench fuzz")
    parser.add_argument("--files", type=int, default=20000, help="files in all (default 20000)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--scale", type=int, default=None, help="alias of --files")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--jobs", type=int, default=1, help="readers fuzzed in parallel processes (same files, same results)")
    args = parser.parse_args(argv)
    total = args.scale or args.files
    rng_seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    keep = Path(tempfile.gettempdir())
    jobs = [(r, "csv") for r in sorted(READERS)] + [(r, "xlsx") for r in sorted(READERS)]
    weights = {"csv": 4, "xlsx": 1}
    share = total / sum(weights[k] for _, k in jobs)
    start = time.perf_counter()
    results, seconds = {}, {}
    tasks = [(reader, kind, max(1, round(share * weights[kind])), keep, rng_seed) for reader, kind in jobs]
    # the files depend only on (reader, kind, count, seed): --jobs N gives the same files and results
    with ProcessPoolExecutor(max_workers=args.jobs) if args.jobs > 1 else nullcontext() as pool:
        if pool:  # the slowest reader (ledger CSV) first, so that it does not start last
            first = sorted(range(len(tasks)), key=lambda i: (jobs[i][1] != "csv", jobs[i][0] != "spend_ledger"))
            futures = {i: pool.submit(_timed_run, tasks[i]) for i in first}
            runs = (futures[i].result() for i in range(len(tasks)))
        else:
            runs = map(_timed_run, tasks)
        for (reader, kind), (r, secs) in zip(jobs, runs, strict=True):
            results[f"{reader}.{kind}"], seconds[f"{reader}.{kind}"] = r, secs
            print(f"{reader:24} {kind:4} {r['files']:6} files  {r['refused']:4} refused  {r['failures']:3} failures"
                  + (f"  first: {r['first_failure']}" if r["first_failure"] else ""), flush=True)
    secs = time.perf_counter() - start
    files = sum(r["files"] for r in results.values())
    failures = sum(r["failures"] for r in results.values())
    print(f"{files} files in {secs:.1f} s ({files / secs:.0f} files/s), seed {rng_seed}: {failures} failures")
    if args.json:
        seconds["total"] = round(secs, 2)
        print(json.dumps({"name": "fuzz", "scale": files, "seconds": seconds, "seed": rng_seed,
                          "peak_rss_mb": round(max(resource.getrusage(who).ru_maxrss for who in
                                                (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024, 1),
                          "files": files, "failures": failures,
                          "per_reader": {k: {x: v[x] for x in ("files", "refused", "failures")} for k, v in results.items()}}))
    return 1 if failures else 0
