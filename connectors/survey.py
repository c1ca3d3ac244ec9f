"""Department survey (uitvraag) connector: Microsoft Forms XLSX/CSV export → one row per named system.

Questions are recognised by keywords ("E-mail", "Naam", "Afdeling", "systemen"/"toepassingen",
"Leverancier", "Waarvoor"/"Omschrijving", "AI"/"leert"). A cell naming several systems (newline,
``;``, ``,``, `` en ``) gives several rows ``<response id>-<k>``. Respondent names and e-mail addresses
never leave this module: only ``respondent_hash`` = the keyed person key of the e-mail (or name)
(:func:`transforms.privacy.pseudonyms.person_key`, HMAC with the ``data_dir``'s key, passed in as the
``pseudonym_key`` option; without it a throwaway random key is used, so nothing can be re-identified).
Each answer's texts are redacted before they leave: the respondent's own name and e-mail address
wherever they recur (also as a bare name typed where the system belongs), and every other kind of
personal data :mod:`transforms.privacy.redact` finds; the counts are in ``ConnectorResult.redactions``.
``rows_in`` counts the file's rows and ``rows_loaded`` the answers loaded (one answer may give
several frame rows), so that ``rows_in == rows_loaded + len(quarantine)`` holds.
"""

from __future__ import annotations

import secrets
from collections import Counter

import pandas as pd

from connectors._rows import quarantine_frame, read_fields
from connectors.base import ConnectorResult, SourceSpec
from transforms.privacy.pseudonyms import person_key
from transforms.privacy.redact import identity_patterns, redact_frame

__all__ = ["load", "ALIASES", "FRAME_COLUMNS", "respondent_hash", "parse_yes_no"]

FRAME_COLUMNS = ["row_ref", "response_id", "answer_index", "department", "system", "vendor", "description", "uses_ai", "respondent_hash"]
_TEXT_FIELDS = ("systems", "vendor", "description", "department")
_SPLIT = r"\r?\n|;|,|\s+en\s+"

# Order matters: the systems question also contains "AI" and "afdeling".
ALIASES: dict[str, tuple[str, ...]] = {
    "response_id": ("id", "respons-id", "antwoord-id", "response id", "nr", "nummer"),
    "respondent_email": ("e-mail", "email", "e-mailadres", "emailadres", "~e-mail"),
    "respondent_name": ("naam", "naam respondent", "uw naam", "volledige naam"),
    "systems": ("~systemen", "~toepassingen", "~systeem", "~applicaties"),
    "uses_ai": ("~leert", "~ai", "~kunstmatige intelligentie"),
    "vendor": ("~leverancier",),
    "description": ("~waarvoor", "~omschrijving", "~doel"),
    "department": ("~afdeling", "~team", "~directie"),
}

_YES = {"ja", "yes", "j", "y", "true", "waar", "1", "ja, zeker", "ja, deels"}
_NO = {"nee", "no", "n", "false", "onwaar", "0"}


def respondent_hash(identity: pd.Series, key: bytes) -> pd.Series:
    """The keyed person key (16 hex) per respondent; None where no identity is known."""
    return identity.map(lambda v: person_key(v, key) if v else None)


def parse_yes_no(values: pd.Series) -> pd.Series:
    """'Ja'/'Nee'/'Weet ik niet' → True/False/<NA> (nullable boolean)."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip().str.lower()
    first = text.str.split(r"[\s,.(]", n=1, regex=True).str[0]
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_YES) | first.isin({"ja", "yes"})] = True
    out[text.isin(_NO) | first.isin({"nee", "no"})] = False
    return out


def load(spec: SourceSpec) -> ConnectorResult:
    """Read a survey export; rows without any named system are quarantined (respondent data removed)."""
    frame, table = read_fields(spec, ALIASES, required=("systems",), sheet_hints=("Sheet1", "Blad1", "Antwoorden"))
    key = spec.options.get("pseudonym_key") or secrets.token_bytes(32)
    frame["respondent_hash"] = respondent_hash(frame["respondent_email"].where(frame["respondent_email"].notna(), frame["respondent_name"]), key)
    own = pd.Series([identity_patterns((e, n)) for e, n in zip(frame["respondent_email"], frame["respondent_name"])],
                    index=frame.index, dtype=object)
    frame, redactions = redact_frame(frame, _TEXT_FIELDS, own=own)
    frame["response_id"] = frame["response_id"].where(frame["response_id"].notna(), frame["_ord"].map(lambda n: f"rij{n}"))
    frame = frame.drop(columns=["respondent_email", "respondent_name", "_raw"])
    frame["uses_ai"] = parse_yes_no(frame["uses_ai"])
    parts = frame["systems"].astype(object).where(frame["systems"].notna(), "").astype(str).str.split(_SPLIT, regex=True)
    exploded = frame.assign(system=parts).explode("system")
    exploded["system"] = exploded["system"].astype(str).str.strip().str.strip("-•*").str.strip()
    exploded = exploded[exploded["system"] != ""].copy()
    exploded["answer_index"] = exploded.groupby("_ord").cumcount() + 1
    exploded["row_ref"] = exploded["response_id"].astype(str) + "-" + exploded["answer_index"].astype(str)
    # raw text of rejected lines may hold names or e-mail addresses: never keep it for a survey
    rows = [{**row, "raw_text": "(weggelaten: kan persoonsgegevens bevatten)"} for row in table.quarantine]
    # raw text of a quarantined survey row would expose respondent data: keep only non-personal answers
    empty = frame[~frame["_ord"].isin(exploded["_ord"])]
    for rid, ordinal, dept in empty[["response_id", "_ord", "department"]].itertuples(index=False):
        rows.append({"row_ref": str(rid), "reason": "geen systeem of toepassing ingevuld",
                     "raw_text": f"{table.ref(ordinal)}; afdeling: {dept or ''}"})
    out = exploded[FRAME_COLUMNS].reset_index(drop=True)
    out["answer_index"] = out["answer_index"].astype("int64")
    # rows_in/rows_loaded count the file's rows (answers); an answer naming several systems gives
    # several frame rows (mentions) but is one loaded row
    return ConnectorResult(frame=out, quarantine=quarantine_frame(rows), notes=table.notes,
                           rows_in=table.rows_in(), rows_loaded=int(exploded["_ord"].nunique()),
                           redactions=Counter(redactions))
