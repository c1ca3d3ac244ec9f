"""``python -m bench NAME [--scale N] [--json]`` — run one benchmark (docs/contracts.md §11).

Each benchmark lives in ``bench/<name>.py`` with ``main(argv: list[str]) -> int``. With ``--json`` the
last line printed is one JSON object with at least name, scale, seconds{stage…, total}, peak_rss_mb.
"""

from __future__ import annotations

import sys
from importlib import import_module

BENCHMARKS = {
    "ingest": "bench.ingest",
    "detect": "bench.detect",
    "reconcile": "bench.reconcile",
    "e2e": "bench.e2e",
    "dpia": "bench.dpia",
    "redact": "bench.redact",
    "kb": "bench.kb",
    "register": "bench.register",
    "fuzz": "bench.fuzz",
    "national": "bench.national",
    "tenants": "bench.tenants",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in BENCHMARKS:
        print(__doc__.strip())
        print("benchmarks: " + ", ".join(BENCHMARKS))
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    module = import_module(BENCHMARKS[argv[0]])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
