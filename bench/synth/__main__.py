"""``python -m bench.synth --out DIR [--seed N] [--scale X] [--variant demo|alt] [--json]``."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from bench.synth.core import generate

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Generate one municipality and print a short summary (or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__)
    parser.add_argument("--out", required=True, type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the number of rows (200 ≈ 1M ledger lines)")
    parser.add_argument("--variant", choices=("demo", "alt"), default="demo")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error("--scale must be positive")
    started = time.perf_counter()
    summary = generate(args.out, seed=args.seed, scale=args.scale, variant=args.variant)
    seconds = round(time.perf_counter() - started, 2)
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    summary.pop("respondent_identifiers", None)
    summary.update(seconds=seconds, peak_rss_mb=peak_mb)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        rows = ", ".join(f"{k}={v}" for k, v in summary["rows"].items())
        print(f"{args.variant} municipality written to {args.out} in {seconds} s (peak RSS {peak_mb} MB): {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
