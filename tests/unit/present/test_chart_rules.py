"""Charts that earn their place (issue 30): the charts a reviewer uses, readable in black and
white, legends off the data, 未填报 marked where a value is not given, labels broken only where
the text has a break, figures at the source's precision, the chart's data table in the 审核底稿
only, and the index's trends on an axis from 0 with whole years.

Charts are drawn as the report draws them and inspected as matplotlib objects and as pixels of
their PNG converted to grey scale; reports are hand-made CSVs built as 03 builds them. Every
expected figure is written by hand from the cells written here.
"""

from __future__ import annotations

import io
import math

import docx
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from PIL import Image
from test_report_states import UNIT, YEAR, report, spending, write_csvs
from test_scoring_form import TARGETS

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import build, charts, html
from selfeval.present.docx import build_docx
from selfeval.present.index import trend_figure

SOURCE = "测试单位2025年度填报数据"
DPI = 100


def _budget(last_is_largest: bool = True) -> pd.DataFrame:
    """Three lines; the total (last, bottom row) is the longest bar, where a legend put in the
    lower right corner of the plot would sit on it."""
    return pd.DataFrame(
        {
            "label": ["人员支出", "图书购置专项", "一般公共预算合计"],
            "budget": [65.0, math.nan, 759.0],
            "actual": [63.44, 18.2, 700.5],
            "budget_text": ["65", "", "759"],
            "actual_text": ["63.44", "18.2", "700.5"],
            "rate_text": ["97.60%", "", "92.29%"],
        }
    )


def _pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["开馆天数", "读者满意度", "举办讲座"],
            "first": [360.0, 90.0, 10.0],
            "second": [365.0, 97.38, math.nan],
            "first_text": ["≥360天", "≥90%", "≥10场"],
            "second_text": ["365天", "97.38%", ""],
        }
    )


def _categories() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": ["传统节日主题活动", "知识技能培训与讲座活动", "文化服务宣传周活动"],
            "listings": [3, 6, 1],
            "sessions": [3, 6, 4],
            "offline": [4230.0, 4100.0, math.nan],
            "online": [2500.0, 1200.0, math.nan],
        }
    )


def _two_series() -> dict:
    """Every chart of two series, drawn; the axis holding both series."""
    budget = charts.budget_vs_actual(_budget(), "2025年预算数与执行数（万元）", SOURCE)
    pairs = charts.paired_rows(_pairs(), "绩效指标", SOURCE, ("年度指标值", "实际完成值"))
    category = charts.activities_by_category(_categories(), "各类活动参与人次与场次", SOURCE)
    return {
        "budget_vs_actual": (budget, budget.axes[0], ("预算数", "执行数")),
        "paired_rows": (pairs, pairs.axes[0], ("年度指标值", "实际完成值")),
        "activities_by_category": (category, category.axes[0], ("线下", "线上")),
    }


def _bars(ax, series: str) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == series]


def _grey_pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)


def _inside(grey: np.ndarray, box) -> np.ndarray:
    """The pixels inside a bar (its outline left out), rows counted from the top."""
    height = grey.shape[0]
    x0, x1 = int(box.x0) + 3, int(box.x1) - 3
    y0, y1 = int(height - box.y1) + 3, int(height - box.y0) - 3
    return grey[y0:y1, x0:x1]


@pytest.mark.parametrize("name", ["budget_vs_actual", "paired_rows", "activities_by_category"])
def test_two_series_differ_in_grey_scale_by_pattern(name):
    """Printed in black and white, one series is solid ink and the other a hatched outline:
    inside every bar of the one, grey scale is uniform; inside every bar of the other, it
    alternates between ink and paper (not two greys a printer makes alike)."""
    fig, ax, (first, second) = _two_series()[name]
    grey = _grey_pixels(charts.png_bytes(fig, DPI))
    renderer = fig.canvas.get_renderer()
    spreads = {}
    for series in (first, second):
        bars = [b for b in _bars(ax, series) if b.get_width() > 0.05 * ax.get_xlim()[1]]
        assert bars, f"no bar of {series}"
        spreads[series] = [
            float(np.ptp(_inside(grey, b.get_window_extent(renderer)))) for b in bars
        ]
    hatched = [s for s in (first, second) if min(spreads[s]) > 100]
    solid = [s for s in (first, second) if max(spreads[s]) < 10]
    assert len(hatched) == 1 and len(solid) == 1, spreads


