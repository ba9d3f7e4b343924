"""report.html, report.docx and report.pdf of a real build (2024 and a synthetic year with
targets), each opened by its own reader: BeautifulSoup, python-docx, poppler (pdfinfo, pdftotext,
pdffonts), and LibreOffice itself for the conversion. The three state the same facts.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm
from support import SYNTHETIC_YEARS, build_project

from selfeval.config import Roots
from selfeval.present import style
from selfeval.run import batch, pdf
from selfeval.run.plan import STAMP_FILE
from tools import pdfcheck

pytestmark = pytest.mark.slow

#: The year of the synthetic data that carries 绩效目标 (so a 绩效自评表 on landscape pages).
TARGET_YEAR = SYNTHETIC_YEARS[-1]
W_T = qn("w:t")

#: Facts of the published 2024 report (copied by hand from it, as in test_report_fidelity).
FACTS_2024 = (
    "云溪区图书馆",
    "一般公共预算支出109.17万元",
    "基本支出69.78万元",
    "人员支出63.44万元",
    "公用支出6.33万元",
    "项目支出39.39万元",
    "全年举办各类活动17场次",
    "赠送图书3580册",
    "群众满意度为98.92%",
    "馆藏图书16516册",
    "2024年我单位无预算支出执行偏离绩效目标的情况。",
    "九、其他需要说明的情况",
)


def _need_converter() -> None:
    if pdf.find_soffice() is None or not pdfcheck.available():
        what = "LibreOffice (soffice) and poppler-utils"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{what} are required in CI: {pdf.INSTALL_COMMAND} poppler-utils")
        pytest.skip(f"{what} not installed")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    _need_converter()
    return build_project(tmp_path_factory)


def _out(root: Path, year: int) -> Path:
    return root / "outputs" / str(year)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _html_text(path: Path) -> str:
    """What a reader of report.html reads, without the contents list (links, not facts)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main")
    for nav in main.find_all("nav"):
        nav.decompose()
    # the 审核底稿 layer (off by default), and a 草稿's mark (Word has it in each page header)
    for node in main.select(".review, .review-switch, .draft-mark"):
        node.decompose()
    return _flat(main.get_text())


def _docx_text(path: Path) -> str:
    """Every text of the Word body in document order (a merged cell once), no footers."""
    body = docx.Document(str(path)).element.body
    return _flat("".join(t.text or "" for t in body.iter(W_T)))


def _docx_paragraphs_and_numeric_cells(path: Path) -> tuple[list[str], list[str]]:
    """The Word body's paragraphs outside tables, and the numbers of its table cells."""
    body = docx.Document(str(path)).element.body
    paragraphs = [
        _flat("".join(t.text or "" for t in p.iter(W_T))) for p in body.iterchildren(qn("w:p"))
    ]
    cells = [_flat("".join(t.text or "" for t in tc.iter(W_T))) for tc in body.iter(qn("w:tc"))]
    numeric = re.compile(r"[+-]?\d[\d,.]*%?")
    return [p for p in paragraphs if p], [c for c in cells if numeric.fullmatch(c)]


def _words(text: str) -> str:
    return re.sub(r"\W", "", text)


def _numbers(text: str) -> Counter:
    return Counter(re.findall(r"\d[\d,.]*%?", text))


@pytest.mark.parametrize("year", [2024, TARGET_YEAR])
def test_each_year_has_html_docx_and_pdf_in_its_stamp(root, year):
    out = _out(root, year)
    for name in ("report.html", "report.docx", "report.pdf"):
        assert (out / name).stat().st_size > 10_000, name
    stamp = json.loads((out / STAMP_FILE).read_text(encoding="utf-8"))
    for name in ("report.html", "report.docx", "report.pdf", "report.ipynb"):
        assert stamp["products"][name], name
    ok, _ = batch.stamp_state(
        year, Roots.of(root), batch.own_inputs(year, Roots.of(root), batch.code_hashes())
    )
    assert ok


