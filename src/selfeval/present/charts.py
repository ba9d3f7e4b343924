"""Charts for the report: one place sets theme, palette and font; plot functions return figures.

Figures are built with `matplotlib.figure.Figure` (not pyplot), so a notebook never shows them
by accident and no global figure state leaks between charts. `png_data_uri` embeds one in HTML.
"""

from __future__ import annotations

import base64
import io
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from selfeval.present.fonts import register_font

PALETTE = ["#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f"]
WIDTH = 7.2  # inches: fits the text column at 120 dpi
SOURCE_SIZE = 8
#: Resolution of the report's charts: one PNG serves the web page (scaled to the column) and the
#: printed page (15.6 cm wide in the Word file and the PDF, about 230 dpi there).
REPORT_DPI = 200


def set_theme() -> None:
    """Apply the report's single theme: seaborn style, palette and the bundled CJK font."""
    family = register_font()
    sns.set_theme(style="whitegrid", palette=PALETTE, font=family)
    plt.rcParams.update(
        {
            "font.family": [family],
            "font.sans-serif": [family],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "svg.hashsalt": "selfeval",
            "axes.titlesize": 13,
            "axes.labelsize": 10.5,
        }
    )


def png_bytes(fig: Figure, dpi: float | None = None) -> bytes:
    """PNG of `fig` without the Software/date metadata, so identical data gives identical bytes.

    `dpi` None uses the theme's `savefig.dpi` (screen resolution)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight", dpi=dpi)
    return buffer.getvalue()


def png_data_uri(fig: Figure) -> str:
    """`data:image/png;base64,…` of `fig`, for an `<img>` in a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(fig)).decode("ascii")


def _wrap(label: str, width: int = 9) -> str:
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def _figure(height: float, ncols: int = 1) -> tuple[Figure, list]:
    set_theme()
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _finish(fig: Figure, title: str, source: str) -> Figure:
    fig.suptitle(title, fontsize=13)
    if source:
        fig.text(0.01, -0.01, f"数据来源：{source}", fontsize=SOURCE_SIZE, color="#555", ha="left")
    return fig


def _label_bars(ax, fmt: str) -> None:
    for container in ax.containers:
        ax.bar_label(container, fmt=fmt, padding=2, fontsize=8.5)


def spending_structure(structure: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Horizontal bars of spending parts (columns part, actual in 万元)."""
    data = structure.dropna(subset=["actual"]).copy()
    data["label"] = data["part"].map(_wrap)
    fig, (ax,) = _figure(0.6 + 0.55 * max(len(data), 2))
    sns.barplot(data=data, y="label", x="actual", color=PALETTE[0], ax=ax, orient="h")
    _label_bars(ax, "%.2f")
    ax.set_xlabel("执行数（万元）")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    return _finish(fig, title, source)


def budget_vs_actual(lines: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Budget and actual side by side per line (columns label, budget, actual in 万元)."""
    data = lines.melt(
        id_vars=["label"], value_vars=["budget", "actual"], var_name="kind", value_name="amount"
    )
    data["kind"] = data["kind"].map({"budget": "预算数", "actual": "执行数"})
    data["label"] = data["label"].map(_wrap)
    fig, (ax,) = _figure(0.8 + 0.7 * max(len(lines), 2))
    sns.barplot(
        data=data, y="label", x="amount", hue="kind", palette=PALETTE[:2], ax=ax, orient="h"
    )
    _label_bars(ax, "%.2f")
    ax.set_xlabel("金额（万元）")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    ax.legend(title="", loc="lower right")
    return _finish(fig, title, source)


def activities_by_category(table: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Participants (offline / online) and sessions per category, two panels."""
    data = table.copy()
    data["label"] = data["category"].map(_wrap)
    kinds = ["offline", "online"] if data["online"].fillna(0).sum() > 0 else ["offline"]
    people = data.melt(id_vars=["label"], value_vars=kinds, var_name="kind", value_name="n")
    people["kind"] = people["kind"].map({"offline": "线下", "online": "线上"})
    fig, (left, right) = _figure(0.9 + 0.6 * max(len(data), 2), ncols=2)
    sns.barplot(data=people, y="label", x="n", hue="kind", palette=PALETTE[: len(kinds)], ax=left)
    _label_bars(left, "%d")
    left.set_xlabel("参与人次" if len(kinds) == 2 else "线下参与人次")
    left.set_ylabel("")
    left.margins(x=0.2)
    if len(kinds) == 2:
        left.legend(title="", loc="lower right")
    else:
        left.get_legend().remove()
    sns.barplot(data=data, y="label", x="sessions", color=PALETTE[2], ax=right)
    _label_bars(right, "%d")
    right.set_xlabel("场次")
    right.set_ylabel("")
    right.set_yticklabels([])
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.margins(x=0.2)
    return _finish(fig, title, source)


def activities_by_month(monthly: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Events per month of the year (columns month 1–12, events)."""
    data = monthly.copy()
    data["label"] = [f"{m}月" for m in data["month"]]
    fig, (ax,) = _figure(3.2)
    sns.barplot(data=data, x="label", y="events", color=PALETTE[0], ax=ax)
    _label_bars(ax, "%d")
    ax.set_xlabel("月份")
    ax.set_ylabel("活动（项）")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(y=0.15)
    return _finish(fig, title, source)


def books_by_destination(books: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Books donated per destination (columns destination, books)."""
    data = books.copy()
    data["label"] = data["destination"].map(lambda s: _wrap(s, 12))
    fig, (ax,) = _figure(0.6 + 0.5 * max(len(data), 2))
    sns.barplot(data=data, y="label", x="books", color=PALETTE[2], ax=ax, orient="h")
    _label_bars(ax, "%d")
    ax.set_xlabel("赠书（册）")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    return _finish(fig, title, source)


def holdings_over_years(series: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Year-end holdings over the years known (columns year, holdings), on a true year axis."""
    fig, (ax,) = _figure(3.2)
    sns.lineplot(data=series, x="year", y="holdings", marker="o", color=PALETTE[0], ax=ax)
    for year, value in zip(series["year"], series["holdings"], strict=True):
        ax.annotate(
            f"{int(value)}",
            (year, value),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=9,
        )
    ax.set_xticks(list(range(int(series["year"].min()), int(series["year"].max()) + 1)))
    ax.set_xticklabels([f"{y}年" for y in ax.get_xticks()])
    ax.set_xlabel("年度")
    ax.set_ylabel("年末藏量（册）")
    ax.set_ylim(bottom=0)
    ax.margins(y=0.2)
    return _finish(fig, title, source)
