"""The report's sentences in the three states of a figure — stated, stated as zero/none, not given —
and the unit's own unit, at the report level: hand-made CSVs cleaned, computed, stored as JSON,
read back, built into the document and written as HTML, then parsed.

Every expected text is written by hand from the cells the test writes.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import docx
from bs4 import BeautifulSoup
from docx.oxml.ns import qn

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import build, charts, html
from selfeval.present.docx import build_docx

YEAR = 2025
UNIT = [["项目", "内容"], ["单位名称", "测试县文化馆"]]
SPEND = ["预算类型", "支出类别", "支出项目", "预算数（万元）", "执行数（万元）", "说明"]


def write_csvs(folder: Path, sheets: dict[str, list[list[object]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


def report(tmp_path: Path, sheets: dict, frame: str | None = None):
    """(document, soup) of one year built from `sheets` as 03 builds it."""
    cleaned = clean_year(write_csvs(tmp_path / str(YEAR), sheets), YEAR)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR)
    document = build.build_document(results.from_json(results.to_json(computed)), frame)
    return document, BeautifulSoup(html.render_body(document), "html.parser")


def section(soup: BeautifulSoup, anchor: str) -> str:
    return soup.find(id=anchor).get_text("\n", strip=True)


def texts(soup: BeautifulSoup, anchor: str) -> list[str]:
    """The 报送稿's paragraphs of a section (the 底稿's notes, 附件说明 and 落款 left out)."""
    return [
        p.get_text(strip=True)
        for p in soup.find(id=anchor).find_all("p")
        if not {"review", "signature", "signature-space", "attachments"} & set(p.get("class", []))
    ]


def review_notes(soup: BeautifulSoup, anchor: str) -> list[str]:
    """The 审核底稿's notes of a section."""
    return [p.get_text(strip=True) for p in soup.find(id=anchor).select("p.review")]


def spending(*rows: list) -> dict:
    return {"单位概况": UNIT, "支出": [SPEND, *rows]}


# --------------------------------------------------------------------------- 二 一般公共预算


def test_general_total_stated_zero_and_not_given(tmp_path):
    _, stated = report(tmp_path / "a", spending(["一般公共预算", "", "合计", "", 120.5, ""]))
    s2 = texts(stated, "s2")
    assert s2[0] == "2025年一般公共预算支出120.5万元。"  # one decimal stated, one shown
    # total only: the split is said to be not given, never 「无基本支出」
    assert "支出数据只列一般公共预算合计数，基本支出和项目支出的构成未填报。" in review_notes(
        stated, "s2"
    )
    assert "无" not in section(stated, "s2").replace("未填报", "")
    _, zero = report(tmp_path / "b", spending(["一般公共预算", "", "合计", "", 0, ""]))
    assert texts(zero, "s2") == ["本单位2025年无一般公共预算支出。"]
    _, absent = report(tmp_path / "c", {"单位概况": UNIT})
    # What the data lacks the 报送稿 leaves out; the 审核底稿 says it is not given (never 「无」)
    assert texts(absent, "s2") == []
    assert review_notes(absent, "s2") == ["2025年一般公共预算支出情况未填报。"]
    for anchor, kind in (
        ("s3", "政府性基金预算"),
        ("s4", "国有资本经营预算"),
        ("s5", "社会保险基金预算"),
    ):
        assert texts(absent, anchor) == []
        assert review_notes(absent, anchor) == [f"2025年{kind}支出情况未填报。"]


