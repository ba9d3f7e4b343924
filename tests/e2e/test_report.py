"""The 2024 report built from data/raw/2024: offline, official layout, escaped, reproducible."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import build, formats, html
from selfeval.present import context as narrative
from selfeval.present.frames import load_frame
from selfeval.store import read_json, read_processed, write_processed

pytestmark = pytest.mark.no_pdf

REPO = Path(__file__).resolve().parents[2]
RAW_2024 = REPO / "data" / "raw" / "2024"
TITLE = "云溪区图书馆2024年度整体支出绩效自评报告"
SECTIONS = [
    "一、部门（单位）概况",
    "二、一般公共预算支出情况",
    "三、政府性基金预算支出情况",
    "四、国有资本经营预算支出情况",
    "五、社会保险基金预算支出情况",
    "六、部门整体支出绩效情况",
    "七、存在的问题及原因分析",
    "八、下一步改进措施",
    "九、其他需要说明的情况",
]
EXTERNAL_CSS = re.compile(r"url\(\s*['\"]?\s*(?!data:)[^)'\"\s]|@import|import\(", re.I)


@pytest.fixture(scope="module")
def built(build_2024) -> Path:
    return build_2024("report-2024-a")


@pytest.fixture(scope="module")
def soup(built) -> BeautifulSoup:
    return BeautifulSoup((built / "report.html").read_text(encoding="utf-8"), "html.parser")


# ---------------------------------------------------------------------------------------------
# The built HTML


@pytest.mark.slow
def test_two_builds_are_byte_identical(built, build_2024):
    other = build_2024("report-2024-b")
    assert (built / "report.html").read_bytes() == (other / "report.html").read_bytes()
    # the Word file too, though built minutes apart (python-docx alone stamps the clock)
    assert (built / "report.docx").read_bytes() == (other / "report.docx").read_bytes()
    # the notebook records the directories it was given; apart from them it is identical
    recorded = (other / "report.ipynb").read_bytes().replace(b"report-2024-b", b"report-2024-a")
    assert (built / "report.ipynb").read_bytes() == recorded


@pytest.mark.slow
def test_no_external_resource(built, soup):
    html = (built / "report.html").read_text(encoding="utf-8")
    assert soup.find_all("script") == []
    assert soup.find_all("link") == []
    assert soup.find_all("iframe") == [] and soup.find_all("object") == []
    for tag in soup.find_all(src=True):
        assert tag["src"].startswith("data:image/png;base64,"), tag["src"][:60]
    for tag in soup.find_all(href=True):
        assert tag["href"].startswith("#"), tag["href"]
    for style in soup.find_all("style"):
        assert not EXTERNAL_CSS.search(style.get_text())
    for tag in soup.find_all(style=True):
        assert not EXTERNAL_CSS.search(tag["style"])
    assert "http://" not in html and "https://" not in html and "//cdn" not in html


@pytest.mark.slow
def test_title_cover_and_toc(soup):
    assert soup.title.string == TITLE
    cover = soup.find(class_="cover")
    assert cover.find("h1").get_text() == TITLE
    assert "2024年" in cover.get_text() and "云溪区图书馆" in cover.get_text()
    toc = [a.get_text() for a in soup.select("nav.toc a")]
    assert toc[:9] == SECTIONS
    assert toc[-1] == "附录：数据核对"
    for a in soup.select("nav.toc a"):
        assert soup.find(id=a["href"][1:]) is not None, a["href"]


@pytest.mark.slow
def test_sections_in_official_order(soup):
    headings = [h.get_text() for h in soup.find_all("h2") if h.get_text() != "目　录"]
    assert headings[:9] == SECTIONS
    six = [h.get_text() for h in soup.select("#s6 h3")]
    assert six == [
        "（一）提升服务效能重在实",
        "（二）围绕业务工作服务评价好",
        "（三）数字服务触角延伸广",
        "（四）图书资源持续增长更新快",
        "（五）镇街道图书（室）服务推进深",
    ]
    assert [h.get_text() for h in soup.select("#s2 h3")] == [
        "（一）基本支出情况",
        "（二）项目支出情况",
    ]
    text = soup.get_text()
    assert text.index("附录") > text.index("九、其他需要说明的情况")
    # the published report's mixed numbering (3、 8、) is not reproduced
    assert not re.search(r"^\s*[0-9]、\s*(政府性|国有|其他需要)", text, re.M)


@pytest.mark.slow
def test_no_code_no_prompts_no_raw_reprs(built, soup):
    html = (built / "report.html").read_text(encoding="utf-8")
    text = soup.get_text()
    assert soup.find(class_="jp-InputArea") is None and soup.find(class_="jp-InputPrompt") is None
    for leak in (
        "import ",
        "display(",
        "narrative.",
        "year = 2024",
        "dtype:",
        "NaN",
        "<NA>",
        "None",
    ):
        assert leak not in text, leak
    assert "dataframe" not in html
    for th in soup.select("thead th"):
        assert th.get_text().strip(), "empty header cell (index column?)"


@pytest.mark.slow
def test_charts_have_text_alternatives_and_data_tables(soup):
    figures = soup.find_all("figure")
    keys = [f["id"] for f in figures]
    assert keys == [
        "fig-activities_by_category",
        "fig-activities_by_month",
        "fig-books_by_destination",
    ]  # no budget chart (no budget figures); 馆藏 has two year-ends: a sentence says them
    for fig in figures:
        img = fig.find("img")
        assert len(img["alt"]) > 10
        assert fig.find("figcaption").get_text().startswith("图")
        wrap = fig.find_next_sibling("div")
        assert "review" in wrap["class"]  # the data table is the 审核底稿's
        assert wrap.find("table").find("caption").get_text().endswith("数据")
    books = soup.find(id="fig-books_by_destination")
    assert "松阳湖中学1000册" in books.find("img")["alt"]


@pytest.mark.slow
def test_layout_css_print_and_mobile(soup):
    css = "\n".join(s.get_text() for s in soup.find_all("style"))
    assert soup.find("meta", attrs={"name": "viewport"}) is not None
    assert soup.html["lang"] == "zh-CN"
    body_font = re.search(r"--body-font:([^;]+);", css).group(1)
    head_font = re.search(r"--head-font:([^;]+);", css).group(1)
    assert body_font.index('"FangSong"') < body_font.index('"SimSun"') < body_font.index("Noto")
    assert body_font.strip().endswith("serif")
    assert (
        head_font.index('"SimHei"') < head_font.index('"Microsoft YaHei"') < head_font.index("Noto")
    )
    assert "max-width: 480px" in css and "max-width: 46em" in css
    # Print: GB/T 9704 page, page numbers, tables that break between rows with their header
    # repeated (never moved whole), rows kept whole, headers never squeezed.
    assert "size: A4" in css and "@media print" in css
    assert "margin: 37mm 26mm 35mm 28mm" in css
    assert re.search(r"@bottom-center\s*{[^}]*counter\(page\)", css)
    assert "thead { display: table-header-group; }" in css
    assert "table, .table-wrap { break-inside: auto; }" in css
    assert "tr, figure, img { break-inside: avoid; }" in css
    for rule in re.findall(r"([^{}]+){[^{}]*break-inside:\s*avoid", css):
        selectors = {s.strip() for s in rule.split(",")}
        assert not selectors & {"table", ".table-wrap"}, rule
    assert "th { white-space: nowrap; }" in css


@pytest.mark.slow
def test_executed_notebook_is_kept_with_parameters(built):
    nb = nbformat.read(built / "report.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "selfeval"
    assert nb.metadata["title"] == TITLE
    assert "papermill" not in nb.metadata
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert "year = 2024" in injected[0].source
    assert str(RAW_2024) in injected[0].source
    assert not (built / "failed").exists()


@pytest.mark.slow
def test_summary_json_headline_figures(built):
    summary = json.loads((built.parents[1] / "processed" / "2024" / "summary.json").read_text())
    assert summary["unit_name"] == "云溪区图书馆"
    assert summary["total_spending"] == pytest.approx(109.17)
    assert summary["basic_spending"] == pytest.approx(69.78)
    assert summary["project_spending"] == pytest.approx(39.39)
    assert summary["holdings"] == 16516
    assert summary["satisfaction"] == pytest.approx(98.92)
    assert summary["participants_online"] == 78
    # 17 listings; A14 is one event in two categories; A16 summarises A11 and A12 (2 events)
    assert summary["events"] == 15
    assert summary["books"] == 780 + 800 + 1000 + 500 + 500  # summary group counts max(500多, 800)


# ---------------------------------------------------------------------------------------------
# In-process rendering (no kernel): escaping, missing data, formatting


def _context(tables, meta, year, previous_summary=None) -> dict:
    """The report context the way 03 gets it: 02's results, stored as JSON and read back."""
    checks = {"normalised": [], "reconciled": [], "warnings": []}
    computed = results.compute_year(tables, meta, checks, year, previous_summary=previous_summary)
    return narrative.build_context(results.from_json(results.to_json(computed)))


