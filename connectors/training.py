"""Training register connector (an LMS export, CSV/XLSX): who completed which course when.

Fields: employee id, name and/or e-mail (any one identifies the person), department, role
(functie), course, completion date, status. People are pseudonymised here, before anything is
stored: the frame holds ``person_key`` (keyed HMAC, :func:`transforms.privacy.pseudonyms.person_key`)
and never a name, e-mail address or employee id. Quarantined rows keep a redacted text, never the
raw line. The key comes from ``spec.options['pseudonym_dir']`` (the ingest step passes ``data_dir``).
"""

from __future__ import annotations

import pandas as pd

from connectors._rows import quarantine_frame, read_fields, unique_refs
from connectors.base import ConnectorResult, SourceSpec
from transforms.errors import ConfigError
from transforms.privacy.pseudonyms import load_or_create_key, person_key

__all__ = ["load", "ALIASES", "FRAME_COLUMNS", "PERSON_FIELDS", "parse_dates"]

FRAME_COLUMNS = ["row_ref", "person_key", "department", "role", "course", "completed_on", "completed"]
PERSON_FIELDS = ("employee_id", "email", "name")

ALIASES: dict[str, tuple[str, ...]] = {
    "employee_id": ("personeelsnummer", "medewerkernummer", "medewerker-id", "medewerker id", "employee id",
                    "employee_id", "id medewerker", "gebruikersnaam", "user id", "userid", "login", "account"),
    "email": ("e-mail", "email", "e-mailadres", "emailadres", "mailadres", "e-mail medewerker"),
    "name": ("naam", "naam medewerker", "medewerker", "volledige naam", "deelnemer", "cursist", "name", "full name"),
    "department": ("afdeling", "organisatieonderdeel", "team", "cluster", "department", "organisatie-eenheid"),
    "role": ("functie", "rol", "functiegroep", "functienaam", "role", "job title"),
    "course": ("cursus", "training", "module", "leeractiviteit", "opleiding", "course", "cursusnaam", "e-learning"),
    "completed_on": ("afgerond op", "datum afgerond", "voltooid op", "voltooiingsdatum", "completion date",
                     "datum voltooid", "behaald op", "afronddatum", "datum afronding", "completed"),
    "status": ("status", "voortgang", "resultaat"),
}
_DONE = {"afgerond", "voltooid", "behaald", "geslaagd", "completed", "passed", "gereed", "klaar"}


def parse_dates(values: pd.Series) -> pd.Series:
    """dd-mm-jjjj, jjjj-mm-dd (XLSX dates arrive so) or dd/mm/jjjj; NaT otherwise."""
    text = values.astype(object).where(values.notna(), None).astype("string").str.strip().str.slice(0, 10)
    out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    for fmt in ("%d-%m-%Y", "%d/%m/%Y"):
        out = out.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return out


def _key(spec: SourceSpec) -> bytes:
    where = spec.options.get("pseudonym_dir")
    if not where:
        raise ConfigError(f"source '{spec.id}': no pseudonym key folder; training registers are read by 'aigrip run'")
    return load_or_create_key(where)


_DUTCH = {"department": "afdeling", "role": "functie", "course": "cursus", "completed_on": "afgerond op"}


def _redacted(row: pd.Series) -> str:
    """The row without anything that identifies the person: pseudonym, department, role, course, date."""
    pkey = row["person_key"] if pd.notna(row["person_key"]) else "onbekend"
    return "; ".join([f"persoon {pkey}"] + [f"{nl} {row[f]}" for f, nl in _DUTCH.items() if pd.notna(row[f])])


def load(spec: SourceSpec) -> ConnectorResult:
    """Read an LMS export; rows without a person or course, or with an unreadable date, are quarantined."""
    key = _key(spec)
    frame, table = read_fields(spec, ALIASES, required=("course",),
                               sheet_hints=("Trainingen", "Voltooiingen", "Resultaten", "Export"))
    if not any(f in table.fields for f in PERSON_FIELDS):
        from transforms.errors import SourceFormatError

        raise SourceFormatError(f"{spec.path} has no column that identifies a person (Personeelsnummer, E-mail or "
                                "Naam); add one or map it with 'columns: {employee_id: ...}'", spec.id)
    who = frame["employee_id"].where(frame["employee_id"].notna(), frame["email"])
    who = who.where(who.notna(), frame["name"])
    frame["person_key"] = [person_key(v, key) for v in who]
    parsed = parse_dates(frame["completed_on"])
    bad_date = frame["completed_on"].notna() & parsed.isna()
    no_person, no_course = frame["person_key"].isna(), frame["course"].isna()
    rows = [{"row_ref": r["row_ref"], "reason": r["reason"], "raw_text": "(regel niet bewaard: kan persoonsgegevens bevatten)"}
            for r in table.quarantine]
    for _, r in frame[no_person | no_course | bad_date].iterrows():
        reason = ("medewerker onbekend: personeelsnummer, e-mail en naam ontbreken" if pd.isna(r["person_key"])
                  else "cursus ontbreekt" if pd.isna(r["course"])
                  else f"datum afgerond '{r['completed_on']}' bestaat niet of heeft een onbekend formaat")
        rows.append({"row_ref": table.ref(r["_ord"]), "reason": reason, "raw_text": _redacted(r)})
    keep = ~(no_person | no_course | bad_date)
    out = frame[keep].copy()
    out["completed_on"] = parsed[keep].dt.date
    status = out["status"].fillna("").astype(str).str.strip().str.lower()
    out["completed"] = out["completed_on"].notna() | status.isin(_DONE)
    out["row_ref"] = unique_refs((out["person_key"] + ":" + out["course"].astype(str).str.lower()).astype(object))
    out = out.drop(columns=[c for c in (*PERSON_FIELDS, "_raw") if c in out.columns])
    return ConnectorResult(frame=out[FRAME_COLUMNS].reset_index(drop=True), quarantine=quarantine_frame(rows),
                           notes=table.notes)