def test_basic_and_project_in_three_states(tmp_path):
    _, only_project = report(
        tmp_path / "a", spending(["一般公共预算", "项目支出", "图书购置", 20, 18.2, ""])
    )
    s2 = texts(only_project, "s2")
    assert "基本支出未填报。" in review_notes(only_project, "s2")
    assert "本单位2025年无基本支出。" not in s2 and not any("未填报" in x for x in s2)
    # 18.2 / 20 = 91.00%; one project named with its budget clause
    assert "2025年项目支出18.2万元（预算数20万元，执行率91.00%），共1个项目：" in s2[-1]
    _, zero_basic = report(
        tmp_path / "b",
        spending(
            ["一般公共预算", "基本支出", "合计", "", 0, ""],
            ["一般公共预算", "项目支出", "图书购置", "", 18.2, ""],
        ),
    )
    assert "本单位2025年无基本支出。" in texts(zero_basic, "s2")
    _, blank_actual = report(
        tmp_path / "c",
        spending(
            ["一般公共预算", "基本支出", "人员支出", "", 60, ""],
            ["一般公共预算", "基本支出", "公用支出", 5, "", ""],
        ),
    )
    basic = next(t for t in texts(blank_actual, "s2") if t.startswith("2025年财政拨款基本支出"))
    # 60 known; 公用支出 not given: left out of the 报送稿's sentence, said in the 底稿, not
    # summed as 0
    assert (
        basic == "2025年财政拨款基本支出60万元，其中：人员支出60万元，占一般公共预算支出的100.00%。"
    )
    assert "基本支出（其中公用支出执行数未填报，未计入）。" in review_notes(blank_actual, "s2")
    table = blank_actual.select_one("table.spending")
    cells = [[c.get_text(strip=True) for c in tr.find_all(["td", "th"])] for tr in table("tr")]
    assert ["基本支出", "公用支出", "5", "未填报", "—", "—", ""] in cells


def test_other_budget_types_stated_and_zero(tmp_path):
    _, soup = report(
        tmp_path,
        spending(
            ["一般公共预算", "", "合计", "", 10, ""],
            ["政府性基金预算", "", "合计", 4, 3.5, ""],
            ["国有资本经营预算", "", "合计", "", 0, ""],
        ),
    )
    # 3.5 / 4 = 87.50%
    assert texts(soup, "s3") == ["2025年政府性基金预算支出3.5万元，预算数4万元，执行率87.50%。"]
    assert texts(soup, "s4") == ["本单位2025年无国有资本经营预算支出。"]
    assert texts(soup, "s5") == [] and review_notes(soup, "s5") == [
        "2025年社会保险基金预算支出情况未填报。"
    ]


def test_sangong_stated_zero_and_not_given(tmp_path):
    sheets = spending(["一般公共预算", "基本支出", "人员支出", "", 60, ""])
    sheets["三公经费"] = [
        ["项目", "预算数（万元）", "执行数（万元）"],
        ["公务接待费", 0.5, 0.34],
        ["公务用车运行费", "", 0],
        ["因公出国（境）费", 0.2, ""],
    ]
    _, soup = report(tmp_path, sheets)
    line = next(t for t in texts(soup, "s2") if t.startswith("“三公”经费"))
    # 0.34 + 0 (the stated 0 is exact, so the sum keeps two decimals); 出国's 执行数 not given:
    # the 底稿 says so; no budget total (用车 gives none); the 0 part is not listed
    assert line == "“三公”经费支出0.34万元，其中：公务接待费0.34万元。"
    assert "“三公”经费（其中因公出国（境）费执行数未填报，未计入）。" in review_notes(soup, "s2")
    # the 底稿 names each row (三公经费.csv, header = row 1)
    assert next(n for n in review_notes(soup, "s2") if n.startswith("“三公”")) == (
        "“三公”经费数据来源：公务接待费 0.34：三公经费.csv 第2行「执行数」；"
        "公务用车运行费 0.00：三公经费.csv 第3行「执行数」；"
        "因公出国（境）费 未填报：三公经费.csv 第4行「执行数」。"
    )


def test_sangong_all_zero_is_written_as_the_source_wrote_it(tmp_path):
    sheets = spending(["一般公共预算", "基本支出", "人员支出", "", 60, ""])
    sheets["三公经费"] = [
        ["项目", "预算数（万元）", "执行数（万元）"],
        ["公务接待费", "", 0],
        ["公务用车运行费", "", 0],
    ]
    _, soup = report(tmp_path, sheets)
    line = next(t for t in texts(soup, "s2") if t.startswith("“三公”经费"))
    # 0 + 0 = 0, both written without decimals: the sum is 0万元 (the published wording)
    assert line == "“三公”经费支出0万元（公务接待费0万元，公务用车运行费0万元）。"


