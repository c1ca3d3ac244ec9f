"""A published register entry seen as a system row, for the layouts built from systems (Eurocities,
Amsterdam): they then show exactly the published version, never an unpublished draft or an
internal reason."""

from __future__ import annotations

import json

from transforms.publish.markup import plain_text

__all__ = ["system_from_entry"]

_LONG = ("goal", "proportionality", "human_intervention", "risks", "lawful_basis", "source_data",
         "methods_and_models")


def system_from_entry(system: dict, entry: dict) -> dict:
    """``system`` with name, description, vendor and ``fields_json`` taken from its published entry."""
    fields: dict = {k: plain_text(entry[k]) for k in _LONG if entry.get(k)}
    fields |= {k: entry[k] for k in ("contact_email", "website", "publication_category") if entry.get(k)}
    fields["status_register"] = entry.get("status")
    done = {str(i.get("title", "")).lower(): i for i in entry.get("impacttoetsen_grouping") or []}
    dpia = next((i for t, i in done.items() if "dpia" in t), None)
    iama = next((i for t, i in done.items() if "iama" in t), None)
    fields["dpia_status"] = "uitgevoerd" if dpia else "niet vermeld"
    fields["iama_status"] = "uitgevoerd" if iama else "niet vermeld"
    if dpia and dpia.get("link"):
        fields["dpia_link"] = dpia["link"]
    return {**system, "name": entry.get("name"), "description": entry.get("description_short"),
            "vendor": entry.get("provider"), "fields_json": json.dumps(fields, ensure_ascii=False)}
