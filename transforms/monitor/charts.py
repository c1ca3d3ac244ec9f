"""Charts for the management report, as SVG (crisp in print and on screen).

Honest axes: every value axis starts at 0 and percentages run to 100. Text from sources is shown
as text: matplotlib's mathtext is switched off, so a '$' in a system name is never markup.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from transforms.monitor.dutch import nl_number, nl_period  # noqa: E402

__all__ = ["bar_chart", "trend_chart", "CHART_STYLE"]

BLUE, ORANGE, GREY, GREEN = "#154273", "#e17000", "#6b6b6b", "#39870c"
CHART_STYLE = {
    "text.parse_math": False, "svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 9,
    "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "aigrip",
}
_NL = FuncFormatter(lambda v, _pos: nl_number(v, 1))


def _short(period: str) -> str:
    """'2026-11' → 'nov\n2026' (fits twelve months side by side)."""
    month, year = nl_period(period).split(" ")
    return f"{month[:3]}\n{year}"


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def bar_chart(labels: list[str], values: list[float], *, color: str = BLUE, unit: str = "") -> bytes:
    """Horizontal bars in the order given; the value axis starts at 0 (and runs to 100 for unit '%')."""
    with plt.rc_context(CHART_STYLE):
        lines = sum(1 + str(label).count(" ") // 5 for label in labels)
        fig, ax = plt.subplots(figsize=(6.2, 0.3 * max(lines, 2) + 0.6))
        shown = [textwrap.fill(str(label), 34, max_lines=3, placeholder=" …") for label in labels][::-1]
        ax.barh(shown, values[::-1], color=color)
        percent = unit == "%"
        top = 112.0 if percent else max([*values, 1]) * 1.15
        ax.set_xlim(0, top)
        for i, v in enumerate(values[::-1]):
            ax.text(v + top * 0.01, i, f"{nl_number(v, 1)}{unit}", va="center")
        if percent:  # the scale is 0–100%; the room to the right is for the labels
            ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        else:
            ax.xaxis.set_major_formatter(_NL)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return _svg(fig)


def trend_chart(periods: list[str], series: dict[str, list[float | None]], *, percent: bool = False) -> bytes:
    """One line per series over the periods; the y axis starts at 0 (and ends at 100 for percentages)."""
    with plt.rc_context(CHART_STYLE):
        fig, ax = plt.subplots(figsize=(6.2, 2.6))
        x = list(range(len(periods)))
        styles = [(BLUE, "o", "-", 7), (ORANGE, "s", "-", 5), (GREEN, "^", "--", 5), (GREY, "D", ":", 5)]
        for (label, values), (color, marker, line, size) in zip(series.items(), styles):  # lines that coincide stay visible
            ax.plot(x, [float("nan") if v is None else v for v in values], marker=marker, linestyle=line,
                    markersize=size, label=label, color=color)
        ax.set_xticks(x, [_short(p) for p in periods])
        top = max([v for vals in series.values() for v in vals if v is not None] + [1])
        ax.set_ylim(0, 100 if percent else top * 1.15)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{nl_number(v, 0)}%" if percent else nl_number(v, 1)))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _svg(fig)
