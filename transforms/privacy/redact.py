"""Personal data redacted from source text before anything is stored (docs/security.md).

Every text that comes in from a source — a ledger description, a survey answer, a portfolio note, a
tender, a peer register entry, a quarantined line — passes :func:`redact_frame` (or
:func:`redact_texts`) before it is written to the warehouse. What is found is replaced by a Dutch
placeholder, so a reader sees that something was there and what kind it was:

=========  ==================================  ==============================================
kind       placeholder                         found by
=========  ==================================  ==============================================
email      ``[e-mailadres verwijderd]``        any ``name@domain.tld``
phone      ``[telefoonnummer verwijderd]``     Dutch numbers: +31 / 0031 / 0 + 9 digits with any
                                               spaces, dashes, dots, ``(0)`` or ``(020)``; 0800/0900
iban       ``[IBAN verwijderd]``               IBANs with or without spaces that pass the mod-97 check
bsn        ``[BSN verwijderd]``                9 digits (also ``1234.56.789``) passing the 11-check
name       ``[naam verwijderd]``               the row's own respondent (name, e-mail, surname), and a
                                               capitalised personal name next to a contact detail or
                                               after a cue ("contactpersoon", "naam:", "dhr.", "bel")
=========  ==================================  ==============================================

Work is done once per distinct text, and a cheap vectorised pre-filter skips texts that cannot hold
anything (most ledger descriptions), so a 1M-line ledger costs well under a second.
The Dutch de-identifier ``deduce`` was measured and not used: 16 s start-up (100 s on first use),
1.1 GB resident and ~1.5 ms per text — too heavy for a run budget of a minute in 2 GB.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import iban as _iban
from stdnum.nl import bsn as _bsn

__all__ = ["PLACEHOLDERS", "KINDS", "IDENTIFIER_COLUMNS", "redact_text", "redact_texts", "redact_frame", "redact_json_texts", "identity_patterns",
           "strip_placeholders"]

PLACEHOLDERS = {
    "email": "[e-mailadres verwijderd]",
    "phone": "[telefoonnummer verwijderd]",
    "iban": "[IBAN verwijderd]",
    "bsn": "[BSN verwijderd]",
    "name": "[naam verwijderd]",
}
KINDS = tuple(PLACEHOLDERS)
#: Source-frame columns that are keys or codes, never free text: left alone (redacting would break keys).
IDENTIFIER_COLUMNS = frozenset({
    "row_ref", "invoice", "supplier_kvk", "winner_kvk", "notice_id", "kenmerk", "app_id", "response_id",
    "answer_index", "respondent_hash", "entry_key", "lars", "org_code", "snapshot_id", "standard_version",
    "url", "link", "cpv_codes", "amount", "value_eur", "date",
})

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_SEP = r"[ \-.\u2010-\u2015/]?"
# +31 6 12345678, +31 (0)20-1234567, 0031 20 123 45 67, 06-12345678, (020) 123 4567, 0201234567, 0800-1234
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\s?31\s?(?:\(0\)\s?)?" + _SEP + r"[1-9](?:" + _SEP + r"\d){8}"
    r"|\(0\d{1,3}\)\s?\d(?:" + _SEP + r"\d){5,7}"
    r"|0[1-9](?:" + _SEP + r"\d){8}"
    r"|0[89]00" + _SEP + r"\d(?:" + _SEP + r"\d){3,6}"
    r")(?!\w)"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
_BSN = re.compile(r"(?<![\d.\-/])(\d{4}\.\d{2}\.\d{3}|\d{3}[ .]\d{3}[ .]\d{3}|\d{9})(?![\d\-/]|\.\d)")

_PARTICLE = r"(?:van|de|der|den|ter|ten|te|het|in|op|'t|la|le|du|da|von|el|al)"
_CAP = r"[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+(?:-[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+)?"
_INITIALS = r"(?:[A-Z]\.\s?){1,4}"
# "Zwaantje Pietersma", "Jan de Vries", "J.P. van der Berg", "Anna-Lisa ter Horst"
_NAME = rf"(?:{_INITIALS}|{_CAP}\s+)(?:{_PARTICLE}\s+){{0,3}}{_CAP}"
_CUE = r"(?i:contactpersoon|contact|naam|dhr\.?|mevr\.?|mw\.?|mevrouw|meneer|de heer|t\.a\.v\.?|gemaild door|ingevuld door)"
_NAME_AFTER_CUE = re.compile(rf"(?<!\w){_CUE}\s*[:.,]?\s*(?:\(\s*)?({_NAME})")
_NAME_BEFORE = re.compile(rf"({_NAME})\s*(?:\)\s*)?(?:[,:;(\-]\s*)?(?:(?i:op|via|tel\.?|telefoon|mobiel|e-?mail|mail|bereikbaar op|:)\s*)*$")
_NAME_AFTER = re.compile(rf"^\s*[)\],;:\-]?\s*(?:\(\s*)?({_NAME})")
# Capitalised words that open sentences or name things, never people on their own.
_NOT_NAMES = {"Gemeente", "Afdeling", "Team", "Bel", "Mail", "Graag", "Contact", "De", "Het", "Een", "Voor", "Met",
              "Dit", "Deze", "Wij", "Ons", "Onze", "Zie", "Telefoon", "Tel", "Mobiel", "Support", "Servicedesk",
              "Helpdesk", "Klantenservice", "Dossier", "Licentie", "Factuur", "Applicatie", "Systeem"}
# Only texts with one of these can hold something to redact (vectorised pre-filter).
_MAYBE_PATTERN = (r"@|\(at\)|\[at\]|(?:\+|00)\s?31|(?:^|[^\d])\(?0[1-9][\d .()/-]{7,}\d|0[89]00|\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}[ .]\d{3}[ .]\d{3}"
                  r"|[A-Z]{2}\d{2}|(?i:contact|naam|dhr|mevr|mw\.|mevrouw|meneer|heer|t\.a\.v|ingevuld door|gemaild door)")
_MAYBE = re.compile(_MAYBE_PATTERN)
_DIGIT_RUN = re.compile(r"\d[\d .()/-]{2,}\d")
_CUE_RE = re.compile(_CUE)
_PLACEHOLDER_RE = "|".join(re.escape(p) for p in PLACEHOLDERS.values())


# Local parts of functional addresses (a department's or register's mailbox: not personal data, and the
# contact address a register publishes on purpose); 'algoritmes@gemeente.nl' stays, 'j.jansen@…' goes.
_ROLE_MAILBOXES = {
    "algoritmes", "algoritme", "algoritmeregister", "info", "informatie", "privacy", "fg", "contact", "servicedesk",
    "helpdesk", "noreply", "no-reply", "klantcontact", "gemeente", "post", "postbus", "secretariaat",
    "communicatie", "support", "ict", "informatiebeheer", "informatievoorziening", "security", "ciso", "inkoop",
    "webmaster", "data", "ai", "klachten", "bezwaar", "publiekszaken", "burgerzaken", "team", "functioneelbeheer",
}


def _personal_email(match: re.Match) -> bool:
    local = re.split(r"\s*(?:@|\(at\)|\[at\])", match.group(0), maxsplit=1)[0].lower()
    return local not in _ROLE_MAILBOXES


def _valid_iban(match: re.Match) -> bool:
    return _iban.is_valid(match.group(0))


def _valid_bsn(match: re.Match) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    return len(digits) == 9 and _bsn.is_valid(digits) and digits.strip("0") != ""


def _sub(pattern: re.Pattern, text: str, kind: str, counts: Counter, check=None) -> str:
    def repl(m: re.Match) -> str:
        if check is not None and not check(m):
            return m.group(0)
        counts[kind] += 1
        return PLACEHOLDERS[kind]
    return pattern.sub(repl, text)


def _plausible_name(name: str) -> bool:
    words = [w for w in re.split(r"[\s.]+", name) if w]
    return bool(words) and not any(w in _NOT_NAMES for w in words)


def _redact_names_near_contacts(text: str, counts: Counter) -> str:
    def cue(m: re.Match) -> str:
        name = m.group(1)
        if not _plausible_name(name):
            return m.group(0)
        counts["name"] += 1
        return m.group(0)[: m.start(1) - m.start(0)] + PLACEHOLDERS["name"]
    text = _NAME_AFTER_CUE.sub(cue, text)
    # a name right before or right after a contact placeholder ("Jan de Vries, 06-…", "(06-…) Jan de Vries")
    contacts = [m for m in re.finditer(re.escape(PLACEHOLDERS["email"]) + "|" + re.escape(PLACEHOLDERS["phone"]), text)]
    for m in reversed(contacts):
        before, after = text[max(0, m.start() - 60): m.start()], text[m.end(): m.end() + 60]
        a = _NAME_AFTER.match(after)
        if a and _plausible_name(a.group(1)):
            s, e = m.end() + a.start(1), m.end() + a.end(1)
            text = text[:s] + PLACEHOLDERS["name"] + text[e:]
            counts["name"] += 1
        b = _NAME_BEFORE.search(before)
        if b and _plausible_name(b.group(1)):
            off = m.start() - len(before)
            s, e = off + b.start(1), off + b.end(1)
            text = text[:s] + PLACEHOLDERS["name"] + text[e:]
            counts["name"] += 1
    return text


# Words that people put in the name or e-mail field that are not names (kept in their answers).
_COMMON_WORDS = {"info", "data", "team", "afdeling", "gemeente", "admin", "service", "support", "beheer", "contact",
                 "algemeen", "noreply", "post", "mail", "secretariaat", "functioneel", "applicatie", "systeem"}


def _name_word(word: str, shortest: int = 4) -> bool:
    return len(word) >= shortest and not re.fullmatch(_PARTICLE, word.lower()) and word.lower() not in _COMMON_WORDS


def identity_patterns(identities: Iterable[object]) -> re.Pattern | None:
    """A pattern for one person's own name and e-mail address wherever they recur (also the bare surname
    and the e-mail's local part, e.g. ``zwaantje.pietersma``), case-insensitive, whole words only."""
    parts: set[str] = set()
    idents = [" ".join(str(i).split()) for i in identities
              if i is not None and not (isinstance(i, float) and pd.isna(i)) and str(i).strip()]
    has_name = any("@" not in i for i in idents)
    for text in idents:
        parts.add(text)
        if "@" in text:
            local = text.split("@", 1)[0]
            parts.add(local)
            if not has_name:  # 'zwaantje.pietersma@…' without a name: its parts are the name
                parts.update(w for w in re.split(r"[._\-+]", local) if _name_word(w))
        else:
            parts.update(w for w in text.split() if _name_word(w, 3))  # 'Wit', 'Bos', 'Ali' too
    parts = {p for p in parts if len(p) >= 3}
    if not parts:
        return None
    alts = sorted((r"\s+".join(map(re.escape, p.split())) for p in parts), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.IGNORECASE)


