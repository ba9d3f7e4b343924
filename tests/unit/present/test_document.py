"""The document model: span resolution and validation, numbering, column widths, frames."""

from __future__ import annotations

import dataclasses

import pytest

from selfeval.errors import FrameError
from selfeval.present import build, frames
from selfeval.present.document import Cell, Column, Figure, Heading, Numbering, Row, Table
from selfeval.present.layout import column_widths, header_min_em, min_column_em, text_em
from tests.unit.present.contexts import context


def spending_table() -> Table:
    """项目 | 预算数 (年初, 全年) | 决算数 | 执行率, two header rows, HTML span semantics."""
    return Table(
        "一般公共预算支出",
        (Column(width=2), Column.numeric(), Column.numeric(), Column.numeric(), Column.numeric()),
        header=(
            Row(
                (
                    Cell("项目", rowspan=2),
                    Cell("预算数", colspan=2),
                    Cell("决算数", rowspan=2),
                    Cell("执行率", rowspan=2),
                )
            ),
            Row.of("年初预算", "全年预算"),
        ),
        body=(Row.of("基本支出", "70.00", "70.00", "69.78", "99.69%"),),
    )


def test_grid_resolves_rowspan_and_colspan():
    grid = {(p.row, p.col): p.cell.text for p in spending_table().grid()}
    assert grid[(0, 0)] == "项目" and grid[(0, 1)] == "预算数" and grid[(0, 3)] == "决算数"
    # Row 1 lists only 年初预算/全年预算: they land under 预算数, not in column 0.
    assert grid[(1, 1)] == "年初预算" and grid[(1, 2)] == "全年预算"
    assert (1, 0) not in grid and (2, 0) in grid


@pytest.mark.parametrize(
    "rows",
    [
        (Row.of("a", "b"), Row.of("c")),  # a position left uncovered
        (Row.of("a", "b", "c"),),  # too many cells
        (Row((Cell("a", rowspan=3), Cell("b"))), Row.of("c")),  # span below the table
    ],
)
def test_malformed_tables_are_refused(rows):
    with pytest.raises(ValueError):
        Table("坏表", (Column(), Column()), header=rows[:1], body=rows[1:])


def test_model_is_frozen_and_headings_live_inside_sections():
    with pytest.raises(dataclasses.FrozenInstanceError):
        spending_table().caption = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        Heading(1, "一、不在这里")


def test_numbering_counts_tables_and_figures_separately():
    numbering = Numbering()
    data = dataclasses.replace(spending_table(), caption="", numbered=False)
    figure = Figure(b"", "图题", "alt", data=data)
    assert numbering.table(spending_table()) == "表1　一般公共预算支出"
    assert numbering.figure(figure) == "图1　图题"
    assert numbering.figure_data(figure) == "图1数据"
    assert numbering.table(spending_table()).startswith("表2")


def test_no_column_narrower_than_its_header():
    """A narrow weight must not squeeze 「结果」 to one character per line."""
    table = Table(
        "窄列",
        (Column(width=10), Column(width=0.1), Column.numeric(0.1)),
        header=(Row.of("说明", "结果", "金额"),),
        body=(Row.of("很长的说明文字", "是", "1,234.56"),),
    )
    em, padding = 10.5, 4.0
    widths = column_widths(table, 400, em, padding)
    assert sum(widths) == pytest.approx(400)
    assert widths[1] >= 2 * em + 2 * padding  # 「结果」: two characters on one line
    assert widths[2] >= 8 * 0.55 * em + 2 * padding  # "1,234.56" unbroken
    assert min_column_em(table)[1] == 2
    assert text_em("结果") == 2 and header_min_em("偏差原因分析及改进措施") == 6


def test_a_label_column_keeps_its_minimum_beside_wide_amounts():
    """The 自评表's 二级指标 column holds 「服务对象满意度指标」 on one line although amounts in 元
    elsewhere take room from every other column."""
    table = Table(
        "表",
        (Column(width=2, min_em=9), Column(width=1), Column.numeric(0.5)),
        header=(Row.of("二级指标", "说明", "金额"),),
        body=(Row.of("服务对象满意度指标", "文字", "12,345,678.90"),),
    )
    em, padding = 10.5, 4.0
    widths = column_widths(table, 240, em, padding)
    # 240 × 2/3.5 = 137 by weight; giving "12,345,678.90" (13 × 0.55 em) its room would leave
    # 99 pt (< 9 em + padding = 102.5 pt) without the column's minimum
    assert widths[0] >= 9 * em + 2 * padding
    assert widths[2] >= 13 * 0.55 * em + 2 * padding


def test_headers_that_cannot_fit_are_an_error():
    table = Table(
        "太宽", (Column(), Column()), header=(Row.of("一二三四五六", "七八九十"),), body=()
    )
    with pytest.raises(ValueError, match="放不下"):
        column_widths(table, 50, 10.5, 4)


# --------------------------------------------------------------------------- frames


