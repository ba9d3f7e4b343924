"""Charts for the report: one place sets theme, palette and font; plot functions return figures.

Figures are built with `matplotlib.figure.Figure` (not pyplot), so a notebook never shows them
by accident and no global figure state leaks between charts.

What a chart draws is only what the data states: a value not given is no bar and no point (NaN
in, nothing drawn), a line is never drawn across years without data, and a chart with nothing
known is not drawn at all (the report says so in a sentence instead). Text from data is text:
mathtext is off (a unit named 「$x$」 is shown as written), labels are shortened with the full
text left to the chart's data table, figure sizes are bounded, and characters the bundled font
cannot draw are left out of the picture rather than drawn as empty boxes.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from functools import cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import MaxNLocator

from selfeval.present.fonts import font_path, register_font

PALETTE = ["#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f"]
WIDTH = 7.2  # inches: fits the text column at 120 dpi
SOURCE_SIZE = 8
#: Resolution of the report's charts: one PNG serves the web page (scaled to the column) and the
#: printed page (15.6 cm wide in the Word file and the PDF, about 230 dpi there).
REPORT_DPI = 200
#: Bounds of what data can make a chart: label and title lengths, rows drawn, height.
LABEL_CHARS = 24
TITLE_CHARS = 40
MAX_ROWS = 40
MAX_HEIGHT = 14.0  # inches
#: Value labels of amount bars: 万元 with two decimals, 元 with thousands separators.
AMOUNT_FORMAT = {"万元": "{:.2f}", "元": "{:,.2f}"}


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
            "text.parse_math": False,  # $…$ from data is text, never a formula
            "text.usetex": False,
        }
    )


def png_bytes(fig: Figure, dpi: float | None = None) -> bytes:
    """PNG of `fig` without the Software/date metadata, so identical data gives identical bytes.

    `dpi` None uses the theme's `savefig.dpi` (screen resolution). The figure is drawn once.
    matplotlib's savefig of a figure with a layout engine first draws it with rendering
    disabled to run the layout, then draws it again (which runs the layout a second time), and
    `bbox_inches="tight"` adds a pass over every artist's extent. Here the constrained layout
    runs once, at the resolution of the picture, and is then fixed (the figure keeps that
    layout), so savefig draws once. The layout keeps every text inside the canvas (the source
    note is a `supxlabel`, for which it makes room), so no tight bounding box is needed and the
    PNG is exactly the figure's size times `dpi`. A figure without a constrained layout (one a
    notebook made with pyplot) is still cropped to its tight bounding box, as before."""
    dpi = float(dpi or plt.rcParams["savefig.dpi"])
    engine = fig.get_layout_engine()
    tight = None
    if isinstance(engine, ConstrainedLayoutEngine):
        FigureCanvasAgg(fig)  # a renderer for the layout's text extents
        fig.set_dpi(dpi)
        engine.execute(fig)
        # no engine at all from here (a placeholder engine would still make savefig pre-draw);
        # the positions just computed stay
        fig.set_layout_engine(None)
    else:
        tight = "tight"  # a figure laid out by no one (a notebook's pyplot figure): crop it
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, dpi=dpi, bbox_inches=tight)
    return buffer.getvalue()


def release(fig: Figure) -> None:
    """Free what a rendered figure holds: its artists and the canvas's pixel buffer (about 5 MB
    at the report's resolution). A figure is a reference cycle, so without this the memory of
    every chart of a year stays until the garbage collector happens to run (measured: 20 MB more
    at the kernel's peak)."""
    fig.clear()
    FigureCanvasAgg(fig)  # a new canvas without a buffer; the old one and its pixels go now


def png_data_uri(fig: Figure) -> str:
    """`data:image/png;base64,…` of `fig`, for an `<img>` in a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(fig)).decode("ascii")


@cache
def _drawable() -> frozenset[int]:
    """Code points the bundled font has glyphs for: FreeType's Unicode character map, as
    matplotlib's own font object reads it (the same 44,683 code points as fontTools'
    getBestCmap, in 15 ms instead of 160 ms: the map is read in C)."""
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(font_path())).get_charmap())


def drawable(text: object, limit: int = LABEL_CHARS) -> str:
    """`text` as a chart can show it: characters the font lacks left out (emoji would be empty
    boxes), and cut to `limit` characters with an ellipsis (the data table has the full text)."""
    cmap = _drawable()
    shown = "".join(ch for ch in str(text) if ord(ch) in cmap or ch in "\n ")
    shown = shown.strip() or "（无法显示的名称）"
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _wrap(label: object, width: int = 9) -> str:
    text = drawable(label)
    return "\n".join(textwrap.wrap(text, width)) or text


def _height(rows: int, base: float, per_row: float) -> float:
    return min(base + per_row * max(min(rows, MAX_ROWS), 2), MAX_HEIGHT)


def _figure(height: float, ncols: int = 1) -> tuple[Figure, list]:
    set_theme()
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _finish(fig: Figure, title: str, source: str) -> Figure:
    fig.suptitle(drawable(title, TITLE_CHARS), fontsize=13)
    if source:
        # a supxlabel, not a free fig.text: the constrained layout reserves its room at the foot
        fig.supxlabel(
            f"数据来源：{drawable(source, TITLE_CHARS)}",
            x=0.01,
            fontsize=SOURCE_SIZE,
            color="#555",
            ha="left",
        )
    return fig


def _label_bars(ax, fmt: str) -> None:
    """Value labels on the bars that are drawn (a value not given has no bar and no label)."""
    for container in ax.containers:
        values = getattr(container, "datavalues", [])
        texts = ["" if v is None or math.isnan(float(v)) else fmt.format(v) for v in values]
        ax.bar_label(container, labels=texts, padding=2, fontsize=8.5)


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.head(MAX_ROWS)


def spending_structure(
    structure: pd.DataFrame, title: str, source: str = "", unit: str = "万元"
) -> Figure:
    """Horizontal bars of spending parts (columns part, actual in `unit`)."""
    data = _rows(structure.dropna(subset=["actual"])).copy()
    data["label"] = data["part"].map(_wrap)
    fig, (ax,) = _figure(_height(len(data), 0.6, 0.55))
    sns.barplot(data=data, y="label", x="actual", color=PALETTE[0], ax=ax, orient="h")
    _label_bars(ax, AMOUNT_FORMAT[unit])
    ax.set_xlabel(f"执行数（{unit}）")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    return _finish(fig, title, source)


def budget_vs_actual(
    lines: pd.DataFrame, title: str, source: str = "", unit: str = "万元"
) -> Figure:
    """Budget and actual side by side per line (columns label, budget, actual in `unit`)."""
    lines = _rows(lines)
    data = lines.melt(
        id_vars=["label"], value_vars=["budget", "actual"], var_name="kind", value_name="amount"
    )
    data["kind"] = data["kind"].map({"budget": "预算数", "actual": "执行数"})
    data["label"] = data["label"].map(_wrap)
    fig, (ax,) = _figure(_height(len(lines), 0.8, 0.7))
    sns.barplot(
        data=data, y="label", x="amount", hue="kind", palette=PALETTE[:2], ax=ax, orient="h"
    )
    _label_bars(ax, AMOUNT_FORMAT[unit])
    ax.set_xlabel(f"金额（{unit}）")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    ax.legend(title="", loc="lower right")
    return _finish(fig, title, source)


def activities_by_category(table: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Participants (offline / online, NaN = not given: no bar) and sessions per category."""
    data = _rows(table).copy()
    data["label"] = data["category"].map(_wrap)
    online = pd.to_numeric(data["online"], errors="coerce")
    kinds = ["offline", "online"] if online.notna().any() and online.fillna(0).sum() > 0 else []
    kinds = kinds or ["offline"]
    people = data.melt(id_vars=["label"], value_vars=kinds, var_name="kind", value_name="n")
    people["n"] = pd.to_numeric(people["n"], errors="coerce")
    if people["n"].isna().all():  # an empty axis from −0.05 to 0.05 would say nothing
        raise ValueError("各类活动参与人次均未填报，不绘制图表 / no participant figure is known")
    people["kind"] = people["kind"].map({"offline": "线下", "online": "线上"})
    fig, (left, right) = _figure(_height(len(data), 0.9, 0.6), ncols=2)
    sns.barplot(data=people, y="label", x="n", hue="kind", palette=PALETTE[: len(kinds)], ax=left)
    _label_bars(left, "{:.0f}")
    left.set_xlabel("参与人次" if len(kinds) == 2 else "线下参与人次")
    left.set_ylabel("")
    left.margins(x=0.2)
    if len(kinds) == 2:
        left.legend(title="", loc="lower right")
    elif left.get_legend() is not None:
        left.get_legend().remove()
    sns.barplot(data=data, y="label", x="sessions", color=PALETTE[2], ax=right)
    _label_bars(right, "{:.0f}")
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
    _label_bars(ax, "{:.0f}")
    ax.set_xlabel("月份")
    ax.set_ylabel("活动（项）")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(y=0.15)
    return _finish(fig, title, source)


