"""``python -m bench tenants [--tenants 20] [--scale 100000] [--concurrency 2] [--modes serial,queued]
[--workdir DIR] [--json]`` — many municipalities on one machine: throughput and memory per run.

Generates ``--tenants`` municipalities of ``--scale`` ledger lines each with ``bench.synth`` (each its own
seed, organisation code, ``aigrip.yaml`` and ``data_dir``; one national-register file shared by all, as
on a platform) and a ``tenants.yaml``, then runs the platform once per mode:

* ``serial`` — one tenant at a time;
* ``queued`` — ``--concurrency`` tenants at a time.

For each mode: wall time, throughput (tenants per hour, ledger lines per second), per run its wall time,
exit code and peak RSS of its whole process tree (psutil, polled every 0.25 s, per pid), the peak of all
runs together, and the machine's load average while it ran (the machine may be shared: say so beside
the figures). Each mode starts from empty ``data_dir``s, so both do the same work.

How a mode starts its runs is :func:`platform_commands` — until ``aigrip run --all-tenants`` exists it
starts one ``aigrip run --config <tenant>/aigrip.yaml`` per tenant, at most ``concurrency`` at once;
switching to Dagster's queued run coordinator is the one line :data:`ALL_TENANTS_CLI`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil

__all__ = ["main", "generate_platform", "platform_commands", "run_mode", "ALL_TENANTS_CLI"]

# THE SWITCH: True once `aigrip run --config tenants.yaml --all-tenants --concurrency N` exists (the
# platform's runs then go through Dagster's queued run coordinator in one command); False starts one
# `aigrip run --config <tenant>/aigrip.yaml` subprocess per tenant, `concurrency` at a time.
ALL_TENANTS_CLI = True

AS_OF = "2026-11-15"
# bench.synth at scale 1 writes 5,000 ledger lines (scale 200 ≈ 1M)
_LINES_AT_SCALE_1 = 5000
_POLL_S = 0.25
_OK_EXIT = {0, 3}  # 3: completed, a source failed to load (README, exit codes)
_AIGRIP = [str(Path(sys.executable).with_name("aigrip"))]


@dataclass
class Run:
    """One started command: a tenant's run (or, with ALL_TENANTS_CLI, the whole platform)."""

    label: str
    command: list[str]
    seconds: float = 0.0
    exit_code: int | None = None
    peak_rss_mb: float = 0.0
    peak_by_pid: dict[int, tuple[str, float]] = field(default_factory=dict)
    error: str = ""