def test_default_frame_is_the_nine_sections_plus_appendices():
    frame = frames.load_frame()
    numbered = [s.title for s in frame.numbered()]
    optional = [s.title for s in frame.numbered() if s.optional]
    # only for a 主管部门, and only when the unit wrote it
    assert optional == [
        "部门整体情况（本级及下属单位）",
        "部门整体支出绩效自评结果拟应用和公开情况",
    ]
    numbered = [t for t in numbered if t not in optional]
    assert numbered == [t for _, t in frames.NINE_SECTIONS]
    assert numbered[0] == "部门（单位）概况" and numbered[-1] == "其他需要说明的情况"
    assert len(numbered) == 9
    keys = [s.key for s in frame.sections]
    # 附表 after 九 (listed in the contents): the unit's 自评表, then one per project
    assert keys.index("other") < keys.index("scoring") < keys.index("projects")
    assert keys[-1] == "reconciliation"
    assert frame.setting == "九段式"
    build.check_frame(frame)  # every block it names has a builder


CLOSING = {"year": 2031, "texts": {"其他说明": {"paragraphs": ["甲。", "乙。"]}}}


def test_a_new_frame_is_a_file_not_code():
    frame = frames.parse_frame(
        "mini",
        """
name = "试验框架"
title = "{unit}{year}年度报告"
cover = [{ label = "报告年度", field = "year" }]

[[sections]]
key = "first"
title = "其他情况"
blocks = ["other"]

[[sections]]
key = "optional"
title = "附表：项目支出绩效自评表"
numbered = false
optional = true
blocks = ["project_tables"]

[[sections]]
key = "second"
title = "问题"
blocks = ["problems"]
""",
    )
    document = build.document_from_context(context(**CLOSING), frame)
    assert document.title == "某单位2031年度报告"
    assert [c.value for c in document.cover] == ["2031年"]
    # The optional section produced nothing and is left out; numbering runs on without it.
    assert [(s.title, s.anchor) for s in document.sections] == [
        ("一、其他情况", "s1"),
        ("二、问题", "s2"),
    ]
    # items directly under a numbered part: （一）（二）
    assert [b.text for b in document.sections[0].blocks] == ["（一）甲。", "（二）乙。"]
    assert document.subject == "试验框架"


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[sections]]\nkey = "a"\ntitle = "甲"\nblocks = ["no_such_block"]', "no_such_block"),
        ('[[sections]]\nkey = "a"\ntitle = "甲"\nblock = ["other"]', "未知的字段"),
        ("", "没有任何部分"),
        ('[[sections]]\nkey = "a"\ntitle = "甲"\n[[sections]]\nkey = "a"\ntitle = "乙"', "重复"),
    ],
)
def test_frame_mistakes_are_named(text, message):
    with pytest.raises(FrameError, match=message):
        build.check_frame(frames.parse_frame("bad", text))


def test_every_report_format_of_the_contract_has_its_frame_and_back():
    """单位概况 「报告格式」 accepts exactly the settings the frame files declare."""
    from selfeval.contract.sheets import REPORT_FRAMES

    settings = {frames.load_frame(k).setting for k in frames.available_frames()}
    assert settings == set(REPORT_FRAMES)
    assert frames.frame_for("").key == frames.DEFAULT_FRAME
    assert frames.frame_for("岳阳市附件2-1").key == "yueyang_form_2_1"
    with pytest.raises(FrameError, match="没有对应的报告框架"):
        frames.frame_for("某省附件3")


THIRD_FRAME = """
name = "某省部门整体支出绩效自评报告"
setting = "某省附件3"
title = "{unit}{year}年度部门整体支出绩效自评报告"

[[sections]]
key = "basics"
title = "部门基本情况"
blocks = ["unit_overview"]

[[sections]]
key = "problems"
title = "存在的问题及原因分析"
blocks = ["problems"]
"""


def test_a_third_frame_file_is_a_new_report_format_with_no_code_change(tmp_path):
    """A copy of the shipped frames plus one new file, in a fresh interpreter: the contract
    accepts its 「报告格式」 and the unit's report takes its sections, in its order."""
    import shutil
    import subprocess
    import sys

    from selfeval import config

    folder = tmp_path / "frames"
    shutil.copytree(config.FRAMES_DIR, folder)
    (folder / "province_form_3.toml").write_text(THIRD_FRAME, encoding="utf-8")
    raw = tmp_path / "2025"
    raw.mkdir()
    (raw / "单位概况.csv").write_text(
        "项目,内容\n单位名称,某县图书馆\n报告格式,某省附件3\n", encoding="utf-8"
    )
    script = f"""
from pathlib import Path
from selfeval import results
from selfeval.clean import clean_year
from selfeval.contract.sheets import REPORT_FRAMES
from selfeval.present import build
cleaned = clean_year(Path({str(raw)!r}), 2025)
computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, 2025)
document = build.build_document(results.from_json(results.to_json(computed)))
print(REPORT_FRAMES)
print(document.title)
for s in document.sections:
    print(s.title)
"""
    env = {**__import__("os").environ, "SELFEVAL_FRAMES_DIR": str(folder)}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        "('九段式', '某省附件3', '岳阳市附件2-1')",  # default first, then by file name
        "某县图书馆2025年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        "二、存在的问题及原因分析",
    ]
