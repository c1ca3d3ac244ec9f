"""The monthly monitoring report for management: HTML, PDF and charts (pure: returns bytes/strings).

Dutch text. Charts are drawn with matplotlib (Agg backend); the PDF is built with matplotlib's
PdfPages so no browser or extra system package is needed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from jinja2 import Environment, PackageLoader, select_autoescape  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from transforms.labels import AI_ACT_CLASS_LABELS as AI_ACT_LABELS  # noqa: E402
from transforms.labels import REGISTER_FIELD_LABELS, STATUS_LABELS  # noqa: E402
from transforms.monitor.kpis import DONE_DPIA_STATUSES  # noqa: E402

__all__ = ["ReportFiles", "render_report"]

_env = Environment(loader=PackageLoader("transforms", "templates"), autoescape=select_autoescape(["html", "j2"]))
_BLUE, _ORANGE, _GREY = "#154273", "#e17000", "#8a8a8a"


@dataclass
class ReportFiles:
    html: str
    pdf: bytes
    charts: dict[str, bytes] = field(default_factory=dict)
    kpis_json: str = ""

    def files(self) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {"report.html": self.html, "report.pdf": self.pdf, "kpis.json": self.kpis_json}
        out.update({f"charts/{name}.png": png for name, png in self.charts.items()})
        return out


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _bar(labels: list[str], values: list[float], title: str, color: str = _BLUE):
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * max(len(labels), 2) + 1.0))
    ax.barh(labels[::-1], values[::-1], color=color)
    for i, v in enumerate(values[::-1]):
        ax.text(v, i, f" {v:g}", va="center", fontsize=9)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max(values + [1]) * 1.2)
    return fig


def _trend(history: pd.DataFrame, names: dict[str, str], title: str):
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    for (name, label), color in zip(names.items(), [_BLUE, _ORANGE, _GREY, "#39870c"]):
        h = history[history["name"] == name].sort_values("period")
        if len(h):
            ax.plot(h["period"], h["value"], marker="o", label=label, color=color)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    fig.autofmt_xdate()
    return fig


def _class_rows(kpis: dict[str, float]) -> list[tuple[str, int]]:
    order = list(AI_ACT_LABELS)
    rows = [(code, int(kpis.get(f"class_{code}", 0))) for code in order if kpis.get(f"class_{code}")]
    return [(AI_ACT_LABELS.get(c, c), n) for c, n in rows]


def _delta(kpis: dict, previous: dict, name: str) -> str:
    if name not in previous:
        return ""
    d = kpis.get(name, 0) - previous[name]
    return "" if d == 0 else (f"+{d:g}" if d > 0 else f"{d:g}")


# Text from sources (system names, departments) is never markup: no mathtext ("Fraudescore $_$ bijstand"),
# no TeX. HTML is escaped by Jinja's autoescape; nothing is rendered as Markdown.
_PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


def render_report(**kwargs) -> ReportFiles:
    """Render the report for one period (arguments as :func:`_render_report`); source text stays plain text."""
    with plt.rc_context(_PLAIN_TEXT):
        return _render_report(**kwargs)


def _render_report(*, org: dict, period: str, kpis: dict[str, float], previous: dict[str, float],
                   history: pd.DataFrame, inventory: pd.DataFrame, sources: pd.DataFrame,
                   peer_news: pd.DataFrame, comparison: dict | None = None,
                   generated_at: dt.datetime | None = None, drift: dict | None = None) -> ReportFiles:
    """Render the report for one period. ``history`` holds the kpis table (period, name, value)."""
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    charts: dict[str, bytes] = {}
    status_rows = [(STATUS_LABELS.get(s, s), int(kpis.get(f"systems_{s}", 0)))
                   for s in ("candidate", "confirmed", "rejected", "retired")]
    charts["status"] = _png(_bar([r[0] for r in status_rows], [r[1] for r in status_rows], "Systemen naar status"))
    class_rows = _class_rows(kpis)
    if class_rows:
        charts["risk"] = _png(_bar([r[0] for r in class_rows], [r[1] for r in class_rows],
                                   "Risicoklasse AI-verordening (actieve systemen)", _ORANGE))
    if history["period"].nunique() > 1:
        charts["trend"] = _png(_trend(history, {"systems_confirmed": "Bevestigd", "review_backlog": "Te beoordelen",
                                                "published": "Gepubliceerd"}, "Verloop per maand"))
    inv = inventory.astype(object).where(inventory.notna(), None)
    inv["klasse"] = inv["ai_act_class"].map(lambda c: AI_ACT_LABELS.get(c, c or "onbekend"))
    inv["status_nl"] = inv["status"].map(lambda s: STATUS_LABELS.get(s, s))
    done = inv["dpia_status"].map(lambda v: str(v or "").strip().lower() in DONE_DPIA_STATUSES)
    attention = inv[(inv["status"] == "confirmed") & inv["dpia_required"].map(bool) & ~done]
    high = inv[inv["ai_act_class"].isin(["prohibited", "high_risk"]) & inv["status"].isin(["candidate", "confirmed"])]
    headline = [
        ("Bevestigde AI-systemen en algoritmes", kpis.get("systems_confirmed", 0), _delta(kpis, previous, "systems_confirmed")),
        ("Nog te beoordelen", kpis.get("review_backlog", 0), _delta(kpis, previous, "review_backlog")),
        ("Hoog risico of verboden (actief)", kpis.get("class_high_risk", 0) + kpis.get("class_prohibited", 0), ""),
        ("DPIA-dekking waar verplicht", f"{kpis.get('dpia_coverage_pct', 0):g}%", ""),
        ("Gepubliceerd in het algoritmeregister", kpis.get("published", 0), _delta(kpis, previous, "published")),
        ("Nieuwe registraties bij andere organisaties", kpis.get("peer_new_entries", 0), ""),
    ]
    ctx = dict(org=org, period=period, kpis=kpis, headline=headline, status_rows=status_rows, class_rows=class_rows,
               attention=attention.to_dict("records"), high=high.to_dict("records"),
               sources=sources.to_dict("records"), peer_news=peer_news.head(25).to_dict("records"),
               comparison=comparison or {}, field_labels=REGISTER_FIELD_LABELS, charts=sorted(charts), generated_at=generated_at,
               drift=drift)
    html = _env.get_template("report.html.j2").render(**ctx)
    pdf = _pdf(ctx, charts)
    return ReportFiles(html=html, pdf=pdf, charts=charts,
                       kpis_json=json.dumps({"organisation": org.get("name"), "period": period, "kpis": kpis},
                                            ensure_ascii=False, indent=2))


def _pdf(ctx: dict, charts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with PdfPages(buf) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        y = 0.95
        fig.text(0.08, y, f"Monitoringsrapport AI en algoritmes — {ctx['org'].get('name', '')}", fontsize=15, weight="bold")
        y -= 0.03
        fig.text(0.08, y, f"Periode {ctx['period']} · opgesteld {ctx['generated_at']:%d-%m-%Y}", fontsize=10, color=_GREY)
        y -= 0.05
        for label, value, delta in ctx["headline"]:
            fig.text(0.08, y, label, fontsize=11)
            fig.text(0.75, y, f"{value}{'  (' + delta + ')' if delta else ''}", fontsize=11, weight="bold")
            y -= 0.03
        y -= 0.02
        fig.text(0.08, y, "Aandacht nodig: DPIA verplicht maar niet afgerond", fontsize=12, weight="bold")
        y -= 0.03
        for r in ctx["attention"][:12] or [{"system_id": "", "name": "geen"}]:
            fig.text(0.1, y, f"{r.get('system_id', '')}  {str(r.get('name', ''))[:70]}", fontsize=9)
            y -= 0.022
        y -= 0.02
        fig.text(0.08, y, "Hoog risico of verboden (actief)", fontsize=12, weight="bold")
        y -= 0.03
        for r in ctx["high"][:12] or [{"system_id": "", "name": "geen", "klasse": ""}]:
            fig.text(0.1, y, f"{r.get('system_id', '')}  {str(r.get('name', ''))[:60]}  {r.get('klasse', '')}", fontsize=9)
            y -= 0.022
        pdf.savefig(fig)
        plt.close(fig)
        for name in sorted(charts):
            img = plt.imread(io.BytesIO(charts[name]), format="png")
            fig = plt.figure(figsize=(8.27, 11.69))
            ax = fig.add_axes([0.08, 0.35, 0.84, 0.55])
            ax.imshow(img)
            ax.axis("off")
            pdf.savefig(fig)
            plt.close(fig)
    return buf.getvalue()
