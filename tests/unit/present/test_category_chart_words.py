"""Issue 30, 「Precision invented」 in a chart: the chart of participants per category labels
each bar with the figure as the text states it — a sum of approximate figures as a clerk writes
it (约300 + 约330 + 3600 → 4200余), one listing's figure as the unit wrote it (约600) — never
the exact-looking sum (4230) beside a text that says 4200余; its 底稿 data table says the same.
The monthly chart counts times held (次), not distinct events (项) the data cannot tell apart.
A hand-made year built as 03 builds it, each drawn figure caught as it is turned into PNG; the
expected labels are written by hand from the cells."""

from __future__ import annotations

import csv

from bs4 import BeautifulSoup
from test_report_states import UNIT, YEAR

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import build, charts, html

ACTS = ["编号", "类别", "名称", "开始日期", "地点", "线下参与人次", "线上参与人次"]


def _draw(tmp_path, monkeypatch, rows: list[list[str]]) -> tuple[list, BeautifulSoup]:
    """Build a year of these 活动 rows as 03 builds it; every figure drawn, kept whole."""
    folder = tmp_path / str(YEAR)
    folder.mkdir(parents=True)
    for name, table in {"单位概况": UNIT, "活动": [ACTS, *rows]}.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(table)
    drawn = []
    original = charts.png_bytes

    def catch(fig, dpi=None):
        drawn.append(fig)
        return original(fig, dpi)

    monkeypatch.setattr(charts, "png_bytes", catch)
    monkeypatch.setattr(charts, "release", lambda fig: None)
    cleaned = clean_year(folder, YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    document = build.build_document(results.from_json(results.to_json(computed)))
    soup = BeautifulSoup(html.render_body(document), "html.parser")
    return drawn, soup


def test_bars_are_labelled_as_the_text_states_the_figures(tmp_path, monkeypatch):
    rows = [
        ["A1", "节日活动", "送春联", f"{YEAR}-02-02", "广场", "约300", "78"],
        ["A2", "节日活动", "地书", f"{YEAR}-02-17", "山顶", "约330", ""],
        ["A3", "节日活动", "文化惠民", f"{YEAR}-02-18", "游园", "3600", ""],
        ["A4", "志愿服务", "志愿者服务", f"{YEAR}-03-06", "园区", "约600", ""],
        ["A5", "讲座", "消防讲座", f"{YEAR}-04-06", "中心", "60", ""],
        ["A6", "讲座", "安全讲座", f"{YEAR}-05-09", "村部", "40", ""],
    ]
    drawn, soup = _draw(tmp_path, monkeypatch, rows)

    (fig,) = [f for f in drawn if f.get_suptitle() == "各类活动参与人次与场次"]
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "value-label"]
    # 节日活动 线下 约300 + 约330 + 3600 = 4230, approximate: 4200余 (two figures drop 30);
    # 线上 78 (one listing); 志愿服务 one listing: 约600 as written; 讲座 60 + 40 = 100, exact
    assert sorted(labels) == sorted(["4200余", "78", "约600", "100"])
    assert "4230" not in labels
    table = soup.find(id="fig-activities_by_category").find_next("table")
    cells = {tr.th.get_text(): [td.get_text() for td in tr("td")] for tr in table.tbody("tr")}
    assert cells["节日活动"][2:] == ["4200余", "78"]
    assert cells["志愿服务"][2:] == ["约600", "未填报"]
    assert cells["讲座"][2:] == ["100", "未填报"]


def test_the_monthly_chart_counts_times_held_not_distinct_events(tmp_path, monkeypatch):
    # two sessions of one lecture in May (the data cannot say they are one programme): 2次 in
    # May, never 「2项」; March 1次, April 1次
    rows = [
        ["A1", "讲座", "消防讲座", f"{YEAR}-03-06", "中心", "60", ""],
        ["A2", "讲座", "安全讲座", f"{YEAR}-04-09", "村部", "40", ""],
        ["A3", "讲座", "法治讲座", f"{YEAR}-05-10", "甲社区", "200", ""],
        ["A4", "讲座", "法治讲座", f"{YEAR}-05-12", "乙社区", "350", ""],
    ]
    drawn, soup = _draw(tmp_path, monkeypatch, rows)
    (fig,) = [f for f in drawn if f.get_suptitle() == "各月开展活动数"]
    assert fig.axes[0].get_ylabel() == "活动（次）"
    table = soup.find(id="fig-activities_by_month").find_next("table")
    assert [th.get_text() for th in table.thead("th")][:2] == ["月份", "活动（次）"]
    cells = {tr.th.get_text(): tr.td.get_text() for tr in table.tbody("tr")}
    assert cells == {"3月": "1", "4月": "1", "5月": "2"}
    assert "项" not in soup.find(id="fig-activities_by_month").get_text()


def test_a_category_only_some_listings_count_has_no_bar_but_says_so(tmp_path, monkeypatch):
    # 送书: 300 and 200 of three listings (one states nobody): 500 is no figure of the category,
    # which the text never states either; its bar would read as the category's
    rows = [
        ["A1", "送书", "送书甲", f"{YEAR}-04-22", "中心", "300", ""],
        ["A2", "送书", "送书乙", f"{YEAR}-04-23", "小学", "", ""],
        ["A3", "送书", "送书丙", f"{YEAR}-04-26", "中学", "200", ""],
        ["A4", "讲座", "消防讲座", f"{YEAR}-05-06", "中心", "60", ""],
        ["A5", "节日活动", "地书", f"{YEAR}-02-17", "山顶", "330", ""],
        ["A6", "志愿服务", "志愿者服务", f"{YEAR}-03-06", "园区", "600", ""],
    ]
    drawn, soup = _draw(tmp_path, monkeypatch, rows)
    (fig,) = [f for f in drawn if f.get_suptitle() == "各类活动参与人次与场次"]
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "value-label"]
    assert sorted(labels) == sorted(["60", "330", "600"])  # no 500
    marks = [t.get_text() for t in ax.texts if t.get_gid() == "not-given"]
    assert marks == ["部分未填报"]
    table = soup.find(id="fig-activities_by_category").find_next("table")
    cells = {tr.th.get_text(): [td.get_text() for td in tr("td")] for tr in table.tbody("tr")}
    assert cells["送书"][2] == "500（3次中2次填报）"  # the 底稿 keeps the sum, with its parts