@pytest.mark.parametrize("year", [2024, TARGET_YEAR])
def test_html_and_docx_state_the_same_text_and_figures(root, year):
    html = _html_text(_out(root, year) / "report.html")
    word = _docx_text(_out(root, year) / "report.docx")
    assert _numbers(html) == _numbers(word)
    assert len(_numbers(word)) > 50
    assert html == word
    if year == 2024:
        for fact in FACTS_2024:
            assert fact in word, fact


def test_docx_2024_styles_fonts_page_and_table_headers(root):
    document = docx.Document(str(_out(root, 2024) / "report.docx"))
    for name, east_asia in (
        ("Normal", "仿宋_GB2312"),
        ("Heading 1", "黑体"),
        ("Heading 2", "楷体_GB2312"),
    ):
        rfonts = document.styles[name].element.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == east_asia
        assert rfonts.get(qn("w:eastAsiaTheme")) is None
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、部门（单位）概况", "二、一般公共预算支出情况"]
    assert headings[-1] == "部门整体支出绩效自评表"  # 数据核对 is the 底稿's
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    for got, mm in zip(margins, (37, 35, 28, 26), strict=True):
        assert abs(got - Mm(mm)) < Mm(0.1)
    # 支出明细 and the 自评表 as one table (header, funds, 总体目标; no indicators without
    # 绩效目标); the charts' data tables and the 数据核对 table are in review.docx only
    assert len(document.tables) == 1 + 1
    for table in document.tables:
        repeated = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in table._tbl.tr_lst]
        heads = repeated.index(False)
        # a run of header rows from the first (Word repeats no other); the form's is two high
        assert heads == (2 if "自评表" in _caption(table) else 1)
        assert not any(repeated[heads:])
    # 各类活动, 各月活动, 赠书去向: no budget figures (no budget chart), two year-ends of 馆藏
    # (a sentence, not a chart; charts.MIN_VALUES)
    assert len(document.inline_shapes) == 3


@pytest.mark.parametrize("year", [2024, SYNTHETIC_YEARS[0]])
def test_docx_figures_are_png_at_print_resolution(root, year):
    from PIL import Image

    document = docx.Document(str(_out(root, year) / "report.docx"))
    shapes = list(document.inline_shapes)
    assert shapes  # both years have charts
    for shape in shapes:
        blob = document.part.related_parts[
            shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        ]
        image = Image.open(io.BytesIO(blob.blob))
        assert image.format == "PNG"
        # pixels per inch at the placed size (EMU: 914400 per inch), at least REPORT_DPI = 200
        assert image.width / (shape.width / 914400) >= 200
        assert image.height / (shape.height / 914400) >= 200


def test_docx_with_targets_puts_the_scoring_table_on_landscape_pages(root):
    document = docx.Document(str(_out(root, TARGET_YEAR) / "report.docx"))
    orientations = [s.orientation for s in document.sections]
    assert orientations[0] == WD_ORIENT.PORTRAIT
    # the 自评表 is landscape; the 报送稿 may end with it (the 数据核对 appendix is the 底稿's)
    assert WD_ORIENT.LANDSCAPE in orientations
    landscape = next(s for s in document.sections if s.orientation == WD_ORIENT.LANDSCAPE)
    assert abs(landscape.page_width - Mm(297)) < Mm(0.1)
    form = next(t for t in document.tables if "部门整体支出绩效自评表" in _caption(t))
    rows = form._tbl.tr_lst
    first = next(i for i, tr in enumerate(rows) if "一级指标" in _row_text(tr))
    merged = [tr.tc_lst[1].vMerge for tr in rows[first + 1 : -1]]
    assert "restart" in merged and "continue" in merged  # 一级指标 spans its rows


