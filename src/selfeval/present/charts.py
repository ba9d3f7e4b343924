"""Charts for the report: one place sets theme, palette and font; plot functions return figures.

Figures are built with `matplotlib.figure.Figure` (not pyplot), so a notebook never shows them
by accident and no global figure state leaks between charts.

Which charts a report has (issue 30): those a reviewer uses — 预算数 against 执行数 by project
and 预算类型 with the 执行率, the indicators' 目标值 against 完成值, last year against this year
— and a service chart only when it shows more than a sentence does (MIN_VALUES, MIN_PAIRS; see
`present.context`). A chart's data table is the 审核底稿's; the printed chart carries its
figures as labels, in the texts the report writes (the source's precision).

Every chart reads in black and white: two series are solid ink and a hatched outline, never two
greys; legends sit above the plot, never over a bar. What a chart draws is only what the data
states: a value not given is no bar and no point, and is marked 「未填报」 where the bar would be
(a missing bar reads as 0), a line is never drawn across years without data, and a chart with
nothing known is not drawn at all (the 底稿 says so in a sentence instead). Labels are broken
only where the text has a break (`wrap_label`). Text from data is text:
mathtext is off (a unit named 「$x$」 is shown as written), labels are shortened with the full
text left to the chart's data table, figure sizes are bounded, and characters the bundled font
cannot draw are left out of the picture rather than drawn as empty boxes.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from functools import cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, MaxNLocator

from selfeval.present.draft import NOT_GIVEN
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
#: A chart is drawn only when it shows more than a sentence does: a service chart needs at least
#: MIN_VALUES values the data gives (three bars or points), a chart of pairs (预算数/执行数,
#: 目标值/完成值, 上年/本年) at least MIN_PAIRS rows. Below that the report's sentence says it all.
MIN_VALUES = 3
MIN_PAIRS = 2
#: Black-and-white safe series: solid ink, or white with hatching and an ink outline; never two
#: greys that a printer makes alike.
INK = "#1f3b57"
INK_FILL = "#2f5d8a"
HATCH = "////"
BAR_HEIGHT = 0.36
PAIR_OFFSET = 0.19


@dataclass(frozen=True)
class Series:
    """How one series is drawn: its name (legend), fill and hatching."""

    name: str
    face: str
    hatch: str


BUDGET = Series("预算数", "white", HATCH)
ACTUAL = Series("执行数", INK_FILL, "")
OFFLINE = Series("线下", INK_FILL, "")
ONLINE = Series("线上", "white", HATCH)
SESSIONS = Series("场次", "#9bbb59", "")


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


#: Where a long label may be broken: after these marks, or before an opening bracket. A label
#: without such a place stays on one line (the layout gives it the room): a word such as
#: 「讲座活动」 is never split in two.
BREAK_AFTER = "、，,；;：:/ ）)"
BREAK_BEFORE = "（("
WRAP_CHARS = 12


def wrap_label(label: object, width: int = WRAP_CHARS) -> str:
    """`label` as a chart shows it: on lines of about `width` characters, broken only where the
    text itself has a break (punctuation, a space, before a bracket), never inside a word."""
    text = drawable(label)
    if len(text) <= width:
        return text
    pieces, piece = [], ""
    for i, ch in enumerate(text):
        if ch in BREAK_BEFORE and piece:
            pieces.append(piece)
            piece = ""
        piece += ch
        if ch in BREAK_AFTER and i + 1 < len(text):
            pieces.append(piece)
            piece = ""
    pieces.append(piece)
    lines = [""]
    for piece in pieces:
        if lines[-1] and len(lines[-1]) + len(piece.rstrip()) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(line.strip() for line in lines if line.strip())


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
    data["label"] = data["part"].map(wrap_label)
    fig, (ax,) = _figure(_height(len(data), 0.6, 0.55))
    sns.barplot(data=data, y="label", x="actual", color=PALETTE[0], ax=ax, orient="h")
    _label_bars(ax, AMOUNT_FORMAT[unit])
    ax.set_xlabel(f"执行数（{unit}）")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    return _finish(fig, title, source)


def _is_known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _series_bars(ax, positions: list[float], values: list, series: Series, height: float) -> None:
    """Horizontal bars of one series at `positions`: known values only (an unknown value is no
    bar, marked 「未填报」 by `_mark_unknown`), styled so that the series reads in black and
    white (solid ink, or a hatched outline)."""
    known = [(y, float(v)) for y, v in zip(positions, values, strict=True) if _is_known(v)]
    ax.barh(
        [y for y, _ in known],
        [v for _, v in known],
        height=height,
        label=series.name,
        color=series.face,
        edgecolor=INK,
        hatch=series.hatch,
        linewidth=0.8,
        gid=series.name,
    )


def _mark_unknown(ax, positions: list[float], values: list, texts: list | None = None) -> None:
    """「未填报」 where a value is not given: a bar drawn as missing would read as 0. `texts`, when
    given, say why instead (「部分未填报」)."""
    for n, (y, value) in enumerate(zip(positions, values, strict=True)):
        if not _is_known(value):
            ax.annotate(
                (texts[n] if texts and texts[n] else NOT_GIVEN),
                (0, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=INK,
                fontstyle="italic",
                gid="not-given",
            )


def _direct_labels(ax, positions: list[float], ends: list, texts: list[str]) -> None:
    """A value label at the end of each drawn bar (the series is also named by its legend)."""
    for y, end, text in zip(positions, ends, texts, strict=True):
        if _is_known(end) and text:
            ax.annotate(
                text,
                (max(float(end), 0.0), y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                gid="value-label",
            )


def _value_room(ax, values: list, room: float) -> None:
    """The value axis from 0 to the largest value plus `room` of it for the labels at the bars'
    ends (a bar chart's axis starts at 0: a short bar is a small value)."""
    known = [float(v) for v in values if _is_known(v)]
    top = max([v for v in known if v > 0] or [1.0])
    ax.set_xlim(0, top * (1 + room))


def _legend_above(ax) -> None:
    """The legend above the plot, outside it: never over a bar or a label."""
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncol=2,
        frameon=False,
        borderaxespad=0.0,
        fontsize=9.5,
    )


