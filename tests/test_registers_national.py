"""National register connector: API paging/retry/404/dump on a local server, and downloaded files."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import Workbook

from connectors import SourceSpec, load_source
from transforms.errors import SourceFormatError


class RegisterServer:
    """A local stand-in for algoritmes.overheid.nl/api with recorded-format responses."""

    def __init__(self, records: list[dict], *, fail_once_on_page: int | None = None, pages: dict | None = None):
        self.records = records
        self.fail_once_on_page = fail_once_on_page
        self.pages = pages or {}
        self.calls: list[tuple[str, str, object]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, ctype="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                server.calls.append(("POST", self.path, body))
                if self.path != "/api/algoritme/NLD":
                    return self._send(404, {"detail": "Not Found"})
                page, limit = int(body["page"]), int(body["limit"])
                if page == server.fail_once_on_page:
                    server.fail_once_on_page = None
                    return self._send(500, {"detail": "Internal Server Error"})
                chunk = server.records[(page - 1) * limit: page * limit]
                self._send(200, {"results": chunk, "total_count": len(server.records), "filter_data": {},
                                 "selected_filters": []})

            def do_GET(self):
                server.calls.append(("GET", self.path, None))
                if self.path in server.pages:
                    return self._send(200, server.pages[self.path].encode(), "text/html; charset=utf-8")
                if self.path == "/api/downloads/site-data/json":
                    versions = [dict(r, state="PUBLISHED", language="NLD", owner=r.get("code")) for r in server.records]
                    versions.append(dict(server.records[0], state="EXPIRED", language="NLD"))
                    return self._send(200, {"algoritme_versions": versions, "organisation_details": []})
                prefix = "/api/algoritme/NLD/"
                if self.path.startswith(prefix):
                    lars = self.path[len(prefix):]
                    for r in server.records:
                        if r["lars"] == lars:
                            return self._send(200, r)
                    return self._send(404, {"detail": "Kan algoritme niet vinden."})
                self._send(404, {"detail": "Not Found"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def rec_1_0(lars, org, name, provider=None, org_id=None, **extra):
    base = {
        "lars": lars, "name": name, "organization": org, "code": org.lower().replace(" ", "-"),
        "org_id": org_id, "description_short": f"<p>{name} &amp; meer</p>", "status": "In gebruik",
        "category": ["Organisatie en bedrijfsvoering"], "publication_category": "Overige algoritmes",
        "provider": provider, "standard_version": "1.0", "language": "NLD", "create_dt": "2025-03-11T10:00:00",
        "impacttoetsen_grouping": [{"title": "Data Protection Impact Assessment (DPIA)", "link": "https://x.nl/dpia"},
                                   {"title": "Impact Assessment Mensenrechten en Algoritmes (IAMA)", "link": None}],
        "goal": "<div><p>Doel</p><ul><li>een</li><li>twee</li></ul></div>",
    }
    base.update(extra)
    return base


def mixed_records():
    return [
        rec_1_0("17713131", "Gemeente Eindhoven", "Parkeercontrole", "Brickyard B.V."),
        {"lars": "16268148", "name": "Druktebeeld", "organization": "Gemeente Amsterdam", "standard_version": "0.1.0",
         "iama": "Nee", "dpia": "Ja", "category": "Verkeer", "status": "", "code": "gemeente-amsterdam"},
        {"lars": "40000004", "name": "Wmo-voorspelmodel", "organization": "Gemeente Den Haag", "standard_version": "0.4",
         "impacttoetsen": ["DPIA", "IAMA"], "category": ["Financiën", "Zorg en gezondheid"], "status": "In gebruik",
         "code": "gemeente-den-haag"},
    ]


def spec_for(url, **options):
    return SourceSpec(id="landelijk_register", type="national_register", url=url,
                      options={"backoff": 0.01, **options})


def test_paging_with_one_server_error_mid_way_fetches_everything():
    records = [rec_1_0(f"{10000000 + i}", f"Gemeente {i % 7}", f"Algoritme {i}") for i in range(25)]
    with RegisterServer(records, fail_once_on_page=2) as srv:
        result = load_source(spec_for(srv.url + "/api", limit=10))
    posts = [c for c in srv.calls if c[0] == "POST"]
    assert [c[2]["page"] for c in posts] == [1, 2, 2, 3]  # page 2 retried after the 500
    assert all(c[2]["limit"] == 10 for c in posts)
    assert len(result.frame) == 25 and result.rows_in == 25
    assert result.frame["entry_key"].is_unique
    assert result.frame.iloc[0]["entry_key"] == "landelijk_register:10000000"
    assert result.frame.iloc[0]["url"] == "https://algoritmes.overheid.nl/nl/algoritme/10000000"


def test_one_lars_404_is_quarantined_not_fatal():
    with RegisterServer(mixed_records()) as srv:
        result = load_source(spec_for(srv.url + "/api", lars=["17713131", "99999999"]))
    assert list(result.frame["lars"]) == ["17713131"]
    assert list(result.quarantine["row_ref"]) == ["99999999"]
    assert "404" in result.quarantine.iloc[0]["reason"]
    assert result.rows_in == 2


def test_dump_keeps_published_dutch_versions_only():
    with RegisterServer(mixed_records()) as srv:
        result = load_source(spec_for(srv.url + "/api", dump=True))
    assert len(result.frame) == 3
    assert len(result.quarantine) == 1 and "EXPIRED" in result.quarantine.iloc[0]["reason"]
    assert srv.calls == [("GET", "/api/downloads/site-data/json", None)]


def test_mixed_standard_versions_map_into_one_shape():
    with RegisterServer(mixed_records()) as srv:
        frame = load_source(spec_for(srv.url + "/api")).frame.set_index("lars")
    assert frame.loc["17713131", "standard_version"] == "1.0"
    assert frame.loc["17713131", "impact_assessments"] == ["DPIA", "IAMA"]
    assert frame.loc["17713131", "org_code"] == "gm0772"
    assert frame.loc["17713131", "description_short"] == "Parkeercontrole & meer"
    assert frame.loc["17713131", "goal"] == "Doel een twee"
    assert frame.loc["16268148", "standard_version"] == "0.1"
    assert frame.loc["16268148", "impact_assessments"] == ["DPIA"]
    assert frame.loc["16268148", "categories"] == ["Verkeer"]
    assert frame.loc["16268148", "org_code"] == "gm0363"
    assert frame.loc["40000004", "standard_version"] == "0.4"
    assert frame.loc["40000004", "impact_assessments"] == ["DPIA", "IAMA"]
    assert frame.loc["40000004", "categories"] == ["Overheidsfinanciën", "Zorg en gezondheid"]
    assert frame.loc["40000004", "snapshot_id"] is None


def test_csv_export_file(tmp_path: Path):
    path = tmp_path / "Algoritmebeschrijvingen 20260101.csv"
    header = ["name", "organization", "description_short", "category", "status", "standard_version",
              "provider", "impacttoetsen_grouping", "publication_category", "algorithm_id"]
    rows = [
        ["Anonimiseren", "Gemeente Tilburg", "Zwart maken van persoonsgegevens", "Organisatie en bedrijfsvoering, Recht",
         "In gebruik", "1.0", "Octobox", "1: Data Protection Impact Assessment (DPIA), https://t.nl/dpia. 2: Pre-scan DPIA",
         "Overige algoritmes", "12345678"],
        ["Zonder id", "Gemeente Breda", "x", "", "In gebruik", "1.0.0", "", "", "Overige algoritmes", ""],
    ]
    text = "\n".join(",".join(f'"{v}"' for v in r) for r in [header, *rows]) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = load_source(SourceSpec(id="lr", type="national_register", path=path))
    f = result.frame
    assert f.iloc[0]["entry_key"] == "lr:12345678"
    assert f.iloc[0]["categories"] == ["Organisatie en bedrijfsvoering", "Recht"]
    assert f.iloc[0]["impact_assessments"] == ["DPIA", "Pre-scan DPIA"]
    assert f.iloc[1]["lars"] is None and len(f.iloc[1]["row_ref"]) == 12
    assert f.iloc[1]["org_code"] == "gm0758" and f.iloc[1]["standard_version"] == "1.0"


def test_excel_export_file_transposed_with_dutch_labels(tmp_path: Path):
    wb = Workbook()
    ws = wb.active
    ws.title = "1.0"
    for label, a, b in [("Naam", "Chatbot Gem", "Slimme camera"), ("Organisatienaam", "Gemeente Tilburg", "Gemeente Almere"),
                        ("Status", "In gebruik", "In ontwikkeling"), ("Leverancier", "Tilburg", "Vendor X"),
                        ("Impacttoetsen", "1: Data Protection Impact Assessment (DPIA)", ""), ("Algoritme-ID", "11111111", "22222222")]:
        ws.append([label, a, b])
    old = wb.create_sheet("0.4")
    for label, a in [("Naam", "Oud model"), ("Organisatie", "Gemeente Ede"), ("Impacttoetsen", "DPIA, IAMA"),
                     ("Algoritme-ID", "33333333")]:
        old.append([label, a])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    f = load_source(SourceSpec(id="lr", type="national_register", path=path)).frame.set_index("lars")
    assert f.loc["11111111", "impact_assessments"] == ["DPIA"] and f.loc["11111111", "standard_version"] == "1.0"
    assert f.loc["22222222", "status"] == "In ontwikkeling"
    assert f.loc["33333333", "impact_assessments"] == ["DPIA", "IAMA"] and f.loc["33333333", "org_code"] == "gm0228"


def test_html_file_is_a_readable_format_error(tmp_path: Path):
    path = tmp_path / "register.json"
    path.write_text("<!doctype html><html><body>Inloggen</body></html>")
    with pytest.raises(SourceFormatError, match="register.json"):
        load_source(SourceSpec(id="lr", type="national_register", path=path))


def test_ingest_1500_entries_from_300_orgs_is_fast():
    records = [rec_1_0(f"{20000000 + i}", f"Gemeente Nummer {i % 320}", f"Algoritme {i % 90} toepassing",
                       provider=f"Leverancier {i % 40} B.V.") for i in range(1600)]
    with RegisterServer(records) as srv:
        start = time.perf_counter()
        result = load_source(spec_for(srv.url + "/api"))
        elapsed = time.perf_counter() - start
    assert len(result.frame) == 1600 and result.frame["organisation"].nunique() == 320
    print(f"ingest of 1600 entries / 320 orgs over local HTTP: {elapsed:.2f} s")
    assert elapsed < 60
