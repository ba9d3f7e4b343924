"""Contract v2 through the whole pipeline (`python -m selfeval build`, papermill, the three
notebooks): a unit that states only its name, a unit that states what real units' reports
state (收入, 年初/全年 budgets in 元, economic classes, a project by use, undated activities, its
own subsections, targets for the unit and a project), and yesterday's files — the round-one
2024 folder exactly as it was committed (tests/fixtures/round1_2024) — all build.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]

HERE = Path(__file__).resolve().parent
ROUND1 = HERE.parent / "fixtures" / "round1_2024"
MINIMAL_YEAR, FULL_YEAR = 2025, 2026


def _write(folder: Path, sheets: dict[str, list[list[object]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)


def _full_unit() -> dict[str, list[list[object]]]:
    spend = ["预算类型", "支出类别", "支出项目", "年初预算数（元）", "全年预算数（元）"]
    spend += ["执行数（元）", "所属项目"]
    return {
        "单位概况": [
            ["项目", "内容"],
            ["单位名称", "测试县文化馆"],
            ["主管部门", "测试县文化旅游广电局"],
            ["实有人数", "9"],
            ["金额单位", "元"],
            ["报告格式", "岳阳市附件2-1"],
        ],
        "收入": [
            ["项目", "本年数（元）", "上年数（元）"],
            ["收入合计", "1,000,000.00", "1,146,400.00"],
            ["财政拨款收入", "900,000.00", "1,000,000.00"],
            ["其他收入", "100,000.00", "146,400.00"],
        ],
        "支出": [
            spend,
            ["一般公共预算", "基本支出", "工资福利支出", "500,000", "520,000", "510,000", ""],
            ["一般公共预算", "基本支出", "商品和服务支出", "80,000", "100,000", "90,000", ""],
            ["一般公共预算", "项目支出", "送戏下乡", "200,000", "250,000", "240,000", ""],
            ["一般公共预算", "项目支出", "办公费", "", "", "100,000", "送戏下乡"],
            ["一般公共预算", "项目支出", "维修(护)费", "", "", "140,000", "送戏下乡"],
        ],
        "活动": [["类别", "名称", "期间", "场次"], ["培训", "全年公益培训", "全年", 20]],
        "绩效目标": [
            ["项目", "一级指标", "二级指标", "三级指标", "目标值", "实际值", "单位", "分值"],
            ["", "产出指标", "数量指标", "服务人次", "≥10万", "12万", "人次", 90],
            ["送戏下乡", "产出指标", "数量指标", "演出场次", "≥20", "20", "场", 90],
        ],
        "文字说明": [["章节", "内容"], ["群文活动", "组织广场舞大赛。"]],
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("contract")
    raw = root / "data" / "raw"
    shutil.copytree(ROUND1, raw / "2024")
    _write(raw / str(MINIMAL_YEAR), {"单位概况": [["项目", "内容"], ["单位名称", "只有名称的馆"]]})
    _write(raw / str(FULL_YEAR), _full_unit())
    env = {**os.environ, "SELFEVAL_ROOT": str(root), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-m", "selfeval", "build", "--jobs", "2"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    return root


def _soup(root: Path, year: int) -> BeautifulSoup:
    text = (root / "outputs" / str(year) / "report.html").read_text(encoding="utf-8")
    return BeautifulSoup(text, "html.parser")


def test_yesterdays_files_still_build_and_state_the_published_facts(root):
    soup = _soup(root, 2024)
    text = soup.get_text()
    for fact in ("基本支出69.78万元", "项目支出39.39万元", "群众满意度为98.92%"):
        assert fact in text, fact
    # round one had no rows for 国有资本/社会保险: not given now (said in the 底稿), never 「无」
    s4 = soup.find(id="s4").p
    assert s4.get_text() == "2024年国有资本经营预算支出情况未填报。" and "review" in s4["class"]


def test_a_unit_that_states_only_its_name_builds_a_truthful_report(root):
    soup = _soup(root, MINIMAL_YEAR)
    # each part says what it lacks, in the 审核底稿 only: the 报送稿 states nothing invented
    said = {
        "s2": f"{MINIMAL_YEAR}年一般公共预算支出情况未填报。",
        "s3": f"{MINIMAL_YEAR}年政府性基金预算支出情况未填报。",
        "s4": f"{MINIMAL_YEAR}年国有资本经营预算支出情况未填报。",
        "s5": f"{MINIMAL_YEAR}年社会保险基金预算支出情况未填报。",
        **{anchor: "本部分未填报。" for anchor in ("s6", "s7", "s8", "s9")},
    }
    for anchor, text in said.items():
        first = soup.find(id=anchor).p
        assert (first.get_text(), first["class"]) == (text, ["note", "review"]), anchor
    assert "0万元" not in soup.get_text() and "0.00万元" not in soup.get_text()
    funds = soup.select_one("table.scoring tr.funds")
    assert [c.get_text() for c in funds("td")][-2:] == ["预算数缺失", "不计分"]


def test_a_unit_stating_what_real_reports_state_builds_in_its_frame_and_unit(root):
    soup = _soup(root, FULL_YEAR)
    titles = [h.get_text() for h in soup.find_all("h2")]
    assert titles[:3] == [
        "一、部门（单位）基本概况",
        "二、部门（单位）整体收支情况",
        "三、部门（单位）整体支出绩效情况",
    ]
    text = soup.get_text()
    # 510,000 + 90,000 + 240,000 = 840,000 元 of 870,000 元 全年预算数 (96.55%)
    assert f"{FULL_YEAR}年一般公共预算支出840,000.00元" in text
    assert "全年预算数870,000.00元" in text and "预算执行率96.55%" in text
    assert "其中办公费100,000.00元、维修(护)费140,000.00元" in text
    # the unit's own subsection of 三 after the fixed one its data gives, then the comparison
    # the 收入 sheet's 上年数 makes possible
    assert [h.get_text() for h in soup.find(id="s3").find_all("h3")] == [
        "（一）开展文化活动情况",
        "（二）群文活动",
        "（三）主要指标与上年对比",
    ]
    projects = soup.find(id="projects")
    assert projects is not None and "送戏下乡" in projects.get_text()
    word = docx.Document(str(root / "outputs" / str(FULL_YEAR) / "report.docx"))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、部门（单位）基本概况", "二、部门（单位）整体收支情况"]
    assert headings[-2:] == ["部门（单位）整体支出绩效自评表", "项目支出绩效自评表"]
    marks = [p.text for p in word.paragraphs if p.style.name == "Attachment Mark"]
    assert marks == ["附件1", "附件2"]