def _row_axis(ax, labels: list[str]) -> list[float]:
    """Rows top-down, one per label; returns the row positions."""
    positions = [float(i) for i in range(len(labels))]
    ax.set_yticks(positions)
    ax.set_yticklabels(labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # first row at the top
    ax.grid(axis="y", visible=False)
    return positions


def _pairs(
    rows: pd.DataFrame,
    series: tuple[Series, Series],
    values: tuple[list, list],
    texts: tuple[list[str], list[str]],
    ax,
) -> None:
    """Two bars per row, first series above the second, each labelled and 未填报 when unknown."""
    positions = _row_axis(ax, list(rows["label"].map(wrap_label)))
    for offset, one, vals, labels in zip(
        (-PAIR_OFFSET, PAIR_OFFSET), series, values, texts, strict=True
    ):
        at = [y + offset for y in positions]
        _series_bars(ax, at, vals, one, BAR_HEIGHT)
        _mark_unknown(ax, at, vals)
        _direct_labels(ax, at, vals, labels)
    _legend_above(ax)


def budget_vs_actual(
    lines: pd.DataFrame, title: str, source: str = "", unit: str = "万元"
) -> Figure:
    """预算数 against 执行数 per line (columns label, budget, actual, budget_text, actual_text,
    rate_text; amounts in `unit`, texts as the report writes them, at the source's precision).

    One scale for every row (all amounts in `unit`); 执行数 is labelled with its 执行率."""
    lines = _rows(lines)
    fig, (ax,) = _figure(_height(len(lines), 1.0, 0.75))
    actual_texts = [
        f"{a}（执行率{r}）" if r else a
        for a, r in zip(lines["actual_text"], lines["rate_text"], strict=True)
    ]
    _pairs(
        lines,
        (BUDGET, ACTUAL),
        (list(lines["budget"]), list(lines["actual"])),
        (list(lines["budget_text"]), actual_texts),
        ax,
    )
    ax.set_xlabel(f"金额（{unit}）")
    _value_room(ax, [*lines["budget"], *lines["actual"]], 0.5)
    # plain grouped figures on the axis (1,500,000), never an offset such as 「1e6」
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    return _finish(fig, title, source)


def paired_rows(
    rows: pd.DataFrame,
    title: str,
    source: str = "",
    names: tuple[str, str] = ("目标值", "完成值"),
    note: str = "",
) -> Figure:
    """Two figures per row that do not share a unit (an indicator's 目标值 and 完成值, a
    figure last year and this year): columns label, first, second, first_text, second_text.

    Each row is drawn on its own scale (its larger figure is the full bar), so no axis is shown;
    the figures themselves are written at the bars, with their units. `note` says so under the
    chart."""
    rows = _rows(rows).copy()
    first = [float(v) if _is_known(v) else math.nan for v in rows["first"]]
    second = [float(v) if _is_known(v) else math.nan for v in rows["second"]]
    scale = [
        max([abs(v) for v in (a, b) if not math.isnan(v)] or [1.0]) or 1.0
        for a, b in zip(first, second, strict=True)
    ]
    fig, (ax,) = _figure(_height(len(rows), 1.0, 0.75))
    _pairs(
        rows,
        (Series(names[0], "white", HATCH), Series(names[1], INK_FILL, "")),
        (
            [a / s for a, s in zip(first, scale, strict=True)],
            [b / s for b, s in zip(second, scale, strict=True)],
        ),
        (list(rows["first_text"]), list(rows["second_text"])),
        ax,
    )
    ax.set_xlim(0, 1.6)
    ax.set_xticks([])
    ax.set_xlabel(note, fontsize=SOURCE_SIZE)
    return _finish(fig, title, source)


def activities_by_category(table: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Participants (offline solid, online hatched; not given: 「未填报」) and sessions per
    category. Columns `offline_text` / `online_text`, when given, are the bars' labels: the
    figures as the report's text words them (4200余, 约600), not the bare sums."""
    data = _rows(table).copy()
    online = pd.to_numeric(data["online"], errors="coerce")
    offline = pd.to_numeric(data["offline"], errors="coerce")
    with_online = bool(online.notna().any() and online.fillna(0).sum() > 0)
    if offline.isna().all() and online.isna().all():  # an empty axis would say nothing
        raise ValueError("各类活动参与人次均未填报，不绘制图表 / no participant figure is known")
    labels = list(data["category"].map(wrap_label))
    fig, (left, right) = _figure(_height(len(data), 1.1, 0.6), ncols=2)
    positions = _row_axis(left, labels)
    kinds = [(OFFLINE, list(offline))] + ([(ONLINE, list(online))] if with_online else [])
    offsets = (-PAIR_OFFSET, PAIR_OFFSET) if with_online else (0.0,)
    # a label as the text words the figure (4200余, 约850) when the caller gives it
    said = [
        list(data[column]) if column in data else [_count(v) for v in values]
        for column, (_, values) in zip(("offline_text", "online_text"), kinds, strict=False)
    ]
    for offset, (series, values), texts in zip(offsets, kinds, said, strict=True):
        at = [y + offset for y in positions]
        _series_bars(left, at, values, series, BAR_HEIGHT if with_online else 0.6)
        _mark_unknown(left, at, values, texts)
        _direct_labels(left, at, values, texts)
    left.set_xlabel("参与人次" if with_online else "线下参与人次")
    _value_room(left, [*offline, *online], 0.25)
    if with_online:
        _legend_above(left)
    sessions = pd.to_numeric(data["sessions"], errors="coerce")
    _row_axis(right, labels)
    right.set_yticklabels([])
    _series_bars(right, positions, list(sessions), SESSIONS, 0.6)
    _direct_labels(right, positions, list(sessions), [_count(v) for v in sessions])
    right.set_xlabel("场次")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    _value_room(right, list(sessions), 0.2)
    return _finish(fig, title, source)


def _count(value: object) -> str:
    return f"{float(value):.0f}" if _is_known(value) else ""


def activities_by_month(monthly: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Events per month of the year (columns month 1–12, events)."""
    data = monthly.copy()
    data["label"] = [f"{m}月" for m in data["month"]]
    fig, (ax,) = _figure(3.2)
    sns.barplot(data=data, x="label", y="events", color=PALETTE[0], ax=ax)
    _label_bars(ax, "{:.0f}")
    ax.set_xlabel("月份")
    ax.set_ylabel("活动（次）")  # listings held, not distinct events (项)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(y=0.15)
    return _finish(fig, title, source)


def books_by_destination(books: pd.DataFrame, title: str, source: str = "") -> Figure:
    """Books donated per destination (columns destination, books)."""
    data = _rows(books).copy()
    data["label"] = data["destination"].map(wrap_label)
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
