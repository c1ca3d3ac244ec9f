"""The public site's downloads, in the national register's own shapes.

- ``downloads/algoritmeregister.json``: the shape of the register's site-data download
  (``GET /api/downloads/site-data/json``): ``{"algoritme_versions": [...], "organisation_details": [...]}``;
  ``aigrip validate`` reads it back.
- ``downloads/algoritmeregister.csv``: the register's CSV download (English keys, lists flattened,
  HTML stripped), UTF-8 with a BOM and formula-safe cells so that it opens in Excel.
- ``downloads/algoritmeregister-excel-nl.csv``: the same with ``;`` for Dutch Excel.
"""

from __future__ import annotations

import json

from transforms.privacy.cells import neutralise_frame
from transforms.publish.register import to_national_csv

__all__ = ["downloads", "DOWNLOADS"]

DOWNLOADS = [
    ("downloads/algoritmeregister.json", "JSON", "in de vorm van de download van het landelijk Algoritmeregister"),
    ("downloads/algoritmeregister.csv", "CSV", "kolommen zoals de CSV van het landelijk Algoritmeregister"),
    ("downloads/algoritmeregister-excel-nl.csv", "CSV voor Excel", "gescheiden door puntkomma's, opent in Nederlandse Excel"),
]


def downloads(entries: list[tuple[str, dict]], org: dict) -> dict[str, str | bytes]:
    versions = [entry | {"language": "NLD"} for _, entry in entries]
    site_data = {"algoritme_versions": versions,
                 "organisation_details": [{"name": org.get("name"), "code": org.get("code"), "type": "gemeente",
                                           "language": "NLD", "contact_info": org.get("contact_email")}]}
    frame = neutralise_frame(to_national_csv([e for _, e in entries]))
    return {
        DOWNLOADS[0][0]: json.dumps(site_data, ensure_ascii=False, indent=2),
        DOWNLOADS[1][0]: frame.to_csv(index=False, quoting=1).encode("utf-8-sig"),
        DOWNLOADS[2][0]: frame.to_csv(index=False, sep=";", quoting=1).encode("utf-8-sig"),
    }
