"""TenderNed and TED connectors against a local HTTP server and written fixtures."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from connectors.base import SourceSpec
from connectors.ted import load as load_ted
from connectors.tenderned import load as load_tn
from transforms.errors import SourceFormatError


def _item(pid, buyer="Gemeente Voorbeeldstad", desc="Levering chatbot", cpv=True):
    item = {"publicatieId": pid, "publicatieDatum": "2025-04-18", "aanbestedingNaam": f"Aanbesteding {pid}",
            "aanbestedendeDienstNaam": buyer, "typePublicatie": {"code": "AAO", "omschrijving": "Aankondiging opdracht"},
            "link": {"href": f"https://www.tenderned.nl/aankondigingen/overzicht/{pid}", "title": "self"}}
    if desc:
        item["opdrachtBeschrijving"] = desc
    if cpv:
        item["cpvCodes"] = [{"code": "72000000-5", "omschrijving": "IT-diensten", "isHoofdOpdracht": True}]
    return item


class _TNS(BaseHTTPRequestHandler):
    pages: list = []
    calls: list = []

    def log_message(self, *a):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        self.calls.append(self.path)
        if url.path.endswith("/publicaties"):
            page = int(parse_qs(url.query)["page"][0])
            items = self.pages[page]
            body = {"content": items, "totalElements": sum(map(len, self.pages)), "totalPages": len(self.pages),
                    "number": page, "size": 2, "first": page == 0, "last": page == len(self.pages) - 1}
        else:
            pid = url.path.rsplit("/", 1)[1]
            body = {**_item(pid), "kenmerk": f"K-{pid}", "opdrachtBeschrijving": "Detail: AI-chatbot"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def tns():
    _TNS.calls = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _TNS)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/papi/tenderned-rs-tns/v2"
    httpd.shutdown()
    httpd.server_close()


def test_tenderned_api_paging_buyer_and_details(tns):
    _TNS.pages = [[_item("1"), _item("2", buyer="Gemeente Elders")], [_item("3", desc=None, cpv=False)]]
    spec = SourceSpec(id="tn", type="tenderned", url=tns, options={"buyer": "gemeente voorbeeldstad", "page_size": 2, "backoff": 0.01})
    r = load_tn(spec)
    assert list(r.frame["row_ref"]) == ["1", "3"]
    assert r.balanced and (r.rows_in, r.rows_loaded, r.rows_filtered) == (3, 2, 1)  # the other buyer is counted
    assert r.frame.loc[1, "description"] == "Detail: AI-chatbot" and r.frame.loc[1, "kenmerk"] == "K-3"
    assert r.frame.loc[0, "cpv_codes"] == ["72000000"]
    assert sum("/publicaties?" in c for c in _TNS.calls) == 2
    assert sum(c.endswith("/publicaties/3") for c in _TNS.calls) == 1


def test_tenderned_file_page_and_ocds(tmp_path):
    page = tmp_path / "tenderned_publicaties.json"
    page.write_text(json.dumps({"content": [_item("10"), {"aanbestedingNaam": "zonder id"}], "totalElements": 2,
                                "totalPages": 1, "number": 0, "size": 100, "first": True, "last": True}))
    r = load_tn(SourceSpec(id="tn", type="tenderned", path=page))
    assert list(r.frame["row_ref"]) == ["10"] and r.quarantine.loc[0, "reason"] == "publicatieId ontbreekt"
    ocds = tmp_path / "Dataset_Tenderned-2024.json"
    ocds.write_text(json.dumps({"releases": [{"id": "r1", "ocid": "ocds-1", "date": "2024-05-01T00:00:00Z",
        "tag": ["award"], "buyer": {"name": "Gemeente Voorbeeldstad"},
        "parties": [{"name": "Acme BV", "roles": ["supplier"], "identifier": {"id": "01234567"}}],
        "tender": {"title": "Spraakherkenning", "items": [{"classification": {"id": "48000000-8"}}]}}]}))
    r = load_tn(SourceSpec(id="tn", type="tenderned", path=ocds))
    assert r.frame.loc[0, "winner"] == "Acme BV" and r.frame.loc[0, "cpv_codes"] == ["48000000"]
    bad = tmp_path / "trunc.json"
    bad.write_text('{"content": [{"publicatieId": "1"')
    with pytest.raises(SourceFormatError, match="not valid JSON"):
        load_tn(SourceSpec(id="tn", type="tenderned", path=bad))


def test_tenderned_open_data_xlsx_lots(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "OpenData sheet"
    ws.append(["ID publicatie", "Publicatiedatum", "Naam aanbesteding", "Naam Aanbestedende dienst", "CPV-codes", "Naam gegunde onderneming", "ON kvknummer"])
    ws.append([55, "2024-01-02", "Chatbot", "Gemeente Voorbeeldstad", "72000000-5", "Acme", "1234567"])
    ws.append([55, "2024-01-02", "Chatbot", "Gemeente Voorbeeldstad", "72000000-5", "Beta", "7654321"])
    path = tmp_path / "open.xlsx"
    wb.save(path)
    r = load_tn(SourceSpec(id="tn", type="tenderned", path=path))
    assert r.rows_in == 2 and list(r.frame["row_ref"]) == ["55"] and len(r.quarantine) == 1


class _TED(BaseHTTPRequestHandler):
    bodies: list = []

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.bodies.append(body)
        token = body.get("iterationNextToken")
        if token is None:
            out = {"notices": [{"publication-number": "1-2025", "publication-date": "2025-01-02+01:00",
                                "notice-title": {"eng": "Chatbot", "nld": "Virtuele assistent"},
                                "buyer-name": {"nld": ["Gemeente Voorbeeldstad"]}, "classification-cpv": ["72000000"],
                                "links": {"html": {"NLD": "https://ted.europa.eu/nl/notice/-/detail/1-2025"}}}],
                   "totalNoticeCount": 2, "iterationNextToken": "abc"}
        else:
            out = {"notices": [{"publication-number": "2-2025", "notice-title": {"eng": "Speech to text"},
                                "buyer-name": {"eng": ["Gemeente Voorbeeldstad"]}}], "iterationNextToken": None}
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_ted_search_scroll():
    _TED.bodies = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _TED)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        spec = SourceSpec(id="ted", type="ted", url=f"http://127.0.0.1:{httpd.server_address[1]}",
                          options={"buyer": "Gemeente Voorbeeldstad", "page_size": 1000})
        r = load_ted(spec)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert list(r.frame["title"]) == ["Virtuele assistent", "Speech to text"]
    assert _TED.bodies[0]["limit"] == 250 and _TED.bodies[0]["paginationMode"] == "ITERATION"
    assert _TED.bodies[1]["iterationNextToken"] == "abc"


EFORMS = """<?xml version="1.0" encoding="UTF-8"?>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
 xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
 xmlns:efac="http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
 xmlns:efext="http://data.europa.eu/p27/eforms-ubl-extensions/1">
 <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension><efac:Organizations>
  <efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID schemeName="organization">ORG-0001</cbc:ID></cac:PartyIdentification>
   <cac:PartyName><cbc:Name languageID="NLD">Gemeente Voorbeeldstad</cbc:Name></cac:PartyName></efac:Company></efac:Organization>
 </efac:Organizations></efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
 <cbc:ID schemeName="notice-id">11111111-2222-3333-4444-555555555555</cbc:ID>
 <cbc:ContractFolderID>proc-1</cbc:ContractFolderID>
 <cbc:IssueDate>2025-03-01+01:00</cbc:IssueDate>
 <cbc:NoticeTypeCode listName="competition">cn-standard</cbc:NoticeTypeCode>
 <cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID schemeName="organization">ORG-0001</cbc:ID></cac:PartyIdentification></cac:Party></cac:ContractingParty>
 <cac:ProcurementProject>
  <cbc:Name languageID="ENG">Speech recognition</cbc:Name><cbc:Name languageID="NLD">Spraakherkenning raadsvergaderingen</cbc:Name>
  <cbc:Description languageID="NLD">Automatische transcriptie</cbc:Description>
  <cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">48000000</cbc:ItemClassificationCode></cac:MainCommodityClassification>
  <cac:AdditionalCommodityClassification><cbc:ItemClassificationCode listName="cpv">72316000</cbc:ItemClassificationCode></cac:AdditionalCommodityClassification>
  <cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount currencyID="EUR">150000</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>
 </cac:ProcurementProject>
</ContractNotice>"""


def test_ted_eforms_folder(tmp_path):
    (tmp_path / "cn.xml").write_text(EFORMS, encoding="utf-8")
    (tmp_path / "kapot.xml").write_text("<ContractNotice>", encoding="utf-8")
    r = load_ted(SourceSpec(id="ted", type="ted", path=tmp_path))
    assert r.rows_in == 2 and len(r.quarantine) == 1
    row = r.frame.iloc[0]
    assert row["title"] == "Spraakherkenning raadsvergaderingen" and row["buyer"] == "Gemeente Voorbeeldstad"
    assert row["cpv_codes"] == ["48000000", "72316000"] and row["value_eur"] == 150000.0
