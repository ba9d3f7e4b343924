"""charts: every plot draws Chinese text with the bundled font, returns a Figure, and is stable."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from selfeval.present import charts
from selfeval.present.fonts import CHART_FAMILY

SOURCE = "测试单位2024年度填报数据"


def _cases() -> dict[str, tuple]:
    return {
        "spending_structure": (
            charts.spending_structure,
            pd.DataFrame(
                {"part": ["人员支出", "公用支出", "项目支出"], "actual": [63.44, 6.33, 39.39]}
            ),
        ),
        "budget_vs_actual": (
            charts.budget_vs_actual,
            pd.DataFrame(
                {
                    "label": ["人员支出", "图书购置专项"],
                    "budget": [70.0, 20.0],
                    "actual": [63.44, 18.2],
                    "budget_text": ["70", "20.00"],
                    "actual_text": ["63.44", "18.20"],
                    "rate_text": ["90.63%", "91.00%"],
                }
            ),
        ),
        "activities_by_category": (
            charts.activities_by_category,
            pd.DataFrame(
                {
                    "category": ["传统节日主题活动", "知识技能培训与讲座活动"],
                    "listings": [3, 6],
                    "sessions": [3, 6],
                    "offline": [4230, 850],
                    "online": [78, 0],
                }
            ),
        ),
        "activities_by_month": (
            charts.activities_by_month,
            pd.DataFrame({"month": range(1, 13), "events": [0, 3, 1, 4, 2, 2, 0, 0, 0, 2, 1, 0]}),
        ),
        "books_by_destination": (
            charts.books_by_destination,
            pd.DataFrame({"destination": ["云街小学", "松阳湖中学"], "books": [500, 1000]}),
        ),
        "holdings_over_years": (
            charts.holdings_over_years,
            pd.DataFrame({"year": [2021, 2024], "holdings": [3590, 16516]}),
        ),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_chart_draws_chinese_without_missing_glyphs(name):
    plot, data = _cases()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph (or any other warning) fails
        fig = plot(data, "图表标题：测试", SOURCE)
        png = charts.png_bytes(fig)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "图表标题：测试"
    texts = [t.get_text() for t in fig.texts]
    assert any(SOURCE in t for t in texts)  # the source note is on the chart
    labels = [ax.get_xlabel() + ax.get_ylabel() for ax in fig.axes]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels)
    families = {t.get_fontfamily()[0] for ax in fig.axes for t in ax.get_yticklabels()}
    assert families == {CHART_FAMILY}
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 300


@pytest.mark.parametrize("name", list(_cases()))
def test_same_data_gives_identical_png_without_software_chunk(name):
    plot, data = _cases()[name]
    first = charts.png_bytes(plot(data, "标题", SOURCE))
    second = charts.png_bytes(plot(data, "标题", SOURCE))
    assert first == second
    assert b"Software" not in first and b"matplotlib" not in first.lower()


def test_data_uri_is_inline_png():
    plot, data = _cases()["holdings_over_years"]
    uri = charts.png_data_uri(plot(data, "历年年末馆藏（册）", SOURCE))
    assert uri.startswith("data:image/png;base64,iVBOR")


def test_theme_is_set_in_one_place():
    import matplotlib.pyplot as plt

    charts.set_theme()
    assert plt.rcParams["font.family"] == [CHART_FAMILY]
    assert plt.rcParams["axes.unicode_minus"] is False
    from matplotlib.colors import to_hex

    cycle = [to_hex(c) for c in plt.rcParams["axes.prop_cycle"].by_key()["color"][:3]]
    assert cycle == [c.lower() for c in charts.PALETTE[:3]]


def test_holdings_axis_is_a_true_year_axis():
    plot, data = _cases()["holdings_over_years"]
    fig = plot(data, "历年年末馆藏（册）", SOURCE)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["2021年", "2022年", "2023年", "2024年"]  # gaps between known years shown


def test_category_chart_without_online_figures_draws_offline_only():
    data = pd.DataFrame(
        {
            "category": ["讲座活动", "送书活动"],
            "listings": [2, 3],
            "sessions": [2, 3],
            "offline": [120, 300],
            "online": [0, 0],
        }
    )
    fig = charts.activities_by_category(data, "各类活动参与人次与场次", SOURCE)
    left = fig.axes[0]
    assert left.get_legend() is None
    assert left.get_xlabel() == "线下参与人次"
    assert [len(c) for c in left.containers] == [2]  # one bar per category, no 线上 bars


# ------------------------------------------------------------------- drawn once, not clipped


def _ink(png: bytes) -> tuple[int, int, int, int, int, int]:
    """(width, height, left, top, right, bottom) of the PNG and of its non-white pixels."""
    import numpy as np

    image = Image.open(io.BytesIO(png))
    grey = np.asarray(image.convert("L"))
    rows, cols = np.nonzero(grey < 250)
    return image.width, image.height, cols.min(), rows.min(), cols.max(), rows.max()


@pytest.mark.parametrize("name", list(_cases()))
def test_png_is_drawn_once(name, monkeypatch):
    plot, data = _cases()[name]
    fig = plot(data, "图表标题：测试", SOURCE)
    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(1) or original(self, r))
    charts.png_bytes(fig, charts.REPORT_DPI)
    assert len(draws) == 1  # no second draw for a tight bounding box


@pytest.mark.parametrize("name", list(_cases()))
def test_png_has_the_figure_size_and_nothing_touches_an_edge(name):
    plot, data = _cases()[name]
    fig = plot(data, "图表标题：测试", SOURCE)
    width, height, left, top, right, bottom = _ink(charts.png_bytes(fig, 200))
    inches = fig.get_size_inches()
    assert (width, height) == (round(inches[0] * 200), round(inches[1] * 200))
    # title, source note, tick labels and legend all lie inside the canvas with a margin
    assert left >= 3 and top >= 3 and right <= width - 4 and bottom <= height - 4


def test_long_wrapped_labels_and_legend_are_inside_the_canvas():
    data = pd.DataFrame(
        {
            "label": ["知识技能培训与讲座活动专项经费支出", "文化科技卫生三下乡活动专项"],
            "budget": [70.0, 20.0],
            "actual": [63.44, 18.2],
            "budget_text": ["70.00", "20.00"],
            "actual_text": ["63.44", "18.20"],
            "rate_text": ["90.63%", "91.00%"],
        }
    )
    fig = charts.budget_vs_actual(data, "2024年预算数与执行数（万元）", SOURCE)
    width, height, left, top, right, bottom = _ink(charts.png_bytes(fig, 200))
    assert left >= 3 and top >= 3 and right <= width - 4 and bottom <= height - 4
    # the wrapped tick labels and the source note are laid out inside the figure
    renderer = FigureCanvasAgg(fig).get_renderer()  # at the figure's dpi, as last laid out
    for text in [*fig.axes[0].get_yticklabels(), *fig.texts, fig.axes[0].get_legend()]:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0
        assert box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height


def test_category_chart_with_no_participant_figure_is_refused():
    data = pd.DataFrame(
        {
            "category": ["讲座活动", "送书活动"],
            "listings": [2, 3],
            "sessions": [2, 3],
            "offline": [float("nan"), float("nan")],
            "online": [float("nan"), float("nan")],
        }
    )
    with pytest.raises(ValueError, match="各类活动参与人次均未填报"):
        charts.activities_by_category(data, "各类活动参与人次与场次", SOURCE)


def test_holdings_line_is_not_drawn_across_years_without_data():
    data = pd.DataFrame({"year": [2024, 2020, 2021, 2023], "holdings": [16516, 3000, 3590, 9000]})
    fig = charts.holdings_over_years(data, "历年年末馆藏（册）", SOURCE)
    ax = fig.axes[0]
    joined = [
        list(line.get_xdata())
        for line in ax.get_lines()
        if line.get_linestyle() not in ("None", "none", "") and len(line.get_xdata()) >= 2
    ]
    # 2020–2021 and 2023–2024 are joined; nothing is drawn across 2022, which has no data
    assert joined == [[2020, 2021], [2023, 2024]]
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(points) == 1 and points[0].get_linestyle() == "None"
    assert list(points[0].get_xdata()) == [2020, 2021, 2023, 2024]  # every known year a point
    assert list(points[0].get_ydata()) == [3000, 3590, 9000, 16516]
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == ["16516", "3000", "3590", "9000"]


def test_known_runs_break_at_unknown_and_missing_years():
    years = [2019, 2020, 2021, 2022, 2024, 2025]
    values = [1.0, None, 3.0, float("nan"), 5.0, 6.0]
    # 2020 and 2022 unknown, 2023 absent: only 2024–2025 is a run of more than one year
    assert charts.known_runs(years, values) == [[0], [2], [4, 5]]
    assert charts.known_runs([2020, 2021], [None, None]) == []
