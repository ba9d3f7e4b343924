"""02 分析's tables and sentences (present/analysis.py) on the real 2024 data, cleaned and computed
as 02 does: Chinese headers, amounts at the source's precision, shares with two decimals,
「未填报」 where the data has no figure, and nothing an analyst should not read (NaN, None, dict
keys, object addresses, long floats). Expected texts are written by hand from data/raw/2024.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import analysis, formats

REPO = Path(__file__).resolve().parents[3]
TABLES = (
    "overview",
    "funds",
    "spending_by_type",
    "spending_structure",
    "spending_items",
    "economic_classes",
    "sangong",
    "income",
    "yoy",
    "activities_totals",
    "activities_by_category",
    "services",
    "targets",
    "checks",
)
TEXTS = ("warnings", "funds_text", "income_text", "yoy_text", "score_text", "checks_text")
CJK = re.compile("[\u4e00-\u9fff]")


def _year(raw: Path):
    cleaned = clean_year(raw, 2024)
    return results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, 2024)


@pytest.fixture(scope="module")
def year_2024():
    return _year(REPO / "data" / "raw" / "2024")


def _rows(table: analysis.Table) -> list[tuple]:
    return [tuple(r) for r in table.frame.itertuples(index=False)]


def test_structure_in_the_units_amounts_with_shares(year_2024):
    # 支出.csv: 人员支出 63.44, 公用支出 6.33, 项目支出 39.39 (执行数), no 预算数;
    # 63.44 / 109.17 = 58.111 %, 6.33 / 109.17 = 5.798 %, 39.39 / 109.17 = 36.081 %.
    table = analysis.spending_structure(year_2024)
    assert list(table.frame.columns) == [
        "支出",
        "支出类别",
        "预算数（万元）",
        "执行数（万元）",
        "占一般公共预算支出",
    ]
    assert _rows(table) == [
        ("人员支出", "基本支出", "未填报", "63.44", "58.11%"),
        ("公用支出", "基本支出", "未填报", "6.33", "5.80%"),
        ("项目支出", "项目支出", "未填报", "39.39", "36.08%"),
    ]
    assert "<th" in table._repr_html_() and "58.11%" in table._repr_html_()


def test_funds_and_sentences_say_what_is_not_given(year_2024):
    assert _rows(analysis.funds(year_2024))[0] == (
        "年度资金总额",
        "未填报",
        "未填报",
        "109.17",
        "未填报",
    )
    assert analysis.funds_text(year_2024).text == (
        "全年执行数 109.17万元；预算数未填报，预算执行率无法计算，该项（10分）不计分。"
    )
    assert analysis.income_text(year_2024).text.endswith("收入情况未填报。")
    assert analysis.income(year_2024)._repr_html_() == "<p>收入情况未填报。</p>"
    assert "未填报绩效目标" in analysis.score_text(year_2024).text
    # 满意度.csv: 群众满意度 98.92, no sample
    assert ("满意度", "群众满意度", "98.92%") in _rows(analysis.services(year_2024))


def test_nothing_printed_is_raw(year_2024):
    shown = [analysis.overview(year_2024)]
    for name in TABLES:
        table = getattr(analysis, name)(year_2024)
        assert all(CJK.search(c) for c in table.frame.columns), (name, table.frame.columns)
        shown.append(table)
    texts = [repr(t) for t in shown]
    texts += [t._repr_html_() for t in shown]
    texts += [getattr(analysis, name)(year_2024).text for name in TEXTS]
    for text in texts:
        for raw in ("NaN", "nan", "None", "PosixPath", "{'", "': ", " at 0x", "<NA>"):
            assert raw not in text, (raw, text[:300])
        assert not re.search(r"\d\.\d{3,}", text), text[:300]  # an unformatted float
    charts = analysis.charts(year_2024)
    # the report's charts: 2024 states no budget (no budget chart) and one spending table
    # already gives the structure; its activities have a chart by category
    assert charts["支出"] == []
    drawn = [c for c in charts["活动"] if isinstance(c, analysis.Chart)]
    assert drawn and drawn[0]._repr_png_().startswith(b"\x89PNG")


def test_data_in_a_table_is_text_not_markup(tmp_path):
    raw = tmp_path / "2024"
    shutil.copytree(REPO / "data" / "raw" / "2024", raw)
    survey = raw / "满意度.csv"
    survey.write_text(
        survey.read_text(encoding="utf-8").replace("群众满意度", "<script>alert(1)</script>"),
        encoding="utf-8",
    )
    page = analysis.services(_year(raw))._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_signed_changes():
    assert formats.signed_pct(8.196721) == "+8.20%"
    assert formats.signed_pct(-42.94214) == "-42.94%"
    assert formats.signed_pct(0.0) == "0.00%"


def test_charts_are_not_drawn_when_the_batch_says_so(year_2024):
    """The batch's 02 draws nothing (03 draws the report's charts); in JupyterLab it does."""
    assert analysis.charts(year_2024, draw=False) == {"支出": [], "活动": [], "馆藏": []}
    drawn = analysis.charts(year_2024)
    assert set(drawn) == {"支出", "活动", "馆藏"} and any(drawn.values())


def test_what_the_batch_gives_one_notebook_is_a_parameter_of_that_notebook():
    """A renamed parameter would be injected as a new name and change nothing: fail here."""
    import ast

    import nbformat

    from selfeval import config
    from selfeval.run import notebooks

    names = dict(notebooks.STAGES)
    for stage, given in notebooks.STAGE_PARAMETERS.items():
        nb = nbformat.read(config.NOTEBOOKS_DIR / names[stage], as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        declared = {
            node.target.id: ast.literal_eval(node.value)
            for node in ast.parse(cell.source).body
            if isinstance(node, ast.AnnAssign)
        }
        for key, value in given.items():
            assert key in declared and type(declared[key]) is type(value), (stage, key)
