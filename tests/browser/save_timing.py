"""How long saving a review decision takes while a discovery run is busy.

``python -m tests.browser.save_timing [--scale 20] [--saves 20] [--pause 2] [--out DIR] [--json]``

Generates a municipality with ``python -m bench.synth --scale N`` (or reuses ``--out`` when it holds
one), runs discovery once, starts ``aigrip serve``, signs in over HTTP and saves ``--saves`` decisions
(register-field edits) with nothing else running; then starts a second ``aigrip run`` and saves one
decision every ``--pause`` seconds until that run ends (so every stage, and the snapshot being
replaced at its end, is covered).
Prints median / 95th percentile / max of the save (POST until the answer) and of save plus the page
that follows it (the detail page, read from the snapshot). With ``--json`` the last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.browser.helpers import ReviewClient, ReviewServer, add_reviewer, aigrip, aigrip_json, start_run

__all__ = ["main", "summarise"]

_USER, _PASSWORD = "meting", "meting-wachtwoord-1"


def summarise(seconds: list[float]) -> dict[str, float]:
    """n, median, p95 and max (seconds, 3 decimals) of a list of timings."""
    ordered = sorted(seconds)
    if not ordered:
        return {"n": 0}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ordered), "median": round(statistics.median(ordered), 3), "p95": round(p95, 3),
            "max": round(ordered[-1], 3)}


def _prepare(out: Path, scale: float) -> Path:
    config = out / "aigrip.yaml"
    if not config.exists():
        subprocess.run([sys.executable, "-m", "bench.synth", "--out", str(out), "--scale", str(scale)], check=True)
    if _USER not in config.read_text(encoding="utf-8"):
        add_reviewer(config, _USER, "Meting", _PASSWORD)
    if not (out / "var" / "snapshot.duckdb").exists():
        aigrip("run", "--config", str(config), timeout=3600)
    return config


def _save_series(client: ReviewClient, ids: list[str], count: int, run: subprocess.Popen | None,
                 pause: float) -> tuple[list[float], list[float]]:
    saves, pages = [], []
    for i in range(count):
        if run is not None and run.poll() is not None:
            break
        save_s, page_s, html = client.decide(ids[i % len(ids)], action="edit", owner=f"Meting {i}",
                                             reason="tijdmeting")
        if "opgeslagen" not in html:
            raise SystemExit(f"decision {i} was not saved: the page does not confirm it")
        if run is None or run.poll() is None:
            saves.append(save_s)
            pages.append(page_s)
        time.sleep(pause)
    return saves, pages


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m tests.browser.save_timing", description=__doc__)
    parser.add_argument("--scale", type=float, default=20.0, help="bench.synth scale of the municipality")
    parser.add_argument("--saves", type=int, default=20, help="decisions to save with no run busy")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between saves during the run")
    parser.add_argument("--out", type=Path, help="folder of the generated municipality (reused when present)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="aigrip-save-timing-"))
    config = _prepare(out, args.scale)
    ids = [r["system_id"] for r in aigrip_json("review", "list", "--config", str(config))][:5]
    if not ids:
        raise SystemExit("no candidates to decide on")
    with ReviewServer(config, out / "serve.log") as server:
        client = ReviewClient(server.url, _USER, _PASSWORD)
        idle_saves, idle_pages = _save_series(client, ids, args.saves, None, 0.05)
        run = start_run(config, out / "run-during-saves.log")
        started = time.perf_counter()
        time.sleep(2.0)  # let the run get going (ingest holds the warehouse from here on)
        busy_saves, busy_pages = _save_series(client, ids, 100_000, run, args.pause)
        code = run.wait(timeout=3600)
        run_s = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"the discovery run failed (exit {code}); see {out / 'run-during-saves.log'}")
    result = {
        "name": "review_save", "scale": args.scale, "run_s": round(run_s, 1),
        "idle": {"save": summarise(idle_saves), "save_and_page": summarise(idle_pages)},
        "during_run": {"save": summarise(busy_saves), "save_and_page": summarise(busy_pages)},
    }
    for label in ("idle", "during_run"):
        s, p = result[label]["save"], result[label]["save_and_page"]
        if s["n"]:
            print(f"{label:>10}: {s['n']} saves, median {s['median']:.3f} s, p95 {s['p95']:.3f} s, max {s['max']:.3f} s;"
                  f" with the next page median {p['median']:.3f} s, max {p['max']:.3f} s")
    print(f"discovery run at scale {args.scale}: {run_s:.1f} s")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