def test_yuan_report_states_the_yuan_figure(tmp_path):
    header = ["预算类型", "支出类别", "支出项目", "执行数（元）"]
    sheets = {
        "单位概况": [*UNIT, ["金额单位", "元"]],
        "支出": [header, ["一般公共预算", "基本支出", "工资福利支出", "989,312.11"]],
    }
    _, soup = report(tmp_path, sheets)
    s2 = section(soup, "s2")
    assert "2025年一般公共预算支出989,312.11元" in s2
    assert "98.93万元" not in s2 and "万元" not in s2
    caption = soup.select_one("table.spending caption").get_text()
    assert caption.endswith("一般公共预算支出明细（单位：元）")


def test_a_low_execution_rate_is_worded_in_the_units_yuan(tmp_path):
    header = ["预算类型", "支出类别", "支出项目", "预算数（元）", "执行数（元）"]
    sheets = {
        "单位概况": [*UNIT, ["金额单位", "元"]],
        "支出": [header, ["一般公共预算", "基本支出", "工资福利支出", "500,000.00", "400,000.00"]],
    }
    _, soup = report(tmp_path, sheets)
    problems = texts(soup, "s7")
    # 400,000 / 500,000 = 80.00%, under the 90% that asks for a cause; amounts in the unit's 元
    # one item, not numbered; the cause not given is the 底稿's note, not the 报送稿's text
    assert problems[0] == (
        "预算执行率为80.00%（全年预算数500,000.00元，全年执行数400,000.00元），低于90%。"
    )
    assert any(n.startswith("偏差原因未填报：") for n in review_notes(soup, "s7"))
    assert "万元" not in section(soup, "s7")


# --------------------------------------------------------------------------- 六 activities


ACTS = ["编号", "类别", "名称", "开始日期", "期间", "线下参与人次", "线上参与人次"]


def test_activity_totals_stated_partial_and_not_given(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "活动": [
            ACTS,
            ["A1", "培训", "甲", f"{YEAR}-03-01", "", "5000余", ""],
            ["A2", "培训", "乙", f"{YEAR}-04-01", "", "1000余", ""],
            ["A3", "展览", "丙", "", "全年", "", ""],
        ],
    }
    _, soup = report(tmp_path, sheets)
    totals = soup.select_one("p.totals").get_text()
    # 5000余 + 1000余 = 6000余; 丙 states no count, which the 底稿 says; no one states 线上
    assert totals == "全年举办各类活动3场次，参与6000余人次。"
    basis = soup.select_one("p.totals").find_next_sibling("p")
    assert basis.get_text() == "线下参与人次的合计不含未填报该数的1项活动。"
    assert "review" in basis["class"]
    events = [p.get_text() for p in soup.select("p.event")]
    assert events[-1].startswith("全年开展“丙”")  # an undated activity keeps its 期间
    assert any("另有1项活动未填具体日期" in t for t in review_notes(soup, "s6"))
    # one category states a participant figure: no chart, the sentences say it (charts.MIN_VALUES)
    assert soup.find(id="fig-activities_by_category") is None


def test_a_chart_with_no_value_known_is_a_sentence_of_the_review_layer(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "活动": [
            ACTS,
            ["A1", "培训", "甲", f"{YEAR}-03-01", "", "", ""],
            ["A2", "展览", "乙", f"{YEAR}-04-01", "", "", ""],
        ],
    }
    document, soup = report(tmp_path, sheets)
    sentence = "各类活动参与人次均未填报，未绘制图表。"
    # no participant figure anywhere: no chart of them, the 底稿 says why (the 报送稿 has no
    # 未填报); two months with activities are two values, fewer than a chart needs
    assert soup.find(id="fig-activities_by_category") is None
    assert sentence in review_notes(soup, "s6")
    assert soup("img") == []
    submitted = docx.Document(io.BytesIO(build_docx(document.submitted())))
    assert sentence not in "".join(p.text for p in submitted.paragraphs)
    assert len(submitted.inline_shapes) == 0
    review = docx.Document(io.BytesIO(build_docx(document)))
    assert "【审核】" + sentence in [p.text for p in review.paragraphs]