class _Monitor:
    """Polls the process trees of the running commands: peak RSS per tree, per pid, and all together."""

    def __init__(self) -> None:
        self.roots: dict[int, Run] = {}
        self.peak_total_mb = 0.0
        self.loads: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> _Monitor:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def watch(self, pid: int, run: Run) -> None:
        with self._lock:
            self.roots[pid] = run

    def forget(self, pid: int) -> None:
        self.sample()
        with self._lock:
            self.roots.pop(pid, None)

    def sample(self) -> None:
        with self._lock:
            roots = dict(self.roots)
        total = 0.0
        for pid, run in roots.items():
            try:
                root = psutil.Process(pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            tree = 0.0
            for p in procs:
                try:
                    mb = p.memory_info().rss / 2**20
                    name = " ".join(p.cmdline()[:5])[-100:]
                except psutil.Error:
                    continue
                tree += mb
                if mb > run.peak_by_pid.get(p.pid, ("", 0.0))[1]:
                    run.peak_by_pid[p.pid] = (name, mb)
            run.peak_rss_mb = max(run.peak_rss_mb, tree)
            total += tree
        self.peak_total_mb = max(self.peak_total_mb, total)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self.loads.append(os.getloadavg()[0])
            self._stop.wait(_POLL_S)


def _synth(out: Path, seed: int, lines: int) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.synth", "--out", str(out), "--seed", str(seed),
                           "--scale", f"{lines / _LINES_AT_SCALE_1:.4f}", "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _tenant_config(text: str, *, name: str, code: str, register: str) -> str:
    """The generated aigrip.yaml as one tenant of the platform: its own name and code, the shared
    national-register file; ``data_dir`` is filled in per mode."""
    out = []
    for line in text.splitlines():
        if line.startswith("organisation:"):
            line = re.sub(r"name: [^,]+, code: \w+", f"name: {name}, code: {code}", line)
        elif line.startswith("data_dir:"):
            line = "data_dir: {data_dir}"
        elif "type: national_register" in line:
            line = re.sub(r"path: [^,}]+", f"path: {register}", line)
        out.append(line)
    return "\n".join(out) + "\n"


def generate_platform(work: Path, tenants: int, lines: int, *, workers: int = 2) -> dict:
    """``tenants`` generated municipalities under ``work/gemeenten/<code>/`` with one shared national
    register in ``work/shared/``; returns their codes, folders and ledger lines. Reuses a folder that
    was generated with the same parameters (``work/platform.json``)."""
    marker = work / "platform.json"
    wanted = {"tenants": tenants, "lines": lines}
    if marker.exists():
        known = json.loads(marker.read_text())
        if {k: known.get(k) for k in wanted} == wanted:
            return known | {"generate_s": 0.0, "reused": True}
    shutil.rmtree(work / "gemeenten", ignore_errors=True)
    (work / "shared").mkdir(parents=True, exist_ok=True)
    codes = [f"gm8{i:03d}" for i in range(tenants)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        summaries = list(pool.map(lambda i: _synth(work / "gemeenten" / codes[i], 1000 + i, lines), range(tenants)))
    register = work / "shared" / "algoritmeregister_site_data.json"
    for i, code in enumerate(codes):
        folder = work / "gemeenten" / code
        own = folder / "data" / "algoritmeregister_site_data.json"
        if i == 0:
            shutil.move(own, register)
        else:
            own.unlink()
        text = (folder / "aigrip.yaml").read_text(encoding="utf-8")
        (folder / "aigrip.template.yaml").write_text(
            _tenant_config(text, name=f"Gemeente Proefdorp {i + 1:02d}", code=code, register=os.path.relpath(register, folder)),
            encoding="utf-8")
        (folder / "aigrip.yaml").unlink()
    info = {**wanted, "codes": codes, "ledger_lines": [int(s["rows"]["ledger_lines"]) for s in summaries],
            "generate_s": round(time.perf_counter() - started, 2)}
    marker.write_text(json.dumps(info))
    return info | {"reused": False}


def _mode_configs(work: Path, info: dict, mode: str, concurrency: int) -> tuple[Path, list[Path]]:
    """Fresh ``data_dir``s for ``mode``: each tenant's ``aigrip.<mode>.yaml`` and the ``tenants.<mode>.yaml``."""
    configs = []
    for code in info["codes"]:
        folder = work / "gemeenten" / code
        shutil.rmtree(folder / "var" / mode, ignore_errors=True)
        template = (folder / "aigrip.template.yaml").read_text(encoding="utf-8")
        path = folder / f"aigrip.{mode}.yaml"
        path.write_text(template.replace("{data_dir}", f"var/{mode}"), encoding="utf-8")
        configs.append(path)
    shutil.rmtree(work / "platform" / mode, ignore_errors=True)
    tenants_yaml = work / f"tenants.{mode}.yaml"
    tenants_yaml.write_text(
        "platform:\n  name: Proefregio (bench tenants)\n"
        f"  data_dir: platform/{mode}\n  max_concurrent_runs: {concurrency}\n"
        "tenants:\n" + "".join(f"  - config: {c.relative_to(work)}\n" for c in configs), encoding="utf-8")
    return tenants_yaml, configs


def platform_commands(tenants_yaml: Path, configs: list[Path], concurrency: int) -> tuple[list[tuple[str, list[str]]], int]:
    """The commands that run the platform, and how many of them run at once."""
    if ALL_TENANTS_CLI:
        return [("platform", [*_AIGRIP, "run", "--config", str(tenants_yaml), "--all-tenants",
                              "--concurrency", str(concurrency), "--as-of", AS_OF])], 1
    return [(c.parent.name, [*_AIGRIP, "run", "--config", str(c), "--as-of", AS_OF]) for c in configs], concurrency


def _execute(run: Run, monitor: _Monitor) -> Run:
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(run.command, stdout=subprocess.DEVNULL, stderr=err)
        monitor.watch(proc.pid, run)
        run.exit_code = proc.wait()
        monitor.forget(proc.pid)
        run.seconds = round(time.perf_counter() - started, 2)
        if run.exit_code not in _OK_EXIT:
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            run.error = lines[-1][:300] if lines else f"exit code {run.exit_code}"
    return run


def run_mode(work: Path, info: dict, mode: str, concurrency: int) -> dict:
    """Run every tenant in ``mode`` and measure it."""
    tenants_yaml, configs = _mode_configs(work, info, mode, concurrency)
    commands, parallel = platform_commands(tenants_yaml, configs, concurrency)
    runs = [Run(label, cmd) for label, cmd in commands]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with _Monitor() as monitor, ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(lambda r: _execute(r, monitor), runs))
    wall = time.perf_counter() - started
    lines = sum(info["ledger_lines"])
    peaks = [r.peak_rss_mb for r in runs]
    if ALL_TENANTS_CLI:  # one platform command: a tenant's run is a run worker process (execute_run, spawned by the code server)
        peaks = [mb for r in runs for name, mb in r.peak_by_pid.values() if "execute_run" in name or "spawn_main" in name] or peaks
    return {
        "mode": mode, "concurrency": concurrency, "launcher": "aigrip run --all-tenants" if ALL_TENANTS_CLI
        else "one aigrip run per tenant", "tenants": len(configs), "ledger_lines": lines,
        "wall_s": round(wall, 1), "tenants_per_hour": round(len(configs) / wall * 3600, 1),
        "ledger_lines_per_s": round(lines / wall), "failed": [r.label for r in runs if r.exit_code not in _OK_EXIT],
        "peak_rss_mb_per_run": {"max": round(max(peaks), 1), "median": round(statistics.median(peaks), 1)},
        "peak_rss_mb_all_runs": round(monitor.peak_total_mb, 1),
        "load_avg_1m": {"before": round(load_before, 2), "mean": round(statistics.fmean(monitor.loads or [0]), 2),
                        "max": round(max(monitor.loads or [0]), 2)},
        "runs": [{"tenant": r.label, "seconds": r.seconds, "exit_code": r.exit_code, "peak_rss_mb": round(r.peak_rss_mb, 1),
                  "peak_rss_mb_by_pid": [{"pid": pid, "command": name, "mb": round(mb, 1)}
                                         for pid, (name, mb) in sorted(r.peak_by_pid.items()) if mb >= 5],
                  **({"error": r.error} if r.error else {})} for r in runs],
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench tenants", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tenants", type=int, default=20, help="generated municipalities (default 20)")
    ap.add_argument("--scale", type=int, default=100_000, help="ledger lines per municipality (default 100000)")
    ap.add_argument("--concurrency", type=int, default=2, help="runs at once in the queued mode (default 2)")
    ap.add_argument("--modes", default="serial,queued", help="serial, queued or both (default)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep (and reuse) the generated tenants here")
    ap.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = ap.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if args.tenants < 1 or args.scale < 1000 or args.concurrency < 1 or not set(modes) <= {"serial", "queued"}:
        ap.error("--tenants and --concurrency must be >= 1, --scale >= 1000, --modes from serial,queued")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="aigrip-tenants-"))
    work.mkdir(parents=True, exist_ok=True)
    info = generate_platform(work.resolve(), args.tenants, args.scale)
    how = "reused" if info["reused"] else f"generated in {info['generate_s']} s"
    print(f"{args.tenants} tenants of {args.scale:,} ledger lines in {work} ({how})".replace(",", "."))
    results = {}
    for mode in modes:
        res = run_mode(work.resolve(), info, mode, 1 if mode == "serial" else args.concurrency)
        results[mode] = res
        print(f"{mode:<7} x{res['concurrency']}: {res['wall_s']:>8.1f} s  {res['tenants_per_hour']:>6.1f} tenants/h  "
              f"{res['ledger_lines_per_s']:>7} lines/s  peak RSS per run max {res['peak_rss_mb_per_run']['max']} MB "
              f"(median {res['peak_rss_mb_per_run']['median']}), all runs {res['peak_rss_mb_all_runs']} MB  "
              f"load {res['load_avg_1m']['mean']} (max {res['load_avg_1m']['max']})"
              + (f"  FAILED: {', '.join(res['failed'])}" if res["failed"] else ""))
    if args.json:
        seconds = {"generate": info["generate_s"], **{m: r["wall_s"] for m, r in results.items()}}
        print(json.dumps({"name": "tenants", "scale": args.scale, "tenants": args.tenants,
                          "seconds": seconds | {"total": round(sum(seconds.values()), 1)},
                          "peak_rss_mb": max(r["peak_rss_mb_per_run"]["max"] for r in results.values()),
                          "cpus": os.cpu_count(), "modes": results}, ensure_ascii=False))
    return 1 if any(r["failed"] for r in results.values()) else 0
