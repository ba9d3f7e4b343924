"""A unit's nine published 决算 tables instead of its 收入/支出/三公经费 sheets, through the whole
pipeline (`python -m selfeval build`): the report states 收入, 支出, 基本支出 by class and 三公 as
the tables do (figures copied by hand from `final_accounts_book`), and the 审核底稿 names each
figure's cell."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from support import run_build

from selfeval import synthetic
from tests.unit.read.final_accounts_book import write_book

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("final_accounts")
    raw = root / "data" / "raw"
    (folder,) = synthetic.write_synthetic_years(raw, [2024], activities_per_year=4)
    for name in ("收入", "支出", "三公经费"):  # the clerk types none of them
        (folder / f"{name}.csv").unlink(missing_ok=True)
    write_book(folder / "决算公开表.xlsx")
    proc = run_build(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root / "outputs" / "2024"


def _flat(text: str) -> str:
    return "".join(text.split())


def test_the_report_states_the_tables_figures(built):
    submitted = _flat("".join(p.text for p in docx.Document(built / "report.docx").paragraphs))
    for sentence in (
        "收入合计556.00万元，其中：财政拨款收入520.50万元",
        "事业收入30.20万元",
        "其他收入5.30万元",
        "一般公共预算支出524.30万元，年初预算数500.00万元",
        "基本支出380.30万元",
        "项目支出144.00万元",
        "人员经费320.30万元（工资福利支出300.00万元、对个人和家庭的补助20.30万元）",
        "公用经费60.00万元（商品和服务支出55.00万元、资本性支出5.00万元）",
        "“三公”经费预算12.00万元，实际支出10.50万元",
        "公务用车购置及运行费7.30万元，公务接待费3.20万元",
    ):
        assert sentence in submitted


def test_the_review_layer_names_each_figures_cell(built):
    page = BeautifulSoup((built / "report.html").read_text("utf-8"), "html.parser")
    text = _flat(page.get_text(" "))
    assert _flat("决算公开表.xlsx 工作表「公开06表」 第5行「决算数」（C5）") in text
    assert _flat("工作表「公开07表」 第7行「小计（栏次9）」（I7）") in text
    assert "决算表1本年支出合计" in text  # the cross-table checks in 数据核对