def test_a_value_not_given_draws_no_bar():
    import pandas as pd

    data = pd.DataFrame(
        {
            "category": ["培训", "展览"],
            "listings": [2, 1],
            "sessions": [2, 1],
            "offline": [6000, math.nan],
            "online": [math.nan, math.nan],
        }
    )
    fig = charts.activities_by_category(data, "各类活动参与人次与场次")
    left = fig.axes[0]
    assert [t.get_text() for t in left.get_yticklabels()] == ["培训", "展览"]  # both rows shown
    assert [[b.get_width() for b in c] for c in left.containers] == [[6000]]  # 展览: no bar
    # no 「0」 label: 展览 is marked 「未填报」 where its bar would be
    marks = {t.get_text(): t.xy for t in left.texts}
    assert sorted(marks) == ["6000", "未填报"] and marks["未填报"] == (0, 1.0)  # 展览's row


# --------------------------------------------------------------------------- 一 七 八 九


def test_overview_states_what_is_given_and_mentions_nothing_else(tmp_path):
    _, soup = report(tmp_path, {"单位概况": [*UNIT, ["实有人数", "9"]]})
    assert texts(soup, "s1") == ["测试县文化馆。实有人数9名。"]
    full = [
        *UNIT,
        ["单位性质", "公益一类事业单位"],
        ["主管部门", "测试县文旅局"],
        ["编制人数", "12"],
    ]
    _, soup = report(tmp_path / "full", {"单位概况": full})
    assert texts(soup, "s1") == [
        "测试县文化馆为公益一类事业单位，主管部门为测试县文旅局。编制人数12名。"
    ]


def test_closing_sections_without_prose_are_not_given(tmp_path):
    _, soup = report(tmp_path, {"单位概况": UNIT})
    for anchor in ("s6", "s7", "s8", "s9"):  # the 报送稿 says nothing; the 底稿 says why
        assert texts(soup, anchor) == []
        assert review_notes(soup, anchor) == ["本部分未填报。"]
    stated = {"单位概况": UNIT, "文字说明": [["章节", "内容"], ["改进措施", "无。"]]}
    _, soup = report(tmp_path / "b", stated)
    assert texts(soup, "s8") == ["无。"]  # 「无」 only where the unit wrote it


def test_income_stated_and_not_given(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "收入": [
            ["项目", "本年数（万元）", "上年数（万元）"],
            ["收入合计", 100, 80],
            ["财政拨款收入", 90, ""],
            ["其他收入", "", ""],
        ],
    }
    _, soup = report(tmp_path, sheets)
    line = soup.select_one("p.income").get_text()
    # (100 − 80) / 80 = 25%; 90 / 100 = 90%; 其他收入 blank: 未填报
    # the 报送稿 leaves out what the data lacks and where the 上年数 comes from: the 底稿 says it
    assert line == (
        "2025年收入合计100万元，较2024年增加20万元（增长25.00%），"
        "其中：财政拨款收入90万元，占90.00%。"
    )
    sources = soup.select_one("p.income").find_next_sibling("p")
    assert "review" in sources["class"]
    assert sources.get_text() == (
        "数据来源：收入合计 100：收入.csv 第2行「本年数」；"
        "财政拨款收入 90：收入.csv 第3行「本年数」。"
    )
    assert sources.find_next_sibling("p").get_text() == (
        "上年数取自本年收入表所填上年数（2024年数据未生成）；其他收入未填报。"
    )
    _, none = report(tmp_path / "b", {"单位概况": UNIT})
    assert none.select_one("p.income") is None  # no 收入 sheet: the nine sections say nothing


def test_an_income_total_the_unit_did_not_state_is_said_to_be_a_sum_in_the_review_only(tmp_path):
    """Every source of 收入合计 listed (事业收入 and 经营收入 stated as 0): the lines are all the
    parts, so their sum is the total."""
    sheets = {
        "单位概况": UNIT,
        "收入": [
            ["项目", "本年数（万元）"],
            ["财政拨款收入", 90],
            ["事业收入", 0],
            ["经营收入", 0],
            ["其他收入", 10],
        ],
    }
    _, soup = report(tmp_path, sheets)
    line = soup.select_one("p.income").get_text()
    assert "各项收入之和" not in line
    assert line.startswith("2025年收入合计100万元，其中：财政拨款收入90万元，占90.00%；")
    sources = soup.select_one("p.income").find_next_sibling("p").get_text()
    # 90 + 0 + 0 + 10 = 100: the sum, said as such to the reviewer
    assert sources.startswith("数据来源：收入合计 100 为各项收入之和（单位未填报合计数）；")