@pytest.mark.parametrize("year", [2024, TARGET_YEAR])
def test_pdf_is_a4_numbered_embedded_and_states_the_facts(root, year):
    path = _out(root, year) / "report.pdf"
    count = pdfcheck.page_count(path)
    assert count >= 8
    sizes = pdfcheck.page_sizes(path)
    assert len(sizes) == count and all(pdfcheck.is_a4(size) for size in sizes)
    assert round(sizes[0][0]) == 595 and round(sizes[0][1]) == 842  # page 1: portrait A4
    if year == TARGET_YEAR:
        assert any(w > h for w, h in sizes)  # the 绩效自评表's landscape pages
    for number, page in enumerate(pdfcheck.page_texts(path), start=1):
        # the number ends a line of its own; pdftotext glues it to the page's last text line
        # when that line ends in a hyphen (「alert('xss-」 of the hostile year), so: ends a line
        lines = [line.replace(" ", "") for line in page.splitlines()]
        assert any(line.endswith(f"—{number}—") for line in lines), number
    fonts = pdfcheck.fonts(path)
    assert fonts and all(f.embedded for f in fonts), fonts
    names = " ".join(f.name for f in fonts)
    # 仿宋 → FandolFang, 黑体 → FandolHei (Noto SC where Fandol is missing: test_pdf)
    fandol = pdf.font_faces()[style.FONT_BODY].file is not None
    wanted = ("FandolFang", "FandolHei") if fandol else ("NotoSerifCJK", "NotoSansCJK")
    assert all(w in names for w in wanted) and (not fandol or "CJKjp" not in names), names
    text = pdfcheck.text(path)
    paragraphs, numbers = _docx_paragraphs_and_numeric_cells(_out(root, year) / "report.docx")
    # Every paragraph of the Word file, page breaks notwithstanding; compared on letters and
    # digits, as pdftotext drops a full stop hanging at the end of a line. A paragraph is read
    # in reading order or, where that order depends on the machine's fonts (「表1」 read apart
    # from its title once Liberation/DejaVu are installed), line by line as laid out.
    readings = (_words(text), _words(pdfcheck.text(path, layout=True)))
    missing = [p for p in paragraphs if not any(_words(p) in r for r in readings)]
    assert missing == []
    # every figure of its tables, each a word of its own where the page lays its cell out
    # (reading order glues a short cell to a wrapped neighbour: 「…xss+1」)
    words = set(pdfcheck.cell_tokens(path))
    assert [n for n in numbers if n not in words] == []
    if year == 2024:
        for fact in FACTS_2024:
            assert fact in text, fact


@pytest.mark.parametrize("year", [2024, TARGET_YEAR])
def test_no_pdf_page_is_nearly_empty_before_a_table(root, year):
    document = docx.Document(str(_out(root, year) / "report.docx"))
    first_cells = [t._tbl.tr_lst[0].tc_lst[0] for t in document.tables]
    markers = ["".join(t.text or "" for t in tc.iter(W_T)) for tc in first_cells]
    path = _out(root, year) / "report.pdf"
    assert pdfcheck.sparse_pages_before_tables(path, markers) == []


def test_page_one_of_the_docx_and_of_the_pdf_render(root, tmp_path):
    """Page 1 rendered to PNG (LibreOffice → PDF → pdftoppm) for both, not blank, A4."""
    from PIL import Image

    out = _out(root, 2024)
    again = pdf.docx_to_pdf(out / "report.docx", tmp_path / "again.pdf")
    images = []
    for name, source in (("docx", again), ("pdf", out / "report.pdf")):
        target = tmp_path / f"page1-{name}"
        subprocess.run(
            ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", source, target],
            check=True,
        )
        image = Image.open(f"{target}.png").convert("L")
        width, height = image.size  # A4 at 60 dpi: 496 × 702 px, give or take rounding
        assert abs(width - 496) <= 1 and abs(height - 702) <= 1
        dark = sum(1 for v in image.tobytes() if v < 128)
        assert dark > 0.005 * image.size[0] * image.size[1], name
        images.append(image.tobytes())
    assert images[0] == images[1]  # the same docx converts to the same first page


