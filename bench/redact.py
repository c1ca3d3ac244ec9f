"""``python -m bench redact [--scale N] [--json]``: redacting personal data from a ledger-sized frame.

Builds N ledger rows in the connector's shape (supplier, description, department; descriptions with
invoice numbers, months and amounts so that ~N/10 are distinct) of which 1 in 200 carries personal
data (an e-mail address, a Dutch phone number in one of its forms, an IBAN, a BSN, a contact name), and
times :func:`transforms.privacy.redact.redact_frame` on it, as ``connectors.load_source`` runs it on
every source. Reports the time, the counts per kind, and ``missed``: planted items still in the output
(should be 0). Peak RSS is this process's.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import pandas as pd

from transforms.privacy.redact import IDENTIFIER_COLUMNS, redact_frame

__all__ = ["main", "generate"]

_SUPPLIERS = np.array(["Centric Netherlands B.V.", "PinkRoccade Local Government", "Octobox Nederland B.V.",
                       "DeepL SE", "Rijnland ICT Zwolle B.V.", "Microsoft Ireland", "Eik Advies Holding B.V."])
_TEXTS = np.array(["Licentie {m} 2025", "Onderhoud contract {k}", "Hosting Q{q}", "Factuur {m} 2025 nr. 2025-{k}",
                   "Consultancy uren week {w}", "Abonnement AI-module {m}", "Termijn {q} nieuwbouw school"])
_MONTHS = np.array(["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september"])
_PERSONAL = ["contactpersoon Jan de Vries, 06-1234 5678", "vragen: p.jansen@voorbeeld.example.nl",
             "IBAN NL91 ABNA 0417 1643 00", "dossier BSN 111222333", "bel (020) 555 0192", "+31 6 5550 1940"]
_NEEDLES = ["Vries", "p.jansen@", "NL91", "111222333", "555 0192", "5550 1940"]
_DEPTS = np.array(["Burgerzaken", "Parkeren", "KCC", "Sociaal Domein", "Financiën"])


def generate(n: int, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tmpl = _TEXTS[rng.integers(0, len(_TEXTS), n)]
    k = rng.integers(0, max(n // 10, 10), n)
    text = [t.format(m=_MONTHS[i % 9], k=f"{j:06d}", q=1 + i % 4, w=1 + i % 52) for i, (t, j) in enumerate(zip(tmpl, k))]
    personal = rng.random(n) < 1 / 200
    for i in np.flatnonzero(personal):
        text[i] = f"{text[i]}; {_PERSONAL[i % len(_PERSONAL)]}"
    return pd.DataFrame({"row_ref": [f"BK-{i}" for i in range(n)],
                         "supplier": _SUPPLIERS[rng.integers(0, len(_SUPPLIERS), n)],
                         "description": pd.Series(text, dtype="str"),
                         "department": _DEPTS[rng.integers(0, len(_DEPTS), n)],
                         "amount": rng.random(n) * 1000})


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench redact")
    ap.add_argument("--scale", type=int, default=1_000_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    frame = generate(args.scale)
    distinct = int(frame["description"].nunique())
    start = time.perf_counter()
    out, counts = redact_frame(frame, skip=IDENTIFIER_COLUMNS)
    seconds = time.perf_counter() - start
    text = "\n".join(out["description"].astype(str))
    missed = sum(text.count(n) for n in _NEEDLES)
    result = {"name": "redact", "scale": args.scale, "seconds": {"redact": round(seconds, 3), "total": round(seconds, 3)},
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
              "distinct_descriptions": distinct, "redacted": dict(counts), "missed": missed}
    if not args.json:
        print(f"redacted {sum(counts.values())} items in {args.scale} rows ({distinct} distinct descriptions) "
              f"in {seconds:.2f}s; missed {missed}")
    print(json.dumps(result))
    return 1 if missed else 0