def test_no_income_total_or_share_from_some_of_the_sources(tmp_path):
    """A single 业务收入 line (77.57) is one source among others the unit did not list: no
    收入合计 of 77.57 and no 「占100.00%」; the unit's own line is stated as given."""
    sheets = {"单位概况": UNIT, "收入": [["项目", "本年数（万元）"], ["业务收入", 77.57]]}
    _, soup = report(tmp_path, sheets)
    line = soup.select_one("p.income").get_text()
    assert line == "2025年业务收入77.57万元。"  # no 「收入合计未填报」 in the 报送稿's sentence
    assert "2025年收入合计未填报。" in review_notes(soup, "s1")
    assert "各项收入之和" not in soup.get_text()
    table = soup.select_one("table.income")
    assert [c.get_text(strip=True) for c in table.select("tbody tr")[0].find_all(["th", "td"])][
        :2
    ] == ["业务收入", "77.57"]
    assert "77.57" not in [c.get_text(strip=True) for c in table.select("tr.total td")]


# --------------------------------------------------------------------------- 自评表


def test_funds_block_says_which_rows_lack_a_budget(tmp_path):
    sheets = spending(
        ["一般公共预算", "基本支出", "人员支出", 50, 50.6, ""],
        ["一般公共预算", "项目支出", "图书购置", "", 65.12, ""],
    )
    _, soup = report(tmp_path, sheets)
    row = soup.select_one("table.scoring tr.funds")
    cells = [c.get_text(strip=True) for c in row.find_all(["th", "td"])]
    # 50.6 + 65.12 = 115.72 stated in the body too; no rate, no score, the row named
    assert cells == ["年度资金总额", "未填报", "未填报", "115.72", "10", "预算数不全", "不计分"]
    note = soup.select_one("table.scoring").find_next("p", class_="note").get_text()
    assert note.startswith("预算数不全：一般公共预算·项目支出·图书购置未填报预算数")
    assert "2025年一般公共预算支出115.72万元" in section(soup, "s2")


def test_without_targets_the_table_has_its_funds_block_and_says_so(tmp_path):
    _, soup = report(tmp_path, spending(["一般公共预算", "项目支出", "图书购置", 20, 18.2, ""]))
    part = soup.find(id="scoring")
    assert part.select_one("table.scoring tr.funds") is not None
    # no indicator block and no 总分 row: nothing to list, nothing scored
    assert part.select_one("table.scoring tr.indicators-head, table.scoring tr.total") is None
    assert "未填报绩效目标，未计算总分。" in [p.get_text() for p in part.find_all("p")]
    cells = [c.get_text(strip=True) for c in part.select_one("table.scoring tr.funds")("td")]
    assert cells[-3:] == ["10", "91.00%", "9.10"]  # 18.2 / 20 × 10


# --------------------------------------------------------------------------- frames


def test_targets_listed_without_levels_are_listed_not_scored(tmp_path):
    sheets = spending(["一般公共预算", "基本支出", "人员支出", 50, 50, ""])
    sheets["绩效目标"] = [
        ["三级指标", "目标值", "实际值", "单位", "分值"],
        ["开放天数", "≥360", "362", "天", 50],
        ["服务人次", "≥10万", "12万", "人次", 40],
    ]
    _, soup = report(tmp_path, sheets)
    table = soup.select_one("table.scoring")
    rows = [
        [c.get_text(strip=True) for c in r.find_all(["th", "td"])]
        for r in table.select("tr.indicator, tr.total")
    ]
    # both listed with their targets and results; 50 + 40 + 10 (执行率) add up, yet no 总分
    # 三级指标 … 得分 of each row (the blank levels are one merged cell): listed, no 得分
    assert [r[-6:-1] for r in rows[:2]] == [
        ["开放天数", "≥360天", "362天", "50", "不计分"],
        ["服务人次", "≥10万人次", "12万人次", "40", "不计分"],
    ]
    assert rows[-1][0] == "总分" and rows[-1][-1] == "自评等级：未评定"
    unscored = soup.select_one("p.unscored").get_text()
    assert unscored == "开放天数、服务人次未填写一级指标，只列示，未计算总分。"


