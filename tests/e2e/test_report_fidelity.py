"""Fidelity: the 2024 report built from data/raw/2024 states the facts of the published report.

Expected values are copied by hand from the published report
(/work/shared/seed/000_4c74990befc9be68.txt), not produced by the code under test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[2]
RAW_2024 = REPO / "data" / "raw" / "2024"

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]


@pytest.fixture(scope="module")
def soup(build_2024) -> BeautifulSoup:
    """The 报送稿 as report.html shows it: the 审核底稿 layer and its switch left out."""
    out = build_2024("report-2024-a")
    page = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    for node in page.select(".review, .review-switch"):
        node.decompose()
    return page


@pytest.fixture(scope="module")
def review(build_2024) -> BeautifulSoup:
    """report.html whole: the 报送稿 and the 审核底稿 layer."""
    out = build_2024("report-2024-a")
    return BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")


def _flat(node) -> str:
    return re.sub(r"\s+", "", node.get_text())


@pytest.fixture(scope="module")
def text(soup) -> str:
    return _flat(soup)


def _section(soup, anchor: str) -> str:
    return _flat(soup.find(id=anchor))


# ------------------------------------------------------------------ 一、概况


def test_unit_overview(soup):
    s = _section(soup, "s1")
    for fact in (
        "云溪区图书馆为正股级事业机构",
        "区文旅广局",
        "核定全额拨款事业编制4名，其中馆长1名，副馆长1名",
        "负责保存、收集、整理、借阅图书资料，实施免费开放工作",
        "负责村级农家书屋的管理和建设",
        "图书藏量稳步提升，在文化活动举办、图书资源服务、数字平台推广及馆藏建设等方面均取得一定成效",
    ):
        assert fact in s, fact


# ------------------------------------------------------------------ 二–五、支出


def test_spending_amounts(soup):
    s = _section(soup, "s2")
    for fact in (
        "基本支出69.78万元",
        "人员支出63.44万元",
        "公用支出6.33万元",
        # the source's 0 at its own precision, as the published report writes it (0万元)
        "“三公”经费支出0万元",
        "公务接待费0万元",
        "公务用车运行费0万元",
        "项目支出39.39万元",
        "一般公共预算支出109.17万元",  # 69.78 + 39.39
    ):
        assert fact in s, fact


def test_other_budget_types(soup):
    # published 「…支出情况0万元。无。」 and 「无。」: stated as 合计 0 in the data (a stated
    # none, never for a type not given), written as a clerk states a none
    assert _section(soup, "s3").endswith("本单位2024年无政府性基金预算支出。")
    assert _section(soup, "s4").endswith("本单位2024年无国有资本经营预算支出。")
    assert _section(soup, "s5").endswith("本单位2024年无社会保险基金预算支出。")


# ------------------------------------------------------------------ 六、活动

# (date, 时段, place, name, facts) as the published report states them
EVENTS = [
    (
        "2月2日",
        "",
        "区文明实践中心",
        "龙腾盛世中国年文明云溪贺新春送春联活动",
        ["约300人次", "线上参与78人次"],
    ),
    ("2月17日", "上午", "云溪街道天子山", "开春祈福千米长卷地书活动", ["约330人次"]),
    (
        "2月18—20日",
        "",
        "岳化厂大门小游园",
        "龙腾书海春满文苑迎新春文化惠民服务",
        ["3600人次", "免费赠送图书780册", "发放宣传图册资料4000多份"],
    ),
    (
        "3月6日",
        "下午",
        "长炼绿色化工高新区",
        "到群众最需要的地方去文旅志愿者服务",
        ["约600人次", "400余份"],
    ),
    ("4月6日", "", "文化活动中心", "消防安全知识技能培训", ["60人次"]),
    ("5月9日", "下午", "陆城镇泾港村", "未成年人安全知识教育讲座活动", ["近百人次", "110份"]),
    # published 「百人参加」: a round figure, written 约100 as counts are written in numerals
    ("5月22日", "下午", "长岭街道八字门社区", "廉洁文化讲座", ["约100人次"]),
    ("6月27日", "上午", "局会议室", "卫生健康教育讲座", ["40人次"]),
    ("10月29日", "", "松杨湖街道茅岭头社区", "法伴你我共护成长主题教育讲座", ["200人次"]),
    ("10月31日", "", "凌泊湖社区", "法伴你我共护成长主题教育讲座", ["350人次"]),
    ("4月22日", "", "文化活动中心", "送图书", ["300册"]),
    ("4月23日", "", "云街小学", "捐书", ["500册", "300人次"]),
    ("4月26日", "", "松阳湖中学", "捐书", ["1000册", "300人次"]),
    ("6月11日", "", "建设村", "捐书", ["500册"]),
    ("11月13日", "", "滨湖村", "捐书", ["500册"]),
    (
        "4月22—23日",
        "",
        "区文化活动中心和云街小学",
        "文化服务宣传周活动",
        ["500多册", "近千份", "4场"],
    ),
    (
        "6月11日",
        "下午",
        "云溪街道建设村",
        "科技文化三下乡活动",
        ["1000人次", "发放法律法规宣传读本及数字平台推荐宣传单2000份"],
    ),
]


@pytest.mark.parametrize(
    "date,period,place,name,facts", EVENTS, ids=[f"{e[0]}{e[2]}" for e in EVENTS]
)
def test_each_event_with_date_place_and_figures(soup, date, period, place, name, facts):
    paragraphs = [_flat(p) for p in soup.select("#s6 p.event")]
    # the first sentence names the day, then the place and the activity: 「…在X开展“名称”」, a
    # name that holds its place as the predicate (「4月23日向云街小学捐书500册」), two sessions
    # of one lecture together (「10月29日和10月31日分别在A、B开展“…”」), or the unit's own
    # clause naming the place after the name (「2月2日开展“…”，…线下在区文明实践中心开展」)
    head = re.compile(
        rf"^(（\d+）)?[^。]*{re.escape(date + period)}(?=[^。]*{re.escape(place)})[^。]*"
        rf"{re.escape(name)}"
    )
    matches = [p for p in paragraphs if head.search(p)]
    assert len(matches) == 1, (date, place, name)
    for fact in facts:
        assert fact in matches[0], (name, fact)


def test_events_keep_their_effect_text(soup):
    s = _section(soup, "s6")
    for fact in (
        "开辟文化书画长廊，宣传优秀传统文化",
        "倡导了文明节日新气象",
        "通过集中授课与消防演练提升行业消防安全水平",
        "官网予以报道",
        "结合数据案例讲述心脑血管疾病相关知识",
        "讲座内容涵盖防欺凌、防性侵等法律知识",
        "有力的推动全民阅读",
        "分别开展宣传服务2场、全民阅读、捐书活动各一场",
        "区图书馆积极组织送图书、写书画等活动",
    ):
        assert fact in s, fact


def test_categories_in_published_order(soup):
    cats = [re.sub(r"^\d+\.\s*", "", h.get_text()) for h in soup.select("#s6 h4")]
    assert cats == [
        "传统节日主题活动",
        "文化志愿服务活动",
        "知识技能培训与讲座活动",
        "送图书走基层活动",
        "文化服务宣传周活动",
        "文化科技卫生“三下乡”活动",
    ]


def test_category_figures_of_the_published_report(soup):
    summaries = {
        re.sub(r"^\d+\.\s*", "", h.get_text()): _flat(h.find_next_sibling("p"))
        for h in soup.select("#s6 h4")
    }
    # published: 知识技能培训与讲座活动(6场) — the unit's 声明数, stated as the unit's
    assert "知识技能培训与讲座活动6场" in summaries["知识技能培训与讲座活动"]
    # published: 全年送图书5次，共计2800册 — a class that only gives books, in the unit's words
    assert summaries["送图书走基层活动"] == "全年送图书5次，共计2800册。"


def test_yearly_total_line(soup):
    line = _flat(soup.select_one("#s6 p.totals"))
    # 17 listings: A14 counted once, the 宣传周 summary (A16) with its two members as max(1, 2)
    # (场次 add up; whether two listings are one programme the data cannot say: no 「N项」)
    assert line.startswith("全年举办各类活动17场次")
    assert "线上参与78人次" in line
    # 780 + max(500多, 300+500) + 1000 + 500 + 500
    assert "赠送图书3580册" in line


# ------------------------------------------------------------------ 六、服务评价、数字、馆藏、基层


def test_service_evaluation_and_satisfaction(text):
    assert "群众满意度为98.92%" in text
    assert "精心挑选图书资源满足不同群体阅读需求" in text
    assert "以开展世界“读书日”及文化服务宣传周等活动为契机" in text


def test_digital_services(soup):
    s = _section(soup, "s6")
    for fact in (
        "在图书馆官网，及时发布文化活动新闻资讯信息",
        "建设了数字移动图书馆",
        "包括电子书、多种期刊、微视频",
        "在国家公信部已备案",
        "4期",
        "48期",
        "3000册",
        "1500册",
        "开展了电子借阅机服务",
    ):
        assert fact in s, fact


def test_collection_growth(soup, text):
    s = _section(soup, "s6")
    assert "馆藏图书16516册" in s
    # published 「2021年图书管理系统数据录入初始阶段有3590册」: the unit's qualifier, no 年末
    assert "2021年（图书管理系统数据录入初始阶段）为3590册" in s
    assert "2021年末" not in s
    assert "共增加12926册" in s
    assert "图书馆集群管理云系统再升级" in s
    # the published average (3231 = (16516−3590)/4) is the unit's own figure, kept in its
    # words; the average computed from the table, and the 数据核对 question, are the 底稿's
    assert "平均每年增长3231册" in s
    assert "4308.67" not in s and "复合增长率" not in s


def test_grassroots_and_closing_sections(soup):
    assert "以省委巡视组检查反馈意见为工作重点" in _section(soup, "s6")
    assert "2024年我单位无预算支出执行偏离绩效目标的情况。" in _section(soup, "s7")
    assert _section(soup, "s8").endswith("无。")
    # then the 附件说明 and the 落款 (no 填报日期: the name alone)
    assert _section(soup, "s9").endswith("无。附件：部门整体支出绩效自评表云溪区图书馆")


def test_multi_listed_and_summary_events_say_so_in_the_review_layer(soup, review):
    """How a listing was counted is the reviewer's: the 底稿 says it under the listing, the
    报送稿 states the listing alone."""
    events = review.select("#s6 p.event")
    jianshe = next(p for p in events if "为建设村捐书" in p.get_text())
    note = jianshe.find_next_sibling("p")
    assert "review" in note["class"]
    assert "该活动同时列入“文化科技卫生“三下乡”活动”，年度合计只计一次" in _flat(note)
    week = next(p for p in events if "文化服务宣传周活动" in p.get_text())
    assert "本条为汇总，包含：4月22日在文化活动中心送图书、4月23日向云街小学捐书" in _flat(
        week.find_next_sibling("p")
    )
    sent = _section(soup, "s6")
    assert "年度合计只计一次" not in sent and "本条为汇总" not in sent


def test_internal_notes_are_kept_in_the_data_and_never_printed(build_2024):
    """The clerk's 内部备注 (transcription notes such as 「原文作「松阳湖」…」) stay in the
    processed tables for the audit and appear in neither report.html nor report.docx."""
    import csv

    import docx
    import pandas as pd

    notes = set()
    for path in RAW_2024.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        if "内部备注" in rows[0]:
            i = rows[0].index("内部备注")
            notes |= {r[i].strip() for r in rows[1:] if len(r) > i and r[i].strip()}
    assert len(notes) >= 10  # the 2024 data's transcription notes
    out = build_2024("report-2024-a")
    page = re.sub(r"\s+", "", (out / "report.html").read_text(encoding="utf-8"))
    body = docx.Document(str(out / "report.docx")).element.body
    word = re.sub(r"\s+", "", "".join(t.text or "" for t in body.iter() if t.tag.endswith("}t")))
    for note in notes:
        flat = re.sub(r"\s+", "", note)
        assert flat not in page and flat not in word, note
    processed = out.parents[1] / "processed" / "2024"
    kept = set()
    for table in processed.glob("*.parquet"):
        frame = pd.read_parquet(table)
        if "internal_note" in frame.columns:
            kept |= {str(v).strip() for v in frame["internal_note"].dropna() if str(v).strip()}
    assert notes <= kept


def test_the_review_layer_names_each_figures_input_row(review):
    """For the reviewer: where 人员支出 63.44, each activity, the 满意度 and the 馆藏 come from
    (the rows of data/raw/2024/*.csv, header = row 1), and which figures were computed."""
    notes = [_flat(p) for p in review.select("p.review")]
    spending = next(n for n in notes if n.startswith("数据来源："))
    assert "人员支出63.44：支出.csv第2行「执行数」" in spending
    assert "合计109.17=基本支出69.78+项目支出39.39" in spending  # a sum, not a row
    assert "群众满意度98.92%：单位填报（满意度.csv第2行）。" in notes
    assert "馆藏数据来源：2021年馆藏.csv第2行；2024年馆藏.csv第3行。" in notes
    events = review.select("#s6 p.event")
    assert all("来源：活动.csv第" in _flat(e.find_next_sibling("p")) for e in events)