@pytest.mark.parametrize("name", ["budget_vs_actual", "paired_rows", "activities_by_category"])
def test_no_legend_box_overlaps_a_bar_or_a_label(name):
    fig, ax, _ = _two_series()[name]
    charts.png_bytes(fig, DPI)  # laid out and drawn as in the report
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend()
    assert legend is not None
    box = legend.get_window_extent(renderer)
    drawn = [p for p in ax.patches if isinstance(p, Rectangle)] + list(ax.texts)
    assert drawn
    for artist in drawn:
        other = artist.get_window_extent(renderer)
        assert not box.overlaps(other), (artist, box, other)
    # and the legend is inside the picture
    assert box.x0 >= 0 and box.y1 <= fig.bbox.height


def test_a_value_not_given_is_marked_not_drawn_as_zero():
    fig = charts.budget_vs_actual(_budget(), "2025年预算数与执行数（万元）", SOURCE)
    ax = fig.axes[0]
    marks = [t for t in ax.texts if t.get_text() == "未填报"]
    # 图书购置专项 (row 1) states no budget: 未填报 where its budget bar would be, no bar there
    assert [m.xy for m in marks] == [(0, 1 - charts.PAIR_OFFSET)]
    budget_rows = sorted(round(b.get_y() + b.get_height() / 2, 2) for b in _bars(ax, "预算数"))
    assert budget_rows == [round(0 - charts.PAIR_OFFSET, 2), round(2 - charts.PAIR_OFFSET, 2)]
    pairs = charts.paired_rows(_pairs(), "绩效指标", SOURCE)
    assert [t.xy for t in pairs.axes[0].texts if t.get_text() == "未填报"] == [
        (0, 2 + charts.PAIR_OFFSET)
    ]


def test_labels_are_broken_only_where_the_text_has_a_break():
    # no break in the text: one line, however long (the layout makes room)
    assert charts.wrap_label("知识技能培训与讲座活动专项经费") == "知识技能培训与讲座活动专项经费"
    # broken after 、 (or before （), never inside 阅读推广 or 数字资源
    assert charts.wrap_label("图书购置、阅读推广、数字资源建设（二期）") == (
        "图书购置、阅读推广、\n数字资源建设（二期）"
    )
    assert charts.wrap_label("非遗保护传承与传播工程（2024年度第二批）") == (
        "非遗保护传承与传播工程\n（2024年度第二批）"
    )
    fig = charts.budget_vs_actual(
        _budget().assign(label=["文化科技卫生“三下乡”活动专项", "送戏下乡、非遗保护", "合计"]),
        "标题",
        SOURCE,
    )
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["文化科技卫生“三下乡”活动专项", "送戏下乡、非遗保护", "合计"]


def _new_charts() -> dict:
    return {
        "budget_vs_actual": lambda: charts.budget_vs_actual(_budget(), "标题", SOURCE),
        "paired_rows": lambda: charts.paired_rows(_pairs(), "标题", SOURCE),
        "activities_by_category": lambda: charts.activities_by_category(
            _categories(), "标题", SOURCE
        ),
        "trend": lambda: trend_figure(_trend_records()),
    }


@pytest.mark.parametrize("name", list(_new_charts()))
def test_same_figures_give_the_same_bytes(name):
    draw = _new_charts()[name]
    first = charts.png_bytes(draw(), charts.REPORT_DPI)
    assert charts.png_bytes(draw(), charts.REPORT_DPI) == first
    assert b"Software" not in first and b"matplotlib" not in first.lower()


# --------------------------------------------------------------------------- in the report