def test_yueyang_frame_in_html_and_word(tmp_path):
    sheets = {
        "单位概况": [
            *UNIT,
            ["报告格式", "岳阳市附件2-1"],
            ["预算编码", "904231"],
            ["联系人", "张三"],
            ["编制人数", "12"],
        ],
        "支出": [SPEND, ["一般公共预算", "项目支出", "送戏下乡", 20, 18.2, ""]],
        "文字说明": [["章节", "内容"], ["总体目标", "全年送戏下乡20场。"]],
    }
    document, soup = report(tmp_path, sheets)
    expected = [
        "一、部门（单位）基本概况",
        "二、部门（单位）整体收支情况",
        "三、部门（单位）整体支出绩效情况",
        "四、存在的问题及原因分析",
        "五、下一步改进措施",
        "六、其他需要说明的情况",
        "附件　部门（单位）整体支出绩效自评表",
        "附录：数据核对",
    ]
    assert [s.entry for s in document.sections] == expected
    assert [f.line for f in document.cover] == [
        "部门（单位）名称：测试县文化馆",
        "预算编码：904231",
        "评价方式：部门（单位）绩效自评",
        "评价机构：未填报",
        "报告日期：未填报",
        "岳阳市财政局（制）",
    ]
    facts = soup.select_one("table.unit-facts")
    rows = {tr.th.get_text(): tr.td.get_text() for tr in facts.tbody("tr")}
    assert rows["联系人"] == "张三" and rows["人员编制"] == "12" and rows["联络电话"] == "未填报"
    assert rows["年度主要工作内容"] == "全年送戏下乡20场。"
    # no contents in the form; the attachment's heading is its title, 「附件」 marks its page
    headings = [e.split("　")[-1] if e.startswith("附件") else e for e in expected]
    assert [h.get_text() for h in soup.find_all("h2")] == headings
    path = tmp_path / "report.docx"
    path.write_bytes(build_docx(document))
    word = docx.Document(str(path))
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 1"] == headings
    assert [p.text for p in word.paragraphs if p.style.name == "Attachment Mark"] == ["附件"]
    assert "岳阳市财政局（制）" in [p.text for p in word.paragraphs]


def test_a_unit_name_longer_than_words_property_limit_builds_its_word_file(tmp_path):
    """Word's core properties hold 255 characters; the title in the document stays whole."""
    name = "某县" + "图书馆分馆" * 60  # 302 characters
    document, soup = report(tmp_path, {"单位概况": [["项目", "内容"], ["单位名称", name]]})
    path = tmp_path / "report.docx"
    path.write_bytes(build_docx(document))
    opened = docx.Document(str(path))
    title = opened.core_properties.title
    assert len(title) == 255 and title.endswith("…") and title.startswith("某县图书馆分馆")
    assert name in "".join(p.text for p in opened.paragraphs)
    assert name in soup.get_text()


# --------------------------------------------------------------------------- 报送稿 parts


#: A year with everything the 报送稿 states: budgets, scored targets, 填报日期, 结果应用 (also
#: built end to end by tests/e2e/test_submission.py).
COMPLETE_YEAR = Path(__file__).resolve().parents[2] / "fixtures" / "complete_2025"


def complete_year() -> dict:
    """The complete year's sheets as rows (a fresh copy each call, for a test to change)."""
    return {
        path.stem: list(csv.reader(path.open(encoding="utf-8", newline="")))
        for path in sorted(COMPLETE_YEAR.glob("*.csv"))
    }