def _parts(context: dict) -> list[str]:
    """The HTML parts 03 displays, from the document built in the default frame."""
    return html.parts(build.document_from_context(context, load_frame()))


def _body(context: dict) -> str:
    return "\n".join(_parts(context))


@pytest.fixture(scope="module")
def tables_2024(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed") / "2024"
    write_processed(clean_year(RAW_2024, 2024), out)
    return read_processed(out), read_json(out, "meta")


def test_data_text_is_escaped(tables_2024):
    tables, meta = tables_2024
    tables = copy.deepcopy(tables)
    acts = tables["activities"]
    acts.loc[0, "name"] = "<script>alert(1)</script>"
    acts.loc[0, "place"] = '<img src=x onerror="alert(2)">'
    tables["texts"].loc[0, "content"] = "<b>粗体</b>&amp;"
    context = _context(tables, meta, 2024)
    html = _body(context)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all("script") == []
    assert soup.find_all("img", src="x") == []
    assert soup.find("b") is None
    text = soup.get_text()
    assert "“<script>alert(1)</script>”" in text
    assert '<img src=x onerror="alert(2)">' in text
    assert "<b>粗体</b>&amp;" in text


def test_year_without_optional_data_draws_no_chart_for_it(tables_2024):
    tables, meta = tables_2024
    tables = {k: v for k, v in tables.items() if k not in ("holdings", "digital", "satisfaction")}
    soup = BeautifulSoup(_body(_context(tables, meta, 2024)), "html.parser")
    assert soup.find(id="fig-holdings_over_years") is None
    text = soup.get_text()
    assert "馆藏图书" not in text and "98.92%" not in text


def test_budget_known_gives_execution_rate_and_chart(tables_2024):
    tables, meta = tables_2024
    tables = copy.deepcopy(tables)
    spending = tables["spending"]
    personnel = spending["item"] == "人员支出"
    spending.loc[personnel, "budget"] = 65.0
    spending.loc[spending["item"] == "公用支出", "budget"] = 7.0
    soup = BeautifulSoup(_body(_context(tables, meta, 2024)), "html.parser")
    assert soup.find(id="fig-budget_vs_actual") is not None
    text = soup.get_text()
    assert "执行率97.60%" in text  # 63.44 / 65.00
    assert "执行率90.43%" in text  # 6.33 / 7.00


def test_year_on_year_only_for_same_unit(tables_2024):
    tables, meta = tables_2024
    previous = {
        "year": 2023,
        "unit_name": "云溪区图书馆",
        "total_spending": 100.0,
        "events": 10,
        "books": 3000,
        "holdings": 13000,
    }
    soup = BeautifulSoup(
        _body(_context(tables, meta, 2024, previous_summary=previous)),
        "html.parser",
    )
    table = soup.find("table", class_="yoy")
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }
    assert rows["一般公共预算支出（万元）"] == ["100.00", "109.17", "+9.17", "+9.17%"]
    assert rows["年末馆藏（册）"] == ["13000", "16516", "+3516", "+27.05%"]
    other = dict(previous, unit_name="另一个单位")
    html = _body(_context(tables, meta, 2024, previous_summary=other))
    assert "与上年对比" not in html