def redact_text(text: str, counts: Counter | None = None, own: re.Pattern | None = None) -> str:
    """``text`` with personal data replaced by placeholders; ``counts`` gets one per replacement by kind."""
    counts = Counter() if counts is None else counts
    maybe = bool(_MAYBE.search(text))
    if maybe and ("@" in text or "(at)" in text or "[at]" in text):
        text = _sub(_EMAIL, text, "email", counts, _personal_email)
    if own is not None:
        text = _sub(own, text, "name", counts)
    if not maybe:
        return text
    if _DIGIT_RUN.search(text):
        text = _sub(_IBAN, text, "iban", counts, _valid_iban)
        text = _sub(_PHONE, text, "phone", counts)
        text = _sub(_BSN, text, "bsn", counts, _valid_bsn)
    if "verwijderd]" in text or _CUE_RE.search(text):
        text = _redact_names_near_contacts(text, counts)
    return text


def redact_texts(values: pd.Series, own: pd.Series | None = None) -> tuple[pd.Series, Counter]:
    """``values`` redacted (non-text cells unchanged) and the counts by kind.

    ``own``: per row, a compiled :func:`identity_patterns` (or None) for the row's own respondent; without
    it each distinct text is redacted once and the result mapped back (counts then count every row).
    """
    counts: Counter = Counter()
    if values.empty:
        return values, counts
    if own is not None:
        out = values.astype(object).copy()
        for idx, value in values.items():
            if isinstance(value, str):
                out.at[idx] = redact_text(value, counts, own.at[idx])
        return out, counts
    rows = np.flatnonzero(_maybe_mask(values))
    if not len(rows):
        return values, counts
    todo = values.iloc[rows]
    codes, uniques = pd.factorize(todo.to_numpy(dtype=object))
    redacted = np.array(uniques, dtype=object)
    changed = np.zeros(len(uniques), dtype=bool)
    per_text: dict[int, Counter] = {}
    for i, value in enumerate(uniques):
        c: Counter = Counter()
        new = redact_text(value, c)
        if new != value:
            redacted[i], changed[i], per_text[i] = new, True, c
    if not changed.any():
        return values, counts
    freq = np.bincount(codes, minlength=len(uniques))
    for i, c in per_text.items():
        for kind, n in c.items():
            counts[kind] += n * int(freq[i])
    out = values.astype(object).copy()
    hit = changed[codes]
    out.iloc[rows[hit]] = redacted[codes[hit]]
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        out = out.astype(values.dtype)
    return out, counts