BUDGETS = spending(
    ["一般公共预算", "基本支出", "人员支出", 759, "700.5", ""],
    ["一般公共预算", "基本支出", "公用支出", "", "6.33", ""],
    ["一般公共预算", "项目支出", "图书购置", "40", "40", ""],
)


def test_budget_chart_keeps_the_sources_precision_and_marks_what_is_not_given(
    tmp_path, monkeypatch
):
    drawn = []
    original = charts.budget_vs_actual
    monkeypatch.setattr(
        charts, "budget_vs_actual", lambda *a, **k: drawn.append(a[0]) or original(*a, **k)
    )
    _, soup = report(tmp_path, BUDGETS)
    (lines,) = drawn
    # 759 stated without decimals stays 759 (never 759.00); 700.5 stays 700.5; 40 stays 40
    assert list(lines["label"]) == ["人员支出", "公用支出", "图书购置", "一般公共预算合计"]
    assert list(lines["budget_text"]) == ["759", "", "40", ""]
    assert list(lines["actual_text"]) == ["700.5", "6.33", "40", "746.83"]
    # 700.5 / 759 = 92.29%; 40 / 40 = 100.00%; 公用支出 has no budget, so neither has the total
    assert list(lines["rate_text"]) == ["92.29%", "", "100.00%", ""]
    figure = soup.find(id="fig-budget_vs_actual")
    assert "人员支出预算759万元、执行700.5万元，执行率92.29%" in figure.img["alt"]
    assert "公用支出预算未填报、执行6.33万元" in figure.img["alt"]
    table = figure.find_next("table")
    rows = [[c.get_text(strip=True) for c in tr.find_all(["td", "th"])] for tr in table("tr")]
    assert ["人员支出", "759", "700.5", "92.29%"] in rows
    assert ["公用支出", "未填报", "6.33", "—"] in rows
    # the spending table is the text's; the structure chart it would repeat is gone
    assert soup.find(id="fig-spending_structure") is None


def test_the_charts_data_table_is_in_the_review_layer_only(tmp_path):
    document, soup = report(tmp_path, BUDGETS)
    figure = soup.find(id="fig-budget_vs_actual")
    wrap = figure.find_next_sibling("div")
    assert "review" in wrap["class"] and wrap.find("caption").get_text() == "图1数据"
    (submitted_figure,) = document.submitted().figures()
    assert submitted_figure.data is None and submitted_figure.png == document.figures()[0].png
    report_docx = docx.Document(io.BytesIO(build_docx(document.submitted())))
    review_docx = docx.Document(io.BytesIO(build_docx(document)))
    captions = [p.text for p in report_docx.paragraphs]
    assert "图1数据" not in "".join(captions)
    assert len(report_docx.inline_shapes) == 1
    assert "【审核】图1数据" in [p.text for p in review_docx.paragraphs]
    assert len(review_docx.tables) == len(report_docx.tables) + 1


ACTS = ["编号", "类别", "名称", "开始日期", "地点", "线下参与人次", "赠书册数"]


def _activities(categories: int) -> dict:
    rows = [
        [f"A{i}", f"类别{i}", f"活动{i}", f"{YEAR}-0{i}-01", f"地点{i}", str(100 * i), "50"]
        for i in range(1, categories + 1)
    ]
    return {"单位概况": UNIT, "活动": [ACTS, *rows]}


def test_a_service_chart_needs_three_values(tmp_path):
    """Two categories, months or destinations are a sentence; three are a chart."""
    _, two = report(tmp_path / "two", _activities(2))
    assert two("figure") == []
    _, three = report(tmp_path / "three", _activities(3))
    assert [f["id"] for f in three("figure")] == [
        "fig-activities_by_category",
        "fig-activities_by_month",
        "fig-books_by_destination",
    ]