@pytest.mark.parametrize(
    "start,end,expected",
    [
        ("2024-02-02", None, "2月2日"),
        ("2024-02-18", "2024-02-20", "2月18—20日"),
        ("2024-04-30", "2024-05-02", "4月30日—5月2日"),
        ("2024-06-11", "2024-06-11", "6月11日"),
    ],
)
def test_dates_as_official_documents_write_them(start, end, expected):
    assert (
        formats.cn_date(pd.Timestamp(start), None if end is None else pd.Timestamp(end)) == expected
    )


def test_number_formats():
    assert formats.wan(63.44) == "63.44万元"
    assert formats.wan(0) == "0.00万元"
    assert formats.wan(0.125) == "0.13万元"  # half up, not banker's rounding
    assert formats.pct(98.92) == "98.92%"
    assert formats.pct(63.9186) == "63.92%"
    assert (
        formats.cn_number(6) == "六"
        and formats.cn_number(10) == "十"
        and formats.cn_number(12) == "十二"
    )


def test_signature_dates_the_report_by_its_data_never_the_clock(tables_2024):
    """The 落款's 成文日期 is the 填报日期; without one, the 落款 is the name alone."""
    tables, meta = tables_2024

    def signature(data_date):
        body = _body(_context(tables, dict(meta, data_date=data_date), 2024))
        return [p.get_text() for p in BeautifulSoup(body, "html.parser").select("p.signature")]

    assert signature("2025-03-15") == ["云溪区图书馆", "2025年3月15日"]
    assert signature(None) == ["云溪区图书馆"]
    cover = BeautifulSoup(_parts(_context(tables, meta, 2024))[0], "html.parser").get_text()
    assert "数据日期" not in cover


