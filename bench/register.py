"""``python -m bench register [--json] [--workdir DIR]`` — how completely the demo's register is filled.

Runs the demo municipality (``examples/voorbeeldstad``, with its seed decisions: the editors' work)
and measures the fill of publication standard 1.0 (``transforms.publish.fill``) for the published
entries in the categories Hoog-risico AI-systeem and Impactvolle algoritmes, and for all published
entries. Separately, for the same systems, the fill reached from the sources and the best supplier
template alone (the same supplier's template that matches best, applied to empty fields), before any
edit by an editor: what aigrip gives for free.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

__all__ = ["main"]

_DEMO = Path(__file__).resolve().parent.parent / "examples" / "voorbeeldstad"
_CATEGORIES = ("Hoog-risico AI-systeem", "Impactvolle algoritmes")


def _before_edits(con, system_ids: list[str], org: dict) -> tuple[list[dict], list[dict]]:
    """Entries of these systems from sources + the best same-supplier template (no editor fields)."""
    from pipelines.publishing import confirmed_systems
    from transforms.publish.register import to_national_entry
    from transforms.publish.templates import fill_from_template, match_templates

    entries, used = [], []
    for system, cls in confirmed_systems(con):
        if system["system_id"] not in system_ids:
            continue
        bare = {**system, "fields_json": None}
        matches = [m for m in match_templates(bare) if m["score"] >= 0.6]
        fields = fill_from_template(matches[0]["template"], {"name": system["name"]}) if matches else {}
        fields.pop("name", None)
        entries.append(to_national_entry({**bare, "fields_json": json.dumps(fields)}, cls, org))
        used.append({"system_id": system["system_id"],
                     "template": f"{matches[0]['template']['supplier']}: {matches[0]['template']['name']}" if matches else None})
    return entries, used


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench register", description=__doc__)
    ap.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    ap.add_argument("--workdir", type=Path, default=None, help="run the demo here (default: a temporary folder)")
    args = ap.parse_args(argv)

    from pipelines.config import load_config
    from pipelines.publishing import org_info, published_entries
    from pipelines.runner import run_pipeline
    from transforms.publish.fill import entry_fill, register_fill
    from warehouse import snapshot_connect

    work = args.workdir or Path(tempfile.mkdtemp(prefix="aigrip-register-"))
    shutil.copytree(_DEMO, work / "demo", ignore=shutil.ignore_patterns("truth"), dirs_exist_ok=True)
    cfg_path = work / "demo" / "aigrip.yaml"
    lines = cfg_path.read_text(encoding="utf-8").splitlines()
    cfg_path.write_text("\n".join("data_dir: var" if ln.startswith("data_dir:") else ln for ln in lines) + "\n",
                        encoding="utf-8")
    cfg = load_config(cfg_path)
    t0 = time.perf_counter()
    outcome = run_pipeline(cfg, as_of="2026-11-15")
    if not outcome.success:
        print(f"run failed: {outcome.error}")
        return 1
    run_s = time.perf_counter() - t0
    with snapshot_connect(cfg.data_dir) as con:
        published = published_entries(con)
        key = [(sid, e) for sid, e in published if e.get("publication_category") in _CATEGORIES]
        before, templates = _before_edits(con, [sid for sid, _ in key], org_info(cfg))
    after = register_fill([e for _, e in key])
    everything = register_fill([e for _, e in published])
    start = register_fill(before)
    per_system = [{"system_id": sid, "name": e.get("name"), "category": e.get("publication_category"),
                   **{k: v for k, v in entry_fill(e).items() if k != "share"}} for sid, e in key]
    result = {
        "name": "register", "scale": 1, "seconds": {"run": round(run_s, 2), "total": round(run_s, 2)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "published_entries": len(published), "high_risk_and_impactful": len(key),
        "fill_after_edits": round(after["share"], 3), "fill_all_published": round(everything["share"], 3),
        "fill_templates_and_sources": round(start["share"], 3), "templates_used": templates,
        "per_system": per_system, "per_field_after_edits": after["per_field"],
        "per_field_templates_and_sources": start["per_field"],
    }
    print(f"published entries: {len(published)} ({len(key)} high-risk or impactful)")
    print(f"fill of standard 1.0, high-risk and impactful, after the editors' work: {after['share']:.1%} "
          f"({after['filled']}/{after['total']} fields)")
    print(f"  from templates and sources alone, before any edit:   {start['share']:.1%} "
          f"({start['filled']}/{start['total']} fields)")
    print(f"  all published entries after edits:                 {everything['share']:.1%}")
    for row in per_system:
        print(f"  {row['system_id']} {row['name'][:50]:<50} {row['filled']}/{row['total']}  missing: "
              f"{', '.join(row['missing']) or '—'}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0
