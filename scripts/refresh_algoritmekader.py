"""Refresh ``transforms/data/algoritmekader.json`` from the Algoritmekader (MinBZK, EUPL-1.2).

Usage (from the repository root)::

    python scripts/refresh_algoritmekader.py --checkout PATH/TO/Algoritmekader   # a git checkout
    python scripts/refresh_algoritmekader.py --yaml PATH/TO/reference/algoritmekader  # vereisten.yaml + maatregelen.yaml

From a checkout it reads the YAML front matter of
``docs/voldoen-aan-wetten-en-regels/vereisten/*.md`` and ``.../maatregelen/*.md`` and records the
checkout's commit. It keeps only what aigrip uses: ids, titles, the one-line explanation, the
applicability labels of each requirement and the requirements each measure serves. Prints what
changed (added / removed requirements and measures).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent.parent / "transforms" / "data" / "algoritmekader.json"
SITE = "https://minbzk.github.io/Algoritmekader/voldoen-aan-wetten-en-regels"
LABELS = ("soort-toepassing", "risicogroep", "rol-ai-act", "transparantieverplichting", "systeemrisico",
          "open-source", "uitzondering")


def _slug(urn: str) -> str:
    return urn.rsplit(":", 1)[-1]


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not m:
        return {}
    data = yaml.safe_load(m.group(1)) or {}
    data["bron"] = path.name
    return data


def _requirement(item: dict) -> dict:
    page = str(item.get("bron", "")).removesuffix(".md")
    return {
        "id": item["id"], "slug": _slug(item["id"]), "title": str(item.get("title", "")).strip(),
        "toelichting": " ".join(str(item.get("toelichting", "")).split()),
        "onderwerp": list(item.get("onderwerp") or []), "levenscyclus": list(item.get("levenscyclus") or []),
        "labels": {k: [str(v) for v in (item.get(k) or [])] for k in LABELS},
        "url": f"{SITE}/vereisten/{page}/" if page else None,
    }


def _measure(item: dict) -> dict:
    page = str(item.get("bron", "")).removesuffix(".md")
    return {
        "id": item["id"], "slug": _slug(item["id"]), "title": str(item.get("title", "")).strip(),
        "toelichting": " ".join(str(item.get("toelichting", "")).split()),
        "vereisten": sorted({re.match(r"^[a-z]+-\d+", str(v)).group(0) for v in (item.get("vereiste") or [])
                             if re.match(r"^[a-z]+-\d+", str(v))}),
        "rollen": list(item.get("rollen") or []), "levenscyclus": list(item.get("levenscyclus") or []),
        "onderwerp": list(item.get("onderwerp") or []),
        "url": f"{SITE}/maatregelen/{page}/" if page else None,
    }


def from_checkout(root: Path) -> tuple[list, list, str]:
    base = root / "docs" / "voldoen-aan-wetten-en-regels"
    reqs = [_front_matter(p) for p in sorted((base / "vereisten").glob("*.md"))]
    meas = [_front_matter(p) for p in sorted((base / "maatregelen").glob("*.md"))]
    try:
        commit = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%H %cs"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "onbekend"
    return [r for r in reqs if r.get("id")], [m for m in meas if m.get("id")], commit


def from_yaml(folder: Path) -> tuple[list, list, str]:
    v = yaml.safe_load((folder / "vereisten.yaml").read_text(encoding="utf-8"))
    m = yaml.safe_load((folder / "maatregelen.yaml").read_text(encoding="utf-8"))
    commit = re.search(r"commit (\S+)\s*(\S*)", str(v.get("bron", "")))
    return v["vereisten"], m["maatregelen"], " ".join(commit.groups()).strip() if commit else "onbekend"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkout", type=Path, help="a git checkout of MinBZK/Algoritmekader")
    src.add_argument("--yaml", type=Path, help="a folder with vereisten.yaml and maatregelen.yaml")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    try:
        reqs, meas, commit = from_checkout(args.checkout) if args.checkout else from_yaml(args.yaml)
    except (OSError, KeyError, yaml.YAMLError) as exc:
        print(f"cannot read the Algoritmekader: {exc}", file=sys.stderr)
        return 1
    if not reqs:
        print("no requirements found: is this a checkout of MinBZK/Algoritmekader?", file=sys.stderr)
        return 1
    data = {
        "attribution": "Afgeleid van het Algoritmekader van het Ministerie van BZK (MinBZK/Algoritmekader), "
                       "gepubliceerd onder de EUPL-1.2; alleen ids, titels, toelichting en labels overgenomen.",
        "licence": "EUPL-1.2", "source": "https://github.com/MinBZK/Algoritmekader", "commit": commit,
        "vereisten": sorted((_requirement(r) for r in reqs), key=lambda r: r["slug"]),
        "maatregelen": sorted((_measure(m) for m in meas), key=lambda m: m["slug"]),
    }
    old = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {"vereisten": [], "maatregelen": []}
    for kind in ("vereisten", "maatregelen"):
        before = {x["id"] for x in old.get(kind, [])}
        after = {x["id"] for x in data[kind]}
        print(f"{kind}: {len(after)} ({len(after - before)} nieuw, {len(before - after)} vervallen)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {args.out} (commit {commit})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