def test_indicators_chart_states_target_and_result_as_the_form_does(tmp_path):
    sheets = {
        **BUDGETS,
        "绩效目标": [
            TARGETS,
            ["产出指标", "数量指标", "开展讲座", "≥", "10", "12", "场", 30],
            ["产出指标", "数量指标", "新增藏书", "≥", "2000", "", "册", 30],
            ["满意度指标", "服务对象满意度指标", "读者满意度", "≥", "90", "95", "%", 30],
        ],
    }
    _, soup = report(tmp_path, sheets)
    figure = soup.find(id="fig-indicators")
    assert figure.img["alt"] == (
        "绩效指标年度指标值与实际完成值：开展讲座：年度指标值≥10场，实际完成值12场；"
        "新增藏书：年度指标值≥2000册，实际完成值未填报；"
        "读者满意度：年度指标值≥90%，实际完成值95%"
    )
    assert "review" in figure.find_next_sibling("div")["class"]


# --------------------------------------------------------------------------- index


def _trend_records() -> list[dict]:
    figures = {
        "total_spending": 109.17,
        "sessions": 17,
        "participants_offline": None,
        "books": 2800,
    }
    return [
        {"year": 2023, "figures": {**figures, "satisfaction": 98.92}},
        {"year": 2024, "figures": {**figures, "books": None, "satisfaction": 96.5}},
    ]


def test_trend_panels_start_at_zero_are_readable_and_keep_years_whole():
    fig = trend_figure(_trend_records())
    FigureCanvasAgg(fig).draw()
    panels = {ax.get_title(): ax for ax in fig.axes}
    assert len(panels) == 5
    satisfaction = panels["满意度（%）"]
    # 98.92 → 96.5 drawn from 0: a small step, not a cliff
    assert satisfaction.get_ylim()[0] == 0 and satisfaction.get_ylim()[1] >= 100
    for ax in fig.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        assert [t.get_text() for t in labels] == ["2023", "2024"]
        assert all(t.get_rotation() == 0 for t in labels)
        # each panel at least 3 in wide and 1.5 in high on a 7.2 in figure (A4: 186 mm)
        box = ax.get_position()
        assert box.width * fig.get_figwidth() >= 3.0
        assert box.height * fig.get_figheight() >= 1.5
    # 2024 states no 赠书: 未填报 at 2024, no line to it
    books = panels["赠书（册）"]
    assert [(t.get_text(), t.xy[0]) for t in books.texts] == [("2,800", 2023), ("未填报", 2024)]


def test_year_on_year_chart_states_both_years_and_its_table_is_the_reviews(tmp_path):
    sheets = {**BUDGETS, "活动": _activities(3)["活动"]}
    cleaned = clean_year(write_csvs(tmp_path / str(YEAR), sheets), YEAR)
    previous = {"year": YEAR - 1, "unit_name": "测试县文化馆", "total_spending": 700.0}
    previous |= {"events": 4, "sessions": 4, "books": 100}
    computed = results.compute_year(
        cleaned.tables, cleaned.meta, cleaned.checks, YEAR, previous_summary=previous
    )
    document = build.build_document(results.from_json(results.to_json(computed)))
    soup = BeautifulSoup(html.render_body(document), "html.parser")
    figure = soup.find(id="fig-yoy")
    # 746.83 = 700.5 + 6.33 + 40; +6.69% = 46.83 / 700; 3 场 against 4 (−25%), never 活动项数
    # (项 are not added up); 赠书 150 vs 100
    assert figure.img["alt"] == (
        f"主要指标{YEAR - 1}年与{YEAR}年对比："
        f"一般公共预算支出{YEAR - 1}年700.00万元，{YEAR}年746.83万元（+6.69%）；"
        f"活动场次{YEAR - 1}年4场，{YEAR}年3场（-25.00%）；"
        f"赠书{YEAR - 1}年100册，{YEAR}年150册（+50.00%）"
    )
    data = figure.find_next_sibling("div")
    assert "review" in data["class"] and data.table["class"] == ["yoy"]
    kinds = [t.kind for t in document.submitted().tables()]
    assert "yoy" not in kinds and "yoy" in [t.kind for t in document.tables()]