def test_conclusion_application_and_signature_of_a_complete_year(tmp_path):
    document, soup = report(tmp_path, complete_year())
    # 开放天数 met: 50; 服务人次 8000 / 10000 × 30 = 24; 读者满意度 met: 10; 执行率 45 / 50 =
    # 90.00%, 0.9 × 10 = 9; 总分 50 + 24 + 10 + 9 = 93.00, 优 (≥ 90)
    assert soup.select_one("p.conclusion").get_text() == (
        "经自评，2025年度部门整体支出绩效自评得分93.00分，等级为“优”。"
        "全年预算数50万元，全年执行数45万元，预算执行率90.00%。"  # as typed (50, 45)
        "设定绩效指标3项，已完成2项；未完成的为：服务人次。"
    )
    # the 底稿 names each indicator's 绩效目标 row (header = row 1)
    assert (
        "绩效指标来源：开放天数：绩效目标.csv 第2行；服务人次：绩效目标.csv 第3行；"
        "读者满意度：绩效目标.csv 第4行。"
    ) in review_notes(soup, "scoring")
    titles = [s.title for s in document.sections]
    assert titles[8:10] == [
        "九、部门整体支出绩效自评结果拟应用和公开情况",
        "十、其他需要说明的情况",
    ]
    assert texts(soup, "s9") == ["自评结果作为下一年度预算安排的依据，并随部门决算公开。"]
    signature = [p.get_text() for p in soup.find(id="s10").select("p.signature")]
    assert signature == ["测试县文化馆", "2026年3月15日"]
    # GB/T 9704 附件说明 before the 落款: the attachments the report has (no project tables)
    attachments = [p.get_text() for p in soup.find(id="s10").select("p.attachments")]
    # one attachment: 「附件：名称」 with no number (GB/T 9704-2012 7.3.4), the same words as
    # the attachment's own page, which starts with 「附件」 at its top left, then the title
    assert attachments == ["附件：部门整体支出绩效自评表"]
    kinds = [" ".join(p.get("class", [])) for p in soup.find(id="s10").find_all("p")]
    assert kinds.index("attachments") < kinds.index("signature signature")
    scoring = soup.find(id="scoring")
    head = [(t.name, " ".join(t.get("class", [])), t.get_text()) for t in scoring.find_all(True)]
    assert head[:2] == [
        ("p", "attachment-mark", "附件"),
        ("h2", "attachment-title", "部门整体支出绩效自评表"),
    ]


def test_without_application_text_there_is_no_such_part(tmp_path):
    sheets = complete_year()
    sheets["文字说明"] = [["章节", "内容"], ["其他说明", "无。"]]
    document, _ = report(tmp_path, sheets)
    titles = [s.title for s in document.sections]
    assert "九、其他需要说明的情况" in titles
    assert not any("结果拟应用" in t for t in titles)


def test_the_submitted_word_file_has_no_working_notes_and_the_review_file_has(tmp_path):
    document, _ = report(tmp_path, complete_year())
    submitted = tmp_path / "report.docx"
    review = tmp_path / "review.docx"
    submitted.write_bytes(build_docx(document.submitted()))
    review.write_bytes(build_docx(document))
    sent = "\n".join(p.text for p in docx.Document(str(submitted)).paragraphs)
    kept = "\n".join(p.text for p in docx.Document(str(review)).paragraphs)
    for working in (
        "评分规则",
        "数据核对",
        "数据来源：人员支出",
        "需补充说明",
        "【审核】",
        "selfeval",
    ):
        assert working not in sent, working
    # everything the 报送稿 holds, its tables included: no tool language, nothing 未填报
    body = docx.Document(str(submitted)).element.body
    every = "".join(t.text or "" for t in body.iter(qn("w:t")))
    for word in ("selfeval", "自动生成", "未填报", "提示", "数据核对", "合计口径", "本条为汇总"):
        assert word not in every, word
    assert not re.search(r"\.csv|第\d+行|其中\d+项.*未填报", every)
    assert "【审核】评分规则：" in kept and "【审核】数据来源：人员支出 45：" in kept
    assert "附录：数据核对" in kept
    word = docx.Document(str(submitted))
    last = [p for p in word.paragraphs if p.text in ("测试县文化馆", "2026年3月15日")]
    assert [p.text for p in last][-2:] == ["测试县文化馆", "2026年3月15日"]
    assert all(p.alignment == 2 or p.style.paragraph_format.alignment == 2 for p in last[-2:])


