"""Chart text from data is text (issue 17 case 6): `$…$` is never parsed as maths, a huge unit
name or label gives no huge figure (labels cut, the full text in the data table), and
characters the bundled font lacks (emoji) are left out rather than drawn as empty boxes.

A year with hostile names is cleaned, computed and built into the report as 03 builds it; the
charts it draws are caught on their way to PNG and inspected as matplotlib objects, and the PNGs
are decoded. pytest turns matplotlib's "Glyph … missing" warning into an error (pyproject), and
each build here also runs under warnings-as-errors for the glyph warning explicitly.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

from bs4 import BeautifulSoup
from matplotlib.text import Text
from PIL import Image

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import build, charts, html

YEAR = 2025
LONG = "很长的名称" * 2000  # 10,000 characters
UNIT_NAME = "$\\frac{1}{2}$文化馆😀" + LONG
MATH_CATEGORY = "$x^2$讲座"
EMOJI_CATEGORY = "🎉送书🎉"
LONG_CATEGORY = "培训" + LONG
PLACE = "$a_{b$小学"  # malformed: a ParseException if it were parsed
ACTS = ["编号", "类别", "名称", "开始日期", "地点", "线下参与人次", "赠书册数"]
SPEND = ["预算类型", "支出类别", "支出项目", "预算数（万元）", "执行数（万元）"]


def _build(tmp_path: Path, monkeypatch, keep: bool = True) -> tuple[list, BeautifulSoup]:
    """Build the hostile year; `keep` leaves each drawn figure whole for inspection (the report
    releases a figure as soon as its PNG is made)."""
    sheets = {
        "单位概况": [["项目", "内容"], ["单位名称", UNIT_NAME]],
        "活动": [
            ACTS,
            ["A1", MATH_CATEGORY, "讲座甲", f"{YEAR}-03-01", "馆内", "120", "100"],
            ["A2", EMOJI_CATEGORY, "送书乙", f"{YEAR}-04-01", PLACE, "300", "500"],
            ["A3", LONG_CATEGORY, "培训丙", f"{YEAR}-05-01", "社区", "80", "50"],
        ],
        "支出": [
            SPEND,
            ["一般公共预算", "基本支出", "人员支出", 70, 63.44],
            ["一般公共预算", "基本支出", "公用支出", 7, 6.33],
            ["一般公共预算", "项目支出", "$\\sqrt{x}$图书购置", 20, 18.2],
            ["一般公共预算", "项目支出", "送戏下乡" + LONG, 5, 4.5],
        ],
    }
    folder = tmp_path / str(YEAR)
    folder.mkdir(parents=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    drawn: list = []
    original = charts.png_bytes

    def catch(fig, dpi=None):
        png = original(fig, dpi)
        drawn.append((fig, png))
        return png

    monkeypatch.setattr(charts, "png_bytes", catch)
    if keep:
        monkeypatch.setattr(charts, "release", lambda fig: None)
    cleaned = clean_year(folder, YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "Glyph .* missing from font")
        document = build.build_document(results.from_json(results.to_json(computed)))
    return drawn, BeautifulSoup(html.render_body(document), "html.parser")


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def test_hostile_names_draw_as_bounded_literal_text(tmp_path, monkeypatch):
    drawn, soup = _build(tmp_path, monkeypatch)
    keys = [f["id"] for f in soup.select("figure.chart")]
    assert keys == [
        "fig-budget_vs_actual",
        "fig-activities_by_category",
        "fig-activities_by_month",
        "fig-books_by_destination",
    ]
    assert len(drawn) == 4  # every chart drew (no ParseException from `$…$`)
    for fig, png in drawn:
        image = Image.open(io.BytesIO(png))
        # the width is the column's (7.2 in at 200 dpi), the height bounded by MAX_HEIGHT
        assert image.width == 1440 and image.height <= 14 * 200
        for text in _texts(fig):
            assert text.get_parse_math() is False and text.get_usetex() is False
            shown = text.get_text()
            assert "😀" not in shown and "🎉" not in shown  # no glyph in the font: left out
            longest = max(len(line) for line in shown.split("\n"))
            assert longest <= charts.TITLE_CHARS + len("数据来源：")

    by_key = dict(zip(keys, (fig for fig, _ in drawn), strict=True))
    category = by_key["fig-activities_by_category"].axes[0]
    labels = [t.get_text() for t in category.get_yticklabels()]
    # `$x^2$` is drawn as written; the emoji are left out; the long label is cut with 「…」
    assert labels[0] == "$x^2$讲座"
    assert labels[1] == "送书"
    assert labels[2].replace("\n", "") == ("培训" + LONG)[: charts.LABEL_CHARS - 1] + "…"
    books = by_key["fig-books_by_destination"].axes[0]
    assert PLACE in [t.get_text() for t in books.get_yticklabels()]
    spending = by_key["fig-budget_vs_actual"].axes[0]
    ticks = [t.get_text().replace("\n", "") for t in spending.get_yticklabels()]
    assert "$\\sqrt{x}$图书购置" in ticks
    assert ("送戏下乡" + LONG)[: charts.LABEL_CHARS - 1] + "…" in ticks
    month = by_key["fig-activities_by_month"]
    assert month.get_suptitle() == "各月开展活动数"
    source = [t.get_text() for t in month.texts if t.get_text().startswith("数据来源")]
    # the unit name as written, its emoji left out, cut at 40 characters (the table has it all)
    assert source == ["数据来源：$\\frac{1}{2}$文化馆" + "很长的名称" * 4 + "很长的…"]


def test_the_data_table_keeps_the_full_text(tmp_path, monkeypatch):
    _, soup = _build(tmp_path, monkeypatch)
    table = soup.find(id="fig-activities_by_category").find_next("table")
    names = [tr.th.get_text() for tr in table.tbody("tr")]
    assert names == [MATH_CATEGORY, EMOJI_CATEGORY, LONG_CATEGORY]  # as written, emoji included
    books = soup.find(id="fig-books_by_destination").find_next("table")
    assert PLACE in [tr.th.get_text() for tr in books.tbody("tr")]


def test_each_chart_is_released_once_drawn(tmp_path, monkeypatch):
    """A figure is a reference cycle: its artists and its canvas's pixel buffer (1440 px wide,
    about 5 MB each) would stay until some garbage collection. The report frees each one as soon
    as its PNG is made."""
    drawn, soup = _build(tmp_path, monkeypatch, keep=False)
    assert len(drawn) == 4 and len(soup.select("figure.chart")) == 4
    for fig, png in drawn:
        assert Image.open(io.BytesIO(png)).width == 1440  # the picture was made first
        assert fig.axes == [] and fig.texts == []  # then the artists went
        assert getattr(fig.canvas, "renderer", None) is None  # and the pixel buffer with them