def test_index_links_every_years_html_docx_and_pdf(root):
    soup = BeautifulSoup(
        (root / "outputs" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    hrefs = {a["href"] for a in soup.find_all("a")}
    for year in (2024, *SYNTHETIC_YEARS):
        for name in ("report.html", "report.docx", "report.pdf"):
            assert f"{year}/{name}" in hrefs
            assert (root / "outputs" / str(year) / name).is_file()


def test_make_pdf_converts_a_missing_pdf_and_records_it(root, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(root / "outputs" / "2024", project / "outputs" / "2024")
    out = project / "outputs" / "2024"
    (out / "report.pdf").unlink()
    stamp = json.loads((out / STAMP_FILE).read_text(encoding="utf-8"))
    stamp["products"]["report.pdf"] = None  # as a build without LibreOffice records it
    (out / STAMP_FILE).write_text(json.dumps(stamp), encoding="utf-8")
    assert pdf.convert_years(Roots.of(project)) == 0
    assert pdfcheck.page_count(out / "report.pdf") >= 8
    recorded = json.loads((out / STAMP_FILE).read_text(encoding="utf-8"))["products"]
    assert recorded["report.pdf"] == batch.hash_tree(out / "report.pdf")
    assert {k: v for k, v in recorded.items() if k != "report.pdf"} == {
        k: v for k, v in stamp["products"].items() if k != "report.pdf"
    }
    assert pdf._stale_years(Roots.of(project)) == []  # a second make pdf has nothing to do


def test_docx_core_properties_name_the_report(root):
    """Title and author come from the data, so Word's 属性 dialog names the report."""
    data = (_out(root, 2024) / "report.docx").read_bytes()
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == "云溪区图书馆2024年度整体支出绩效自评报告"
    assert document.core_properties.author == "云溪区图书馆"


# ---------------------------------------------------------------------------------------------
# The 绩效自评表 in the national form, in the HTML and the Word file of a real build


FUNDS_ROWS = ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]


def _caption(table) -> str:
    caption = table._tbl.tblPr.find(qn("w:tblCaption"))
    return "" if caption is None else caption.get(qn("w:val"))


def _row_text(tr) -> str:
    return "".join(t.text or "" for t in tr.iter(W_T))


def _table_rows(table) -> list[list[str]]:
    return [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in table("tr")]


def test_2024_has_the_funds_block_and_says_targets_were_not_given(root):
    """2024 has no 绩效目标 sheet: the table still stands with its funds block, says so, and the
    build summary warns."""
    soup = BeautifulSoup((_out(root, 2024) / "report.html").read_text("utf-8"), "html.parser")
    part = soup.find(id="scoring")
    funds = _table_rows(part.select_one("table.scoring"))[3:7]
    assert [r[0] for r in funds] == FUNDS_ROWS
    # 69.78 + 39.39 (the stated 合计 rows, as 二 states them); no budget given anywhere
    assert funds[0] == ["年度资金总额", "未填报", "未填报", "109.17", "10", "预算数缺失", "不计分"]
    assert part.select_one("table.scoring tr.indicators-head") is None
    assert "未填报绩效目标，未计算总分。" in [p.get_text() for p in part.find_all("p")]
    summary = json.loads((root / "data" / "processed" / "2024" / "summary.json").read_text("utf-8"))
    assert any("未填报绩效目标" in w for w in summary["warnings"])


def test_a_year_with_targets_shows_the_national_form(root):
    out = _out(root, TARGET_YEAR)
    soup = BeautifulSoup((out / "report.html").read_text("utf-8"), "html.parser")
    part = soup.find(id="scoring")
    rows = _table_rows(part.select_one("table.scoring"))
    assert rows[0][0] == "部门（单位）名称"  # the unit's form names the unit, not a 项目
    assert rows[1][0] == "主管部门" and rows[1][2] == "实施单位"
    assert rows[2][2:8] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert [r[0] for r in rows[3:7]] == FUNDS_ROWS
    assert rows[7][1:] == ["预期目标", "实际完成情况"]
    assert rows[9][:4] == ["绩效指标", "一级指标", "二级指标", "三级指标"]
    assert rows[-1][0] == "总分" and rows[-1][-1].startswith("自评等级：")
    word = docx.Document(str(out / "report.docx"))
    captions = [
        t._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val"))
        for t in word.tables
        if t._tbl.tblPr.find(qn("w:tblCaption")) is not None
    ]
    assert any("部门整体支出绩效自评表" in c for c in captions)
