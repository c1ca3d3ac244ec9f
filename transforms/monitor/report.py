"""The management report: one HTML document, printed to PDF with WeasyPrint (pure: returns bytes/strings).

Cover, contents with page numbers, the path at a glance, headline figures with the change since
the previous period, what changed, obligations due, DPIA/IAMA/FRIA coverage, AI literacy, overdue
reviews, requirements progress, the peer comparison, the impact-ranked attention list and the
sources. Dutch text and formatting; charts are SVG embedded in the document, so the HTML file is
self-contained and the PDF is printed from exactly the same source.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from transforms.labels import AI_ACT_CLASS_LABELS, REGISTER_FIELD_LABELS, SOURCE_TYPE_LABELS
from transforms.monitor import dutch
from transforms.monitor.changes import CHANGE_LABELS
from transforms.monitor.charts import ORANGE, bar_chart, trend_chart
from transforms.monitor.checklist import Step
from transforms.monitor.kpis import DONE_DPIA_STATUSES
from transforms.monitor.literacy import LiteracyFigures
from transforms.monitor.pdf import html_to_pdf
from transforms.privacy.cells import neutralise_frame

__all__ = ["ReportFiles", "ReportInput", "render_report", "render_html", "attention_list", "SOURCE_TYPE_LABELS"]


_env = Environment(loader=PackageLoader("transforms", "templates"), autoescape=select_autoescape(["html", "j2"]))
_env.filters.update(nl=dutch.nl_number, nl_int=dutch.nl_int, nl_pct=dutch.nl_pct, nl_date=dutch.nl_date,
                    nl_period=dutch.nl_period, nl_money=dutch.nl_money)


@dataclass
class ReportFiles:
    html: str
    pdf: bytes | None
    charts: dict[str, bytes] = field(default_factory=dict)
    kpis_json: str = ""
    pdf_error: str | None = None
    lacking_csv: str = ""  # who still lacks AI-literacy training: role, department, pseudonym

    def files(self) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {"report.html": self.html, "kpis.json": self.kpis_json}
        if self.pdf is not None:
            out["report.pdf"] = self.pdf
        if self.lacking_csv:
            out["niet-getraind.csv"] = self.lacking_csv
        out.update({f"charts/{name}.svg": svg for name, svg in self.charts.items()})
        return out


@dataclass
class ReportInput:
    """Everything one period's report shows; the grip tables are None until they exist."""

    org: dict
    period: str
    kpis: dict[str, float]
    previous: dict[str, float]
    history: pd.DataFrame  # kpis table rows (period, name, value) up to this period
    checklist: list[Step]
    changes: dict[str, list[dict]]
    attention: pd.DataFrame  # impact-ranked active systems with what they still need
    literacy: LiteracyFigures
    sources: pd.DataFrame
    comparison: dict = field(default_factory=dict)
    peer_news: pd.DataFrame | None = None
    obligations_due: pd.DataFrame | None = None
    assessments: pd.DataFrame | None = None
    overdue_reviews: pd.DataFrame | None = None
    requirements: pd.DataFrame | None = None
    moved_deadlines: pd.DataFrame | None = None
    drift: dict | None = None  # our entries in the national register against the inventory (publish.drift)
    generated_at: dt.datetime | None = None


def attention_list(inventory: pd.DataFrame, impact: pd.DataFrame, limit: int = 20) -> pd.DataFrame:
    """Active systems that still need something, by impact rank: to review, DPIA missing, register missing."""
    inv = inventory.merge(impact, on="system_id", how="inner")
    done = inv["dpia_status"].fillna("").astype(str).str.strip().str.lower().isin(DONE_DPIA_STATUSES)
    needs = []
    for r, d in zip(inv.itertuples(index=False), done):
        todo = []
        if r.status == "candidate":
            todo.append("beoordelen")
        if r.status == "confirmed" and bool(r.dpia_required) and not d:
            todo.append("DPIA uitvoeren")
        if r.status == "confirmed" and not bool(r.published):
            todo.append("registerbeschrijving aanvullen")
        needs.append(", ".join(todo))
    inv["needs"] = needs
    inv = inv[inv["needs"] != ""].sort_values("impact_rank")
    return inv.head(limit)


