"""Suspected typos in the unit's text (issue #30): the declarative rules of figures/typos.toml
find fixed confusions (公信部 → 工信部) and patterns (有力的推动 → 有力地推动) and leave correct
text alone (有力的支持: 的 before a noun); each hit names the input cell and the activity's 编号.
The 审核底稿 lists them; the 报送稿 keeps the unit's words. Expected texts written by hand."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from test_report_states import UNIT, write_csvs

from selfeval import results
from selfeval.clean import clean_year
from selfeval.figures.typos import Typo, default_rules, find_in_text, parse_rules, table_typos
from selfeval.present import build, html

DIGITAL = ["服务", "指标", "数值", "单位", "说明", "内部备注"]
ACTS = ["编号", "类别", "名称", "开始日期", "地点", "成效"]


def test_a_fixed_confusion_is_found_with_its_correction_and_context():
    text = "建立了微信图书馆，在国家公信部已备案，每月定期推送好书、新书"
    assert find_in_text(text) == [
        (
            "公信部",
            "工信部",
            "…信图书馆，在国家公信部已备案，每月定期…",
            "工业和信息化部简称“工信部”",
        )
    ]


def test_an_adverbial_de_before_a_verb_is_found():
    assert find_in_text("有力的推动全民阅读") == [
        ("有力的推动", "有力地推动", "有力的推动全民阅读", "状语修饰动词用“地”")
    ]


def test_de_before_a_noun_and_the_right_words_are_no_typos():
    assert find_in_text("得到上级有力的支持，在工信部备案，有力地推动全民阅读") == []


def test_rules_are_data_and_hits_come_in_the_order_of_the_text():
    rules = parse_rules({"fixed": [{"wrong": "甲", "right": "乙"}], "pattern": []})
    assert [h[:2] for h in find_in_text("丙甲丁甲", rules)] == [("甲", "乙"), ("甲", "乙")]
    assert len(default_rules()) >= 2  # the package's file reads


def _year(tmp_path: Path, year: int = 2025):
    sheets = {
        "单位概况": UNIT,
        "数字服务": [
            DIGITAL,
            ["官网", "", "", "", "发布资讯", "公信部（内部记录，不查）"],
            ["微信图书馆", "", "", "", "在国家公信部已备案", ""],
        ],
        "活动": [
            ACTS,
            ["A1", "送书", "为村捐书", f"{year}-03-01", "滨湖村", "有力的推动全民阅读。"],
            ["A2", "送书", "为校捐书", f"{year}-04-01", "小学", "得到学校有力的支持。"],
        ],
    }
    return clean_year(write_csvs(tmp_path / str(year), sheets), year)


def test_each_hit_names_its_cell_and_the_activitys_number_and_not_the_internal_note(tmp_path):
    cleaned = _year(tmp_path)
    assert table_typos(cleaned.tables) == [
        Typo(
            "活动.csv 第2行「成效」",
            "有力的推动",
            "有力地推动",
            "有力的推动全民阅读。",
            "状语修饰动词用“地”",
            "A1",
        ),
        Typo(
            "数字服务.csv 第3行「说明」",
            "公信部",
            "工信部",
            "在国家公信部已备案",
            "工业和信息化部简称“工信部”",
        ),
    ]


def test_the_review_lists_the_flags_and_the_submitted_report_keeps_the_units_words(tmp_path):
    cleaned = _year(tmp_path)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, 2025)
    document = build.build_document(results.from_json(results.to_json(computed)))
    review = BeautifulSoup(html.render_body(document), "html.parser")
    flags = [p.get_text() for p in review.select("p.review") if "疑似笔误" in p.get_text()]
    assert flags == [
        "疑似笔误：活动.csv 第2行「成效」（编号A1）「有力的推动全民阅读。」中的「有力的推动」，"
        "疑为「有力地推动」（状语修饰动词用“地”）。",
        "疑似笔误：数字服务.csv 第3行「说明」「在国家公信部已备案」中的「公信部」，"
        "疑为「工信部」（工业和信息化部简称“工信部”）。",
    ]
    submitted = BeautifulSoup(html.render_body(document.submitted()), "html.parser").get_text()
    assert "疑似笔误" not in submitted and "工信部" not in submitted
    assert "公信部" in submitted and "有力的推动全民阅读" in submitted
