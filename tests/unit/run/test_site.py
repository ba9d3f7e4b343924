"""outputs/index.html: offline, escaped, relative links that resolve, trends per unit."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

from bs4 import BeautifulSoup

from selfeval.config import Roots
from selfeval.run.site import INDEX_FILE, write_index, write_index_if_changed

HOSTILE_UNIT = '<script>alert("x")</script>合成图书馆 & 分馆'


def _year(
    roots: Roots,
    year: int,
    unit: str,
    spending: float | None,
    failed: bool = False,
    folder: str = "",
    raw: bool = True,
):
    rel = f"{folder}/{year}" if folder else str(year)
    if raw:
        (roots.raw / rel).mkdir(parents=True)
    out = roots.outputs / rel
    out.mkdir(parents=True)
    (out / "report.html").write_text(f"<html>{year}</html>", encoding="utf-8")
    if failed:
        (out / "failed").mkdir()
        (out / "failed" / "error.txt").write_text("BuildError: 清洗失败", encoding="utf-8")
    proc = roots.processed / rel
    proc.mkdir(parents=True)
    summary = {
        "year": year,
        "unit_name": unit,
        "total_spending": spending,
        "sessions": 20 + year % 5,
        "participants_offline": 1000 + year,
        "participants_online": 300,
        "books": None,
        "satisfaction": 98.92,
    }
    (proc / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    meta = {"year": year, "unit_name": unit, "data_date": f"{year + 1}-01-1{year % 10}"}
    (proc / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _only_failed(roots: Roots, year: int) -> None:
    (roots.raw / str(year)).mkdir(parents=True)
    failed = roots.outputs / str(year) / "failed"
    failed.mkdir(parents=True)
    (failed / "error.txt").write_text("BuildError: 第一次生成就失败", encoding="utf-8")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _rows(soup: BeautifulSoup) -> dict[str, list[str]]:
    rows = {}
    for tr in soup.select("tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        rows[cells[0]] = cells
    return rows


def test_index_lists_years_offline_with_escaped_text(tmp_path):
    roots = Roots.of(tmp_path)
    _year(roots, 2022, HOSTILE_UNIT, 101.5)
    _year(roots, 2023, HOSTILE_UNIT, 108.25, failed=True)
    _year(roots, 2024, "另一单位", 50.0)
    _only_failed(roots, 2021)
    (roots.outputs / "notes").mkdir()  # not a year: ignored

    page = write_index(roots)
    soup = _soup(page)
    html = page.read_text(encoding="utf-8")

    assert soup.find("script") is None and "<script>alert" not in html
    assert "&lt;script&gt;" in html
    rows = _rows(soup)
    assert sorted(rows) == ["2021", "2022", "2023", "2024"]
    assert rows["2022"][1] == HOSTILE_UNIT
    assert rows["2022"][3] == "2023-01-12"  # data date from meta.json, not the clock
    # 场次 20 + 2022 % 5 = 22; 线下参与 1000 + 2022 = 3,022 (线上 300 is not added to it: the
    # report never adds the two measures); 赠书 not given
    assert rows["2022"][4] == "101.50" and rows["2022"][5] == "22"
    assert rows["2022"][6] == "3,022" and rows["2022"][7] == "—"
    head = soup.select_one("thead").get_text(" ", strip=True)
    assert "活动场次" in head and "线下参与" in head
    assert "活动项数" not in head and "线下+线上" not in head
    assert "失败" in rows["2023"][2] and "保留上次报告" in rows["2023"][2]
    assert rows["2021"][2] == "生成失败"

    # Every reference is local and resolves; images are inline data.
    for tag in soup.find_all(href=True):
        url = urlparse(tag["href"])
        assert not url.scheme and not url.netloc, tag["href"]
        assert (page.parent / unquote(url.path)).is_file(), tag["href"]
    for tag in soup.find_all(src=True):
        assert tag["src"].startswith("data:image/png;base64,"), tag["src"][:60]
    assert soup.find("link") is None and "@import" not in html
    hrefs = {a["href"] for a in soup.find_all("a")}
    assert {"2022/report.html", "2023/report.html", "2024/report.html"} <= hrefs
    assert "2021/failed/error.txt" in hrefs

    # One trend chart for the unit with two built years, none for the single-year unit.
    images = soup.find_all("img")
    assert len(images) == 1
    png = base64.b64decode(images[0]["src"].split(",", 1)[1])
    assert png.startswith(b"\x89PNG") and b"Software" not in png and b"matplotlib" not in png
    assert "仅有 2024 一个年度" in soup.get_text()


def test_index_rewritten_only_when_what_it_shows_changed(tmp_path):
    roots = Roots.of(tmp_path)
    _year(roots, 2023, "合成图书馆", 10.0)
    _year(roots, 2024, "合成图书馆", 12.0)
    page = write_index_if_changed(roots)
    first = page.stat().st_mtime_ns, page.read_bytes()

    assert write_index_if_changed(roots) == page
    assert (page.stat().st_mtime_ns, page.read_bytes()) == first

    summary_path = roots.processed / "2024" / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["total_spending"] = 77.125
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    write_index_if_changed(roots)
    assert _rows(_soup(roots.outputs / INDEX_FILE))["2024"][4] == "77.13"


def test_trend_lines_are_not_drawn_across_a_year_without_the_figure():
    from selfeval.present.index import FIGURES, trend_figure

    keys = [key for key, *_ in FIGURES]
    books = {2021: 100, 2022: None, 2023: 300, 2024: 400}
    records = [
        {"year": y, "figures": {k: (b if k == "books" else None) for k in keys}}
        for y, b in books.items()
    ]
    fig = trend_figure(records)
    panels = dict(zip(keys, fig.axes, strict=True))
    lines = [
        list(line.get_xdata())
        for line in panels["books"].get_lines()
        if line.get_linestyle() != "None"
    ]
    assert lines == [[2021], [2023, 2024]]  # 2022 states no 赠书: no line across it
    points = [line for line in panels["books"].get_lines() if line.get_marker() == "o"]
    assert [list(line.get_xdata()) for line in points] == [[2021, 2023, 2024]]
    # a figure no year states: 未填报, no line, no point
    assert panels["sessions"].get_lines() == []
    assert [t.get_text() for t in panels["sessions"].texts] == ["未填报"]


def test_units_of_one_name_and_a_renamed_units_leftovers_are_told_apart(tmp_path):
    roots = Roots.of(tmp_path)
    _year(roots, 2024, "合成图书馆", 10.0, folder="lib-east")
    _year(roots, 2024, "合成图书馆", 20.0, folder="lib-west")  # a copied unit, same 单位名称
    _year(roots, 2023, "合成文化馆", 30.0, folder="culture")
    _year(roots, 2023, "合成文化馆", 31.0, folder="old-culture", raw=False)  # renamed to culture
    _year(roots, 2024, "合成文化馆", 32.0, folder="culture")
    soup = _soup(write_index(roots))
    table = soup.find("h2", string="各年度报告").find_next("table")
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.select("tbody tr")
    ]
    shown = sorted((r[0], r[1]) for r in rows)
    assert shown == [
        ("2023", "合成文化馆（data/raw/culture/）"),
        ("2023", "合成文化馆（data/raw/old-culture/）"),
        ("2024", "合成图书馆（data/raw/lib-east/）"),
        ("2024", "合成图书馆（data/raw/lib-west/）"),
        ("2024", "合成文化馆（data/raw/culture/）"),
    ]
    assert len({tuple(r) for r in rows}) == len(rows)  # no two identical rows
    status = {r[1] + r[0]: r[2] for r in rows}
    assert (
        "data/raw/old-culture/2023/ 已不存在" in status["合成文化馆（data/raw/old-culture/）2023"]
    )
    assert "可删除 outputs/old-culture/2023/" in status["合成文化馆（data/raw/old-culture/）2023"]
    assert status["合成文化馆（data/raw/culture/）2023"] == "已生成"
    overview = soup.select_one("#by-name tbody")
    names = [tr.find("td").get_text(strip=True) for tr in overview.find_all("tr")]
    assert sorted(names) == [
        "合成图书馆（data/raw/lib-east/）",
        "合成图书馆（data/raw/lib-west/）",
        "合成文化馆（data/raw/culture/）",
        "合成文化馆（data/raw/old-culture/）",
    ]
    trends = [h.get_text(strip=True) for h in soup.find_all("h3")]
    assert "合成文化馆（data/raw/culture/）（2023—2024 年）" in trends  # not mixed with old-culture
    assert len(trends) == 4


def test_an_altered_results_json_leaves_its_row_without_figures_and_the_page_written(tmp_path):
    """A unit's results.json edited by hand (spending types as a list beside a 总分): the
    overview reads it as a department does, finds it malformed and shows no score for the unit,
    where the lenient reader stopped the whole index with an AttributeError."""
    roots = Roots.of(tmp_path)
    _year(roots, 2024, "另一单位", 50.0, folder="lib")
    _year(roots, 2024, "甲单位", 40.0, folder="jia")
    types = [{"total": {"actual": 50.0}}]
    stored = {"figures": {"spending": {"types": types}}, "scoring": {"total": 88.5}, "checks": []}
    path = roots.processed / "lib" / "2024" / "results.json"
    path.write_text(json.dumps(stored), encoding="utf-8")
    soup = _soup(write_index(roots))
    rows = {
        cells[0]: cells[1:5]
        for cells in (
            [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in soup.select("#by-name tbody tr")
        )
    }
    assert rows["另一单位"] == ["—"] * 4  # score, grade, rate, ⚠: none read from the file