def test_category_line_says_when_participants_are_partly_recorded(tables_2024):
    tables, meta = tables_2024
    soup = BeautifulSoup(_body(_context(tables, meta, 2024)), "html.parser")
    lines = {h.get_text(): h.find_next_sibling("p") for h in soup.select("#s6 h4")}
    # 送图书: only 4月23日 (300) and 4月26日 (300) state participants among five listings; the
    # 报送稿's summary states only what all five state (2800册, as a class that gives books),
    # the 审核底稿's note under it how many records the participants rest on
    books = lines["4.送图书走基层活动"]
    assert books.get_text() == "全年送图书5次，共计2800册。"
    stated, basis = books.find_next_siblings("p", limit=2)
    assert "review" in stated["class"] and "review" in basis["class"]
    # 声明数.csv: 送图书走基层活动·次数 5, ·赠书册数 2800 — the unit's, said so for the reviewer
    assert stated.get_text().startswith("本类次数5次、赠书册数2800册为单位在声明数表中填报的数字")
    assert basis.get_text() == "本类线下参与人次据2次活动的记录（共5次）。"
    lecture = lines["3.知识技能培训与讲座活动"]  # all six lectures state theirs: no basis note
    notes = [n.get_text() for n in lecture.find_next_siblings("p", limit=2)]
    assert notes[0] == "本类场次6场为单位在声明数表中填报的数字（与明细的核对见数据核对）。"
    assert not notes[1].startswith("本类线下参与人次据")


# ---------------------------------------------------------------------------------------------
# Counting rules of the yearly totals, on a hand-made activities table (documented columns)


def _activities(rows: list[dict]) -> pd.DataFrame:
    base = {
        "end_date": pd.NaT,
        "period": None,
        "place": "某地",
        "effect": "",
        "includes": None,
        "note": None,
        "src_file": "活动.csv",
        "src_sheet": "活动",
    }
    records = []
    for i, row in enumerate(rows):
        record = {**base, **row, "listing_order": i, "src_row": i + 2}
        for m in ("offline", "online", "sessions", "books", "materials"):
            value, q = record.pop(m, (None, ""))
            record[m] = value
            record[f"{m}_q"] = q
            record[f"{m}_text"] = None if value is None else f"{q if q == '约' else ''}{value}"
        records.append(record)
    frame = pd.DataFrame(records)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["category_order"] = frame["category"].map(
        {c: i for i, c in enumerate(dict.fromkeys(frame["category"]))}
    )
    for m in ("offline", "online", "sessions", "books", "materials"):
        frame[m] = frame[m].astype("Int64")
    return frame


def test_yearly_totals_count_each_event_once_and_summaries_as_max():
    from selfeval.figures import yearly_totals

    acts = _activities(
        [
            {
                "event_id": "E1",
                "category": "甲",
                "name": "讲座",
                "start_date": "2024-03-01",
                "offline": (100, "约"),
            },
            {
                "event_id": "E2",
                "category": "乙",
                "name": "捐书一",
                "start_date": "2024-04-22",
                "books": (300, ""),
            },
            {
                "event_id": "E3",
                "category": "乙",
                "name": "捐书二",
                "start_date": "2024-04-23",
                "books": (500, ""),
                "offline": (50, ""),
            },
            {
                "event_id": "E4",
                "category": "丙",
                "name": "宣传周",
                "start_date": "2024-04-22",
                "includes": "E2、E3",
                "books": (600, "多"),
                "sessions": (4, ""),
            },
            {
                "event_id": "E3",
                "category": "丁",
                "name": "捐书二（另列）",
                "start_date": "2024-04-23",
                "materials": (20, ""),
            },
        ]
    )
    totals = yearly_totals(acts)
    assert totals.events == 3  # E1; group {E4: E2, E3} counts max(1, 2) = 2
    assert totals.sessions.value == 1 + max(4, 1 + 1)
    assert totals.books.value == max(600, 300 + 500) and not totals.books.approximate
    assert totals.offline.value == 150 and totals.offline.approximate  # 约100 + 50
    assert totals.materials.value == 20  # E3's second listing states it; counted once
    assert totals.online.known_parts == 0
