"""The Word writer on a small hand-made document, opened again with python-docx (its reader)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from test_document import spending_table

from selfeval.present import style
from selfeval.present.document import (
    Cell,
    Column,
    CoverField,
    Document,
    Heading,
    Note,
    Paragraph,
    Row,
    Section,
    Table,
)
from selfeval.present.docx import build_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _indicators() -> Table:
    rows = [
        Row((Cell("产出指标", rowspan=3), Cell("数量指标", rowspan=2), Cell("讲座"), Cell("3")))
    ]
    rows += [Row.of("展览", "2"), Row((Cell("质量指标"), Cell("满意度"), Cell("1")))]
    rows.append(Row((Cell("合计", colspan=3), Cell("6")), total=True))
    return Table(
        "年度绩效指标",
        (Column(), Column(), Column(width=2), Column.numeric()),
        header=(Row.of("一级指标", "二级指标", "三级指标", "结果"),),
        body=tuple(rows),
    )


SAMPLE = Document(
    title="某某区图书馆\n2031年度整体支出绩效自评报告",
    sections=(
        Section("一、部门（单位）概况", "s1", (Paragraph.of("某某区图书馆为事业单位。"),)),
        Section(
            "二、一般公共预算支出情况",
            "s2",
            (Heading(2, "（一）基本支出情况"), spending_table(), Note("注：单位万元。")),
        ),
        Section("附表：自评表", "scoring", (_indicators(),), landscape=True),
        Section("三、其他需要说明的情况", "s3", (Paragraph.of("无。"),)),
    ),
    date=dt.date(2032, 3, 15),
    cover=(CoverField("单位", "某某区图书馆"),),
    author="某某区图书馆",
)


@pytest.fixture(scope="module")
def data() -> bytes:
    return build_docx(SAMPLE)


@pytest.fixture(scope="module")
def document(data):
    return docx.Document(io.BytesIO(data))


def _rfonts(element) -> dict[str, str]:
    rfonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return {k.replace(W, ""): v for k, v in rfonts.attrib.items()}


@pytest.mark.parametrize(
    ("style_name", "east_asia", "half_points"),
    [
        ("Normal", "仿宋_GB2312", "32"),  # 三号 = 16 pt
        ("Heading 1", "黑体", "32"),
        ("Heading 2", "楷体_GB2312", "32"),
        ("Report Title", "方正小标宋简体", "44"),  # 二号 = 22 pt
        ("Table Text", "仿宋_GB2312", "21"),
        ("Table Header", "黑体", "21"),
        ("Footer", "宋体", "28"),
    ],
)
def test_styles_name_east_asian_fonts_explicitly(document, style_name, east_asia, half_points):
    element = document.styles[style_name].element
    fonts = _rfonts(element)
    assert fonts["eastAsia"] == east_asia
    assert not [k for k in fonts if "heme" in k]  # a theme attribute would win over the name
    assert element.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) == half_points


def test_defaults_are_fangsong_in_chinese_and_no_theme_fonts_anywhere(document):
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))[0]
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    for rfonts in document.styles.element.iter(qn("w:rFonts")):
        assert not [a for a in rfonts.attrib if "heme" in a], rfonts.attrib


def test_body_has_fixed_28pt_lines_and_two_character_indent(document):
    ppr = document.styles["Normal"].element.find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("560", "exact")
    assert ppr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"


def test_a4_with_gbt9704_margins_then_landscape_and_back(document):
    sections = document.sections
    assert [s.orientation for s in sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    first = sections[0]._sectPr
    assert (first.find(qn("w:pgSz")).get(qn("w:w")), first.find(qn("w:pgSz")).get(qn("w:h"))) == (
        "11906",
        "16838",
    )  # 210 × 297 mm in twips
    margins = {k: int(first.find(qn("w:pgMar")).get(qn(f"w:{k}"))) for k in ("top", "left")}
    assert margins == {"top": round(37 / 25.4 * 1440), "left": round(28 / 25.4 * 1440)}
    landscape = sections[1]
    assert abs(landscape.page_width - Mm(297)) < Mm(0.1)
    assert abs(landscape.page_height - Mm(210)) < Mm(0.1)
    assert abs(landscape.bottom_margin - Mm(35)) < Mm(0.1)


def test_footer_has_a_page_field_between_dashes(document):
    footer = document.sections[0].footer.paragraphs[0]._p
    assert [t.text for t in footer.iter(qn("w:instrText"))] == [" PAGE "]
    assert "".join(t.text for t in footer.iter(qn("w:t"))) == "— 1 —"
    assert all(s.footer.is_linked_to_previous for s in document.sections[1:])


def test_header_rows_repeat_and_merged_cells(document):
    spending, indicators = document.tables
    flags = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in spending._tbl.tr_lst]
    assert flags == [True, True, False]  # two header rows
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in spending._tbl.tr_lst)
    first = spending._tbl.tr_lst[0]
    assert [tc.grid_span for tc in first.tc_lst] == [1, 2, 1, 1]
    assert [tc.vMerge for tc in first.tc_lst] == ["restart", None, "restart", "restart"]
    column0 = [tr.tc_lst[0].vMerge for tr in indicators._tbl.tr_lst[1:4]]
    assert column0 == ["restart", "continue", "continue"]
    assert indicators._tbl.tr_lst[-1].tc_lst[0].grid_span == 3
    grid = [int(c.get(qn("w:w"))) for c in indicators._tbl.tblGrid.gridCol_lst]
    assert sum(grid) == round(style.text_width_mm(landscape=True) / 25.4 * 1440)
    # 「结果」 gets at least two 10.5 pt characters plus the cell padding.
    assert grid[3] >= 2 * 10.5 * 20 + 2 * style.CELL_PADDING_PT * 20


def test_text_and_captions(document):
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "某某区图书馆\n2031年度整体支出绩效自评报告"
    assert "单位：某某区图书馆" in texts
    assert "表1　一般公共预算支出" in texts and "表2　年度绩效指标" in texts
    assert document.core_properties.created == dt.datetime(2032, 3, 15, tzinfo=dt.UTC)


def test_same_document_gives_the_same_bytes_and_a_fixed_zip(data):
    assert build_docx(SAMPLE) == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert "docProps/thumbnail.jpeg" not in [i.filename for i in infos]
    changed = build_docx(Document(SAMPLE.title + "（修订）", SAMPLE.sections, SAMPLE.date))
    assert changed != data


def _wide(amount: str) -> Table:
    """An eight-column 支出明细 in 元 (年初 and 全年 budgets), as blocks.spending makes it."""
    headers = (
        "支出类别",
        "支出项目",
        "年初预算数",
        "全年预算数",
        "执行数",
        "执行率",
        "占比",
        "说明",
    )
    return Table(
        "一般公共预算支出明细（单位：元）",
        (
            Column(width=1.6),
            Column(width=1.6),
            *(Column.numeric() for _ in range(5)),
            Column(width=2.2),
        ),
        header=(Row.of(*headers),),
        body=(Row.of("项目支出", "文化活动", amount, amount, amount, "100.00%", "100.00%", ""),),
        wide=True,
    )


def _with_table(table: Table) -> docx.document.Document:
    model = Document(
        title="某某区图书馆2031年度整体支出绩效自评报告",
        date=dt.date(2032, 3, 15),
        sections=(
            Section(
                "一、部门（单位）概况", "s1", (Paragraph.of("甲。"), table, Paragraph.of("乙。"))
            ),
        ),
    )
    return docx.Document(io.BytesIO(build_docx(model)))


def test_a_wide_table_that_fits_stays_on_the_portrait_page_in_small_type():
    """Portrait text block 156 mm = 442.2 pt. In 小五 (9 pt) with 2 pt padding, a column needs
    its widest text + 0.5 em + 4 pt: 「20,040,960.00」 7.15 em → 72.85 pt (×3 = 218.55),
    「100.00%」 3.85 em → 43.15 pt (×2 = 86.3), headers 「支出类别」「支出项目」 4 em → 44.5 pt
    each, 「说明」 2 em → 26.5 pt: 420.35 pt in all, which fits; 说明 keeps about 39 pt, more
    than 3 characters (31 pt). No landscape section, so no half-empty page before it."""
    document = _with_table(_wide("20,040,960.00"))
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT]
    cell = document.tables[0].rows[1].cells[2].paragraphs[0]
    assert cell.style.name == "Table Text Small" and cell.text == "20,040,960.00"
    size = document.styles["Table Text Small"].element.find(qn("w:rPr")).find(qn("w:sz"))
    assert size.get(qn("w:val")) == "18"  # 9 pt in half points


def test_a_wide_table_too_wide_for_portrait_gets_landscape_pages_of_its_own():
    """「2,004,096,000.00」 is 8.8 em → 87.7 pt ×3 = 263.1; with 86.3 and 115.5 above that is
    464.9 pt, more than 442.2: the table goes landscape, in the normal table type."""
    document = _with_table(_wide("2,004,096,000.00"))
    assert [s.orientation for s in document.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    assert document.tables[0].rows[1].cells[2].paragraphs[0].style.name == "Table Text"


def test_an_attachment_starts_a_page_with_its_mark_top_left_and_its_title_centred():
    model = Document(
        title="某某区图书馆2031年度整体支出绩效自评报告",
        date=dt.date(2032, 3, 15),
        sections=(
            Section("一、概况", "s1", (Paragraph.of("甲。"),)),
            Section("部门整体支出绩效自评表", "scoring", (_indicators(),), label="附件1"),
            Section("项目支出绩效自评表", "projects", (Paragraph.of("乙。"),), label="附件2"),
        ),
    )
    document = docx.Document(io.BytesIO(build_docx(model)))
    paragraphs = [p for p in document.paragraphs if p.text]
    marks = [i for i, p in enumerate(paragraphs) if p.style.name == "Attachment Mark"]
    assert [paragraphs[i].text for i in marks] == ["附件1", "附件2"]
    for i in marks:
        mark, title = paragraphs[i], paragraphs[i + 1]
        assert mark.paragraph_format.page_break_before  # a page of its own (portrait throughout)
        assert mark.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
        assert _rfonts(mark.style.element)["eastAsia"] == "黑体"
        assert title.style.name == "Heading 1"  # still a heading: navigation and PDF bookmarks
        assert title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert _rfonts(title.runs[0]._r)["eastAsia"] == "方正小标宋简体"
    assert paragraphs[marks[0] + 1].text == "部门整体支出绩效自评表"