# --------------------------------------------------------------------------- the gate


def test_a_complete_year_is_no_draft(tmp_path):
    document, soup = report(tmp_path, complete_year())
    assert document.draft == ()
    assert soup.select(".draft-mark, .draft-items") == []
    assert "@top-center" not in str(soup)
    path = tmp_path / "report.docx"
    path.write_bytes(build_docx(document.submitted()))
    word = docx.Document(str(path))
    assert all(p.text == "" for s in word.sections for p in s.header.paragraphs)


def test_a_year_lacking_required_items_is_a_draft_in_every_format(tmp_path):
    """No 预算数, no 绩效目标, no 结果应用, no 填报日期: each named once, in the frame's order,
    in plain Chinese; every 报送稿 page says 征求意见稿; the list is the 底稿's."""
    sheets = spending(["一般公共预算", "基本支出", "人员支出", "", 45, ""])
    document, soup = report(tmp_path, sheets)
    assert document.draft == (
        "支出表未填预算数，无法计算预算执行率",
        "未填报绩效目标，无法计算自评得分",
        "文字说明未填「结果应用」（自评结果拟应用和公开情况）",
        "单位概况未填填报日期，落款没有成文日期",
    )
    assert soup.select_one("p.draft-mark").get_text() == "征求意见稿（数据未齐）"
    assert 'content: "征求意见稿（数据未齐）"' in soup.find("style").get_text()  # @page header
    items = soup.select_one("div.review.draft-items")
    assert [li.get_text() for li in items.find_all("li")] == list(document.draft)
    sent, kept = tmp_path / "report.docx", tmp_path / "review.docx"
    sent.write_bytes(build_docx(document.submitted()))
    kept.write_bytes(build_docx(document))
    word = docx.Document(str(sent))
    for section in word.sections:
        for header in (section.header, section.even_page_header, section.first_page_header):
            assert [p.text for p in header.paragraphs] == ["征求意见稿（数据未齐）"]
    assert "报送稿尚缺" not in "".join(p.text for p in word.paragraphs)
    review = [p.text for p in docx.Document(str(kept)).paragraphs]
    assert "【审核】报送稿尚缺以下内容，补齐后方可报送：" in review
    assert "1. 支出表未填预算数，无法计算预算执行率" in review


def test_a_deviation_without_problems_or_measures_is_missing(tmp_path):
    sheets = complete_year()
    sheets["文字说明"] = [r for r in sheets["文字说明"] if r[0] not in ("存在问题", "改进措施")]
    document, _ = report(tmp_path, sheets)
    # 服务人次 8000 < 10000 is a deviation with no 偏差原因 and no 存在问题/改进措施 text
    assert document.draft == ("有指标未完成或预算执行率偏低，但未填写存在的问题及改进措施",)


def test_year_on_year_says_where_the_previous_figure_comes_from_in_the_review_layer_only(
    tmp_path,
):
    """No previous year was built: the 上年数 of the comparison is the one this year's 支出 sheet
    states (上年执行数 40 → 45, both whole: +5, +12.50%); that is a working note for the 底稿."""
    spend = [*SPEND[:4], "执行数（万元）", "上年执行数（万元）", "说明"]
    sheets = {
        "单位概况": UNIT,
        "支出": [spend, ["一般公共预算", "基本支出", "人员支出", 50, 45, 40, ""]],
    }
    document, soup = report(tmp_path, sheets)
    table = soup.find("table", class_="yoy")
    row = {tr.th.get_text(): [td.get_text() for td in tr("td")] for tr in table.tbody("tr")}
    assert row["一般公共预算支出（万元）"] == ["40", "45", "+5", "+12.50%"]
    notes = [p.get_text() for p in table.find_parent("div").select("p.review")]
    assert notes == [
        "数据来源：一般公共预算支出的上年数取自本年表中填报的上年数（2024年数据未生成）；本年数同正文。"
    ]
    submitted = BeautifulSoup(html.render_body(document.submitted()), "html.parser")
    assert "上年数取自" not in submitted.get_text()
    assert "上年数据未生成" not in submitted.get_text()
