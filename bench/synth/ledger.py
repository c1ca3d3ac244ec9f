"""The purchase ledger ``data/crediteuren_2025.csv``: cp1252, ``;``, CRLF, Dutch numbers and dates.

The bulk filler is built column-wise with numpy (supplier, description, amount and date are drawn as
indices into pre-built pools), written in chunks, so a million lines stay within a few hundred MB.
The few special lines (AI systems, decoys, deliberately bad lines) are placed at reproducible positions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from bench.synth.model import AISystem, Catalog, derive_rng
from bench.synth.systems import expand_template, fill_template

__all__ = ["HEADER", "write_ledger"]

HEADER = "Boekstuk;Boekdatum;Crediteurnummer;Crediteurnaam;KvK-nummer;Factuuromschrijving;Bedrag incl. btw;Kostenplaats"
_SOURCE = "crediteuren_2025"
_CHUNK = 200_000
_PLACES = ("Zwolle", "Utrecht", "Arnhem", "Deventer", "Amersfoort", "Apeldoorn", "Ede", "Nijmegen", "Almere",
           "Hengelo", "Breda", "Tilburg", "Gouda", "Leiden", "Delft", "Assen", "Emmen", "Venlo", "Sittard", "Oss")
_FORMS = (" B.V.", " B.V.", " BV", " V.O.F.", " Holding B.V.", "", " N.V.")
_EXTRA_TEXTS = ("Vergoeding € 25 p.p. bijeenkomst", "Bijeenkomst „Wijk in beeld”", "Kosten ‘open dag’ stadhuis",
                "Inkoop € 500 cadeaubonnen vrijwilligers")


def _suppliers(catalog: Catalog, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` fictional suppliers with name, spelling variant, KvK and creditor number."""
    stems, sectors = catalog.supplier_stems, catalog.supplier_sectors
    n_s, n_k, n_p = len(stems), len(sectors), len(_PLACES)
    names: list[str] = []
    sector_of: list[int] = []
    for i in range(n):
        if i < n_s * n_k:
            a, k = i % n_s, i // n_s
            names.append(f"{stems[a]} {sectors[k][0]}")
        elif i < n_s * n_k * (1 + n_p):
            j = i - n_s * n_k
            a, k, p = j % n_s, (j // n_s) % n_k, j // (n_s * n_k)
            names.append(f"{stems[a]} {sectors[k][0]} {_PLACES[p]}")
        else:
            j = i - n_s * n_k * (1 + n_p)
            a = j % n_s
            b = (a + 1 + (j // n_s) % (n_s - 1)) % n_s
            k = (j // (n_s * (n_s - 1))) % n_k
            p = (j // (n_s * (n_s - 1) * n_k)) % n_p
            rest = j // (n_s * (n_s - 1) * n_k * n_p)
            names.append(f"{stems[a]} & {stems[b]} {sectors[k][0]} {_PLACES[p]}" + (f" {rest + 1}" if rest else ""))
        sector_of.append(k)
    order = rng.permutation(n)
    names_arr = np.asarray(names, dtype=object)[order]
    sector = np.asarray(sector_of)[order]
    form = rng.integers(0, len(_FORMS), n)
    full = pd.Series(names_arr).str.cat(pd.Series(np.asarray(_FORMS, dtype=object)[form]))
    variant = full.str.upper().str.replace(" B.V.", " BV", regex=False)
    kvk = pd.Series(rng.integers(1_000_000, 99_999_999, n)).astype(str).str.zfill(8)
    kvk = kvk.where(rng.random(n) > 0.12, "")
    return pd.DataFrame({"name": full, "variant": variant, "has_variant": rng.random(n) < 0.06,
                         "kvk": kvk, "number": np.arange(100_001, 100_001 + n), "sector": sector})


def _pools(catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Description pools: one concatenated array, per-sector (start, length), generic (start, length)."""
    texts: list[str] = []
    starts, lengths = [], []
    for _, descs in catalog.supplier_sectors:
        expanded = [t for d in descs for t in expand_template(d)]
        starts.append(len(texts))
        lengths.append(len(expanded))
        texts.extend(expanded)
    generic_start = len(texts)
    texts.extend(t for d in catalog.ledger_descriptions for t in expand_template(d))
    texts.extend(_EXTRA_TEXTS)
    return (np.asarray(texts, dtype=object), np.asarray(starts), np.asarray(lengths),
            np.asarray([generic_start, len(texts) - generic_start]))


def _dutch_amount(cents: np.ndarray) -> pd.Series:
    """Format integer cents as Dutch amounts (``-1.234,56``) column-wise."""
    neg = cents < 0
    a = np.abs(cents)
    euros, rest = a // 100, a % 100
    thousands, units = euros // 1000, euros % 1000
    s_units = pd.Series(units).astype(str)
    s_units_padded = s_units.str.zfill(3)
    body = pd.Series(thousands).astype(str).str.cat(s_units_padded, sep=".").where(thousands > 0, s_units)
    body = body.str.cat(pd.Series(rest).astype(str).str.zfill(2), sep=",")
    return body.where(~neg, "-" + body)


def _special_lines(systems: list[AISystem], catalog: Catalog, reps: int, decoy_reps: int, bad_reps: int,
                   rng: np.random.Generator) -> list[tuple[list[str] | str, int, str, str, str]]:
    """(fields or raw line, is_ai, system label, notes, tag) for every system, decoy and bad line."""
    numbers: dict[str, int] = {}
    out: list[tuple[list[str] | str, int, str, str, str]] = []

    def creditor(name: str) -> str:
        return str(numbers.setdefault(name, 900_001 + len(numbers)))

    def amount(lo: int, hi: int) -> str:
        cents = int(rng.integers(lo * 100, hi * 100))
        return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"

    def date() -> str:
        return (dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))).strftime("%d-%m-%Y")

    for system in systems:
        spellings = system.vendor_spellings or (system.vendor,)
        for r in range(reps):
            for j, template in enumerate(system.ledger):
                supplier = spellings[(r + j) % len(spellings)]
                kvk = system.kvk if (r + j) % 3 != 2 else ""
                fields = [date(), creditor(supplier), supplier, kvk, fill_template(template, rng),
                          amount(*system.amount_range), system.department]
                out.append((fields, int(system.is_ai), system.label, system.notes, system.label))
    for _ in range(decoy_reps):
        for supplier, kvk, text, dept in catalog.decoy_ledger:
            fields = [date(), creditor(supplier), supplier, kvk, fill_template(text, rng), amount(200, 9000), dept]
            out.append((fields, 0, "", "decoy: lijkt op AI maar is het niet", f"decoy:{supplier}"))
    for _ in range(bad_reps):
        sup = "Bakker Infra B.V."
        out.append(([date(), creditor(sup), sup, "12345678", "Asfaltonderhoud Noord", "n.v.t.", "Openbare Ruimte"],
                    0, "", "quarantine: bedrag n.v.t.", "bad"))
        out.append((["31-02-2025", creditor(sup), sup, "12345678", "Onderhoud Q1", amount(100, 900), "Openbare Ruimte"],
                    0, "", "quarantine: ongeldige datum 31-02-2025", "bad"))
        out.append(([date(), creditor(sup), sup], 0, "", "quarantine: te weinig velden", "bad"))
    return out


def write_ledger(path: Path, truth: TextIO, catalog: Catalog, systems: list[AISystem], *, seed: int,
                 scale: float, reps: int) -> dict:
    """Write the ledger and its truth rows; return counts and the source keys of the special lines per tag
    (system label, ``decoy:<supplier>`` or ``bad``)."""
    rng = derive_rng(seed, "ledger")
    n_total = max(100, round(5000 * scale))
    n_sup = max(50, round(600 * scale))
    sup = _suppliers(catalog, n_sup, rng)
    pool, starts, lengths, generic = _pools(catalog)
    dates = np.asarray([(dt.date(2025, 1, 1) + dt.timedelta(days=d)).strftime("%d-%m-%Y") for d in range(365)],
                       dtype=object)
    depts = np.asarray(catalog.departments, dtype=object)
    bad_reps = max(1, round(scale ** 0.5))
    specials = _special_lines(systems, catalog, reps, max(1, round(scale)), bad_reps, rng)
    width = max(6, len(str(n_total)))
    middle = n_total // 2
    others = np.setdiff1d(np.arange(n_total), [middle])
    pos = np.sort(rng.choice(others, size=len(specials), replace=False))
    order = rng.permutation(len(specials))
    special_at = {int(p): specials[int(o)] for p, o in zip(pos, order, strict=True)}
    special_at[middle] = (HEADER, 0, "", "quarantine: herhaalde kopregel", "bad")
    weights = 1.0 / np.arange(1, n_sup + 1) ** 0.8
    weights /= weights.sum()
    counts: dict = {"lines": n_total, "ai_lines": 0, "quarantine_lines": 0, "keys_by_tag": {}}
    with path.open("w", encoding="cp1252", newline="") as fh:
        fh.write(HEADER + "\r\n")
        for a in range(0, n_total, _CHUNK):
            b = min(n_total, a + _CHUNK)
            n = b - a
            s_idx = rng.choice(n_sup, size=n, p=weights)
            sector = sup["sector"].to_numpy()[s_idx]
            use_generic = rng.random(n) < 0.35
            d_start = np.where(use_generic, generic[0], starts[sector])
            d_len = np.where(use_generic, generic[1], lengths[sector])
            desc = pool[d_start + (rng.random(n) * d_len).astype(np.int64)]
            cents = np.round(rng.lognormal(10.5, 1.4, n)).astype(np.int64) + 100
            cents = np.where(rng.random(n) < 0.03, -cents, cents)
            use_variant = sup["has_variant"].to_numpy()[s_idx] & (rng.random(n) < 0.3)
            name = np.where(use_variant, sup["variant"].to_numpy()[s_idx], sup["name"].to_numpy()[s_idx])
            keys = "BK2025-" + pd.Series(np.arange(a + 1, b + 1)).astype(str).str.zfill(width)
            line = keys.str.cat([
                pd.Series(dates[rng.integers(0, 365, n)]),
                pd.Series(sup["number"].to_numpy()[s_idx] + np.where(use_variant, 500_000, 0)).astype(str),
                pd.Series(name), pd.Series(sup["kvk"].to_numpy()[s_idx]), pd.Series(desc), _dutch_amount(cents),
                pd.Series(depts[rng.integers(0, len(depts), n)]),
            ], sep=";")
            lines = line.to_numpy(dtype=object)
            t_key = ("crediteuren_2025:" + keys).to_numpy(dtype=object)
            t_ai = np.zeros(n, dtype=np.int8)
            t_sys = np.full(n, "", dtype=object)
            t_notes = np.full(n, "", dtype=object)
            for p in [p for p in special_at if a <= p < b]:
                body, is_ai, label, notes, tag = special_at[p]
                i = p - a
                if isinstance(body, str):
                    lines[i], t_key[i] = body, f"{_SOURCE}:Boekstuk"
                else:
                    lines[i] = ";".join([keys.iloc[i], *body])
                counts["ai_lines"] += is_ai
                counts["quarantine_lines"] += notes.startswith("quarantine")
                t_ai[i], t_sys[i], t_notes[i] = is_ai, label, notes
                counts["keys_by_tag"].setdefault(tag, []).append(t_key[i])
            fh.write("\r\n".join(lines) + "\r\n")
            pd.DataFrame({"source_key": t_key, "is_ai": t_ai, "system": t_sys, "notes": t_notes}).to_csv(
                truth, header=False, index=False, lineterminator="\n")
    return counts