def books_by_destination(books: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Books donated per destination (columns destination, books)."""
    data = _rows(books).copy()
    data["label"] = data["destination"].map(lambda s: _wrap(s, 12))
    fig, (ax,) = _figure(_height(len(data), 0.6, 0.5))
    sns.barplot(data=data, y="label", x="books", color=PALETTE[2], ax=ax, orient="h")
    _label_bars(ax, "{:.0f}")
    ax.set_xlabel("赠书（册）")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    return _finish(fig, title, source)


def known_runs(years: list[int], values: list) -> list[list[int]]:
    """Indexes of the runs of consecutive years with a known value (None or NaN is unknown).

    A line joins the points of one run; a year without data, or one missing from `years`,
    ends the run, so no line is ever drawn across it."""
    runs: list[list[int]] = []
    for i, (year, value) in enumerate(zip(years, values, strict=True)):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            if runs and runs[-1]:
                runs.append([])
            continue
        if runs and runs[-1] and year == years[runs[-1][-1]] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [run for run in runs if run]


def plot_known_runs(ax, years: list[int], values: list, **style) -> None:
    """A line over each run of consecutive known years and a point at every known year."""
    for run in known_runs(years, values):
        ax.plot([years[j] for j in run], [values[j] for j in run], **style)
    known = [i for run in known_runs(years, values) for i in run]
    ax.plot(
        [years[i] for i in known],
        [values[i] for i in known],
        linestyle="none",
        marker="o",
        **style,
    )


def holdings_over_years(series: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Year-end holdings over the years known (columns year, holdings), on a true year axis.

    Consecutive years are joined by a line; a year without data breaks it (no line is drawn
    across years the data does not give), and every known year is a point."""
    fig, (ax,) = _figure(3.2)
    series = series.sort_values("year")
    years, values = list(series["year"]), list(series["holdings"])
    plot_known_runs(ax, years, values, color=PALETTE[0])
    for year, value in zip(years, values, strict=True):
        ax.annotate(
            f"{int(value)}",
            (year, value),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=9,
        )
    ax.set_xticks(list(range(int(min(years)), int(max(years)) + 1)))
    ax.set_xticklabels([f"{y}年" for y in ax.get_xticks()])
    ax.set_xlabel("年度")
    ax.set_ylabel("年末藏量（册）")
    ax.set_ylim(bottom=0)
    ax.margins(y=0.2)
    return _finish(fig, title, source)