def _maybe_mask(values: pd.Series) -> np.ndarray:
    """Per cell: is it text that may hold something to redact? (RE2 over the whole column, no Python loop)."""
    try:
        arr = (pa.array(values.array) if hasattr(values.array, "__arrow_array__")
               else pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True))
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            arr = arr.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed cell types: look at the text cells only
        return values.map(lambda v: isinstance(v, str) and bool(_MAYBE.search(v))).to_numpy(dtype=bool)
    return pc.match_substring_regex(arr, _MAYBE_PATTERN).fill_null(False).to_numpy(zero_copy_only=False)


def _json_leaves(value: object, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _json_leaves(v, out)
    elif isinstance(value, list):
        for v in value:
            _json_leaves(v, out)


def _json_replace(value: object, done: dict[str, str]) -> object:
    if isinstance(value, str):
        return done.get(value, value)
    if isinstance(value, dict):
        return {k: _json_replace(v, done) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_replace(v, done) for v in value]
    return value


def redact_json_texts(values: pd.Series) -> tuple[pd.Series, Counter]:
    """Like :func:`redact_texts` for a column of JSON documents (a source's raw records): every string
    value is redacted once over the whole column (values repeat across records), keys stay; cells
    that are not JSON are redacted as text."""
    counts: Counter = Counter()
    docs: dict[int, object] = {}
    leaves: list[str] = []
    plain: list[int] = []
    for i, cell in enumerate(values.tolist()):
        if not isinstance(cell, str):
            continue
        try:
            doc = json.loads(cell)
        except ValueError:
            plain.append(i)
            continue
        docs[i] = doc
        _json_leaves(doc, leaves)
    out = values.astype(object).copy()
    if leaves:
        texts = pd.Series(leaves, dtype=object)
        redacted, counts = redact_texts(texts)
        done = {a: b for a, b in zip(texts.tolist(), redacted.tolist()) if a != b}
        if done:
            for i, doc in docs.items():
                new = _json_replace(doc, done)
                if new != doc:
                    out.iat[i] = json.dumps(new, ensure_ascii=False)
    if plain:
        part, n = redact_texts(values.iloc[plain])
        out.iloc[plain] = part.to_numpy(dtype=object)
        counts.update(n)
    return out, counts


def redact_frame(frame: pd.DataFrame, columns: Iterable[str] | None = None, own: pd.Series | None = None,
                 skip: Iterable[str] = ()) -> tuple[pd.DataFrame, Counter]:
    """A copy of ``frame`` with every text column (or ``columns``) redacted, and the counts by kind."""
    skip = set(skip)
    cols = [c for c in (columns if columns is not None else frame.columns)
            if c in frame.columns and c not in skip and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
    total: Counter = Counter()
    if not cols:
        return frame, total
    out = frame.copy()
    for c in cols:
        if c == "raw_json" and own is None:  # a source's raw records as JSON: redact its values, once each
            out[c], n = redact_json_texts(out[c])
        else:
            out[c], n = redact_texts(out[c], own)
        total.update(n)
    return out, total


def strip_placeholders(text: str) -> str:
    """``text`` without placeholders (to see whether anything else is left)."""
    return re.sub(_PLACEHOLDER_RE, "", text)
