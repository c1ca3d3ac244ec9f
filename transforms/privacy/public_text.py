"""Which text of a system may go public: register texts come from editors or vetted sources.

A survey answer is free text typed by a colleague; even redacted it is not a register text. So in
every public output (site, national/Eurocities/Amsterdam exports, report) a system's description is
the one an editor wrote (``fields.description``, saved by an ``edit``/``confirm`` decision), or the
description as a vetted source (application portfolio, ledger, tender) gave it. A system whose only
description comes from survey answers gets none until an editor writes one; the register entry then
falls back to the editor's goal or the system's name.
"""

from __future__ import annotations

__all__ = ["PUBLIC_SYSTEMS_SQL", "UNVETTED_SOURCE_TYPES"]

#: Source types whose free text is never published as is.
UNVETTED_SOURCE_TYPES = ("survey",)

_UNVETTED = ", ".join(f"'{t}'" for t in UNVETTED_SOURCE_TYPES)

#: ``SELECT`` over ``systems`` (all columns) with ``description`` replaced by its public form; append a
#: ``WHERE``/``ORDER BY``. Reads ``provenance`` and ``mentions``.
PUBLIC_SYSTEMS_SQL = f"""
SELECT * REPLACE (
    CASE
        WHEN nullif(trim(json_extract_string(fields_json, '$.description')), '') IS NOT NULL
            THEN json_extract_string(fields_json, '$.description')
        WHEN EXISTS (SELECT 1 FROM provenance p JOIN mentions m USING (source_key)
                     WHERE p.system_id = systems.system_id AND m.description = systems.description
                       AND m.source_type NOT IN ({_UNVETTED}))
            THEN description
        ELSE NULL
    END AS description)
FROM systems"""