def _b64(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _headline(k: dict, prev: dict, lit: LiteracyFigures) -> list[dict]:
    """Headline figures, each with a note on its change since the previous period (never invented)."""
    def note(now: float | None, before: float | None, pct: bool = False) -> str:
        if not prev:
            return "eerste periode"
        if now is None or before is None:
            return ""  # not measured in one of the two periods: no change to report
        delta = dutch.nl_delta(now - before)
        return f"{delta}{' procentpunt' if pct else ''} t.o.v. vorige periode" if delta else "gelijk aan vorige periode"

    def row(label: str, name: str, value: str | None = None, pct: bool = False) -> dict:
        v = k.get(name)
        shown = value if value is not None else (dutch.nl_pct(v) if pct else dutch.nl_int(v))
        return {"label": label, "value": shown, "note": note(v, prev.get(name), pct)}

    high = k.get("class_high_risk", 0) + k.get("class_prohibited", 0)
    high_before = prev.get("class_high_risk", 0) + prev.get("class_prohibited", 0)
    return [row("Bevestigde AI-systemen en algoritmes", "systems_confirmed"),
            row("Kandidaten nog te beoordelen", "review_backlog"),
            {"label": "Hoog risico of verboden (bevestigd)", "value": dutch.nl_int(high), "note": note(high, high_before)},
            row("Verplichte DPIA's afgerond", "dpia_coverage_pct",
                f"{dutch.nl_int(k.get('dpia_done', 0))} van {dutch.nl_int(k.get('dpia_required', 0))} "
                f"({dutch.nl_pct(k.get('dpia_done', 0), k.get('dpia_required', 0))})" if k.get("dpia_required")
                else "geen verplicht", pct=True),
            row("Met registerbeschrijving", "published"),
            row("Medewerkers AI-geletterd", "literacy_coverage_pct",
                dutch.nl_pct(lit.coverage_pct) if lit.coverage_pct is not None else "onbekend", pct=True),
            row("Nieuwe registraties bij andere organisaties", "peer_new_entries")]


def _charts(inp: ReportInput) -> dict[str, bytes]:
    charts: dict[str, bytes] = {}
    k = inp.kpis
    classes = [(AI_ACT_CLASS_LABELS.get(c, c), k.get(f"class_{c}", 0)) for c in AI_ACT_CLASS_LABELS if k.get(f"class_{c}")]
    if classes:
        charts["risk"] = bar_chart([c for c, _ in classes], [v for _, v in classes], color=ORANGE)
    hist = inp.history.pivot_table(index="period", columns="name", values="value", aggfunc="last").sort_index().tail(12)
    if len(hist) > 1:
        series = {label: [None if pd.isna(v) else float(v) for v in hist.get(name, pd.Series(index=hist.index))]
                  for name, label in (("systems_confirmed", "Bevestigd"), ("review_backlog", "Te beoordelen"),
                                      ("published", "Met registerbeschrijving"))}
        charts["trend"] = trend_chart(list(hist.index), series)
    depts = [d for d in inp.literacy.departments if d["pct"] is not None]
    if depts:
        charts["literacy"] = bar_chart([d["department"] for d in depts], [round(d["pct"], 1) for d in depts],
                                       unit="%")
    trend = [t for t in inp.literacy.trend if t["pct"] is not None]
    if len(trend) > 1:
        charts["literacy_trend"] = trend_chart([t["period"] for t in trend], {"Getraind": [t["pct"] for t in trend]},
                                               percent=True)
    return charts


def _records(df: pd.DataFrame | None) -> list[dict] | None:
    if df is None:
        return None
    return df.astype(object).where(df.notna(), None).to_dict("records")


def render_html(inp: ReportInput, charts: dict[str, bytes]) -> str:
    """The report's one HTML source (used as is for the browser and printed for the PDF)."""
    generated = inp.generated_at or dt.datetime.now().replace(microsecond=0)
    ctx = dict(
        inp=inp, org=inp.org, period=inp.period, period_nl=dutch.nl_period(inp.period), k=inp.kpis,
        generated=dutch.nl_date(generated.date()), checklist=inp.checklist, headline=_headline(inp.kpis, inp.previous, inp.literacy),
        changes=inp.changes, change_labels=CHANGE_LABELS, attention=_records(inp.attention), lit=inp.literacy,
        sources=_records(inp.sources), comparison=inp.comparison or {}, field_labels=REGISTER_FIELD_LABELS,
        peer_news=_records(inp.peer_news.head(15)) if inp.peer_news is not None else [],
        obligations=_records(inp.obligations_due), assessments=_records(inp.assessments),
        overdue=_records(inp.overdue_reviews), requirements=_records(inp.requirements),
        moved=_records(inp.moved_deadlines), charts={n: _b64(svg) for n, svg in charts.items()},
        class_labels=AI_ACT_CLASS_LABELS, source_labels=SOURCE_TYPE_LABELS, drift=inp.drift,
    )
    return _env.get_template("report.html.j2").render(**ctx)


def render_report(inp: ReportInput, *, pdf: bool = True) -> ReportFiles:
    """HTML, PDF (None with ``pdf_error`` when WeasyPrint cannot run here), charts and kpis.json."""
    charts = _charts(inp)
    html = render_html(inp, charts)
    pdf_bytes, error = None, None
    if pdf:
        try:
            pdf_bytes = html_to_pdf(html)
        except Exception as exc:  # the HTML report still stands; the caller reports this line
            error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    kpis_json = json.dumps({"organisation": inp.org.get("name"), "period": inp.period, "kpis": inp.kpis,
                            "checklist": [{"step": s.key, "status": s.status_nl, "figures": s.figures} for s in inp.checklist]},
                           ensure_ascii=False, indent=2)
    lacking = pd.DataFrame(inp.literacy.lacking, columns=["role", "department", "person"])
    lacking.columns = ["functie", "afdeling", "pseudoniem"]
    lacking_csv = neutralise_frame(lacking).to_csv(index=False, sep=";") if len(lacking) else ""
    return ReportFiles(html=html, pdf=pdf_bytes, charts=charts, kpis_json=kpis_json, pdf_error=error,
                       lacking_csv=lacking_csv)
