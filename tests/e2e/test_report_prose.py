"""Chinese as a good clerk writes it (issue #30): each row of the issue's table 「today | a clerk」
as a test on the 2024 data, built as `make report` builds it (a temporary copy of the project,
`python -m selfeval build` in a subprocess), read back from report.docx (python-docx) and from
report.html without its 审核底稿 layer, which must state the same sentences.

Rows whose figure the 2024 data does not have (a 三公 budget, a questionnaire with its sample)
are built from the same data with those cells filled in (`variant`). Every expected sentence is
written by hand from the cells of data/raw/2024, never produced by the code under test.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from support import REPO, run_build

pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]

YEAR = 2024


def _build(root: Path) -> Path:
    proc = run_build(root)
    if proc.returncode != 0:
        pytest.fail(f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return root / "outputs" / str(YEAR)


def _copy(tmp_path_factory, name: str) -> Path:
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(REPO / "data" / "raw" / str(YEAR), root / "data" / "raw" / str(YEAR))
    return root


def _rewrite(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


class Report:
    """The 报送稿 of one build as Word and HTML paragraphs, and the 审核底稿's notes."""

    def __init__(self, out: Path) -> None:
        paragraphs = docx.Document(str(out / "report.docx")).paragraphs
        #: (style, text) of the Word file's paragraphs outside tables, blank ones left out
        self.styled = [(p.style.name, p.text) for p in paragraphs if p.text.strip()]
        self.word = [text for _, text in self.styled]
        page = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
        self.notes = [p.get_text(strip=True) for p in page.select("p.review")]
        for node in page.select(".review, .review-switch"):
            node.decompose()
        self.page = page
        self.html = [p.get_text(strip=True) for p in page.select("main p, main h4")]

    def section(self, anchor: str) -> list[str]:
        """The 报送稿 paragraphs of a numbered section of report.html."""
        return [p.get_text(strip=True) for p in self.page.find(id=anchor).find_all("p")]

    def word_between(self, first: str, last: str) -> list[str]:
        """The Word paragraphs from the heading `first` up to (not including) `last`."""
        start = self.word.index(first)
        end = self.word.index(last, start)
        return self.word[start + 1 : end]

    def states(self, sentence: str) -> bool:
        """Whether both report.docx and report.html hold a paragraph containing `sentence`."""
        return any(sentence in w for w in self.word) and any(sentence in h for h in self.html)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Report:
    return Report(_build(_copy(tmp_path_factory, "prose")))


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Report:
    """The 2024 data with what a clerk's table also needs: a 三公 budget with two parts at
    0.00, a questionnaire with its sample, two 存在问题 paragraphs, a qualitative target only
    partly met, and an activity whose name holds quotation marks."""
    root = _copy(tmp_path_factory, "prose-variant")
    raw = root / "data" / "raw" / str(YEAR)
    _rewrite(
        raw / "三公经费.csv",
        [
            ["项目", "预算数（万元）", "执行数（万元）"],
            ["因公出国（境）费", "0.00", "0.00"],
            ["公务接待费", "0.30", "0.19"],
            ["公务用车运行费", "0.00", "0.00"],
        ],
    )
    _rewrite(
        raw / "满意度.csv",
        [
            ["调查", "样本数", "满意数", "满意度（%）"],
            ["读者满意度问卷调查", "420", "409", "97.38"],
        ],
    )
    texts = _read(raw / "文字说明.csv")
    texts = [r for r in texts if r[0] not in ("存在问题", "改进措施")]
    texts += [["存在问题", "", "宣传方式较单一"], ["存在问题", "", "基层服务点覆盖不足"]]
    # the first repeats the indicator's own 改进措施 (below): stated once
    texts += [["改进措施", "", "拓展线上宣传渠道。"], ["改进措施", "", "增设基层服务点"]]
    _rewrite(raw / "文字说明.csv", texts)
    _rewrite(
        raw / "绩效目标.csv",
        [
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "方向",
                "目标值",
                "实际值",
                "单位",
                "分值",
                "评价",
                "得分",
                "改进措施",
            ],
            ["产出指标", "数量指标", "开展活动场次", "≥", "15", "17", "场", "50", "", "", ""],
            [
                "效果指标",
                "社会效益指标",
                "全民阅读氛围",
                "定性",
                "明显提升",
                "有所提升",
                "",
                "40",
                "部分达成",
                "28",
                "拓展线上宣传渠道",
            ],
        ],
    )
    acts = _read(raw / "活动.csv")
    name = acts[0].index("名称")
    for row in acts[1:]:
        if row[name] == "科技文化三下乡活动":
            row[name] = "文化科技卫生“三下乡”活动"
    _rewrite(raw / "活动.csv", acts)
    return Report(_build(root))


# ------------------------------------------------------------------ the table's rows


def test_a_name_that_holds_its_place_is_the_predicate_not_a_repeated_title(report):
    # 活动.csv A11: 4月22日, 地点 文化活动中心, 名称 在文化活动中心送图书, 赠书 300, no 赠书方式:
    # the vague 送 at its place takes the books figure's own verb (赠送)
    assert report.states("4月22日在文化活动中心赠送图书300册。")
    # A12: 向云街小学捐书 at 云街小学, 300 people, 500 books: the unit's precise verb stays
    assert report.states("4月23日向云街小学捐书500册，参与300人次。")
    for text in report.word + report.html:
        assert "开展“在文化活动中心" not in text
        # no place said twice in one clause: 「在X开展“…X…”」
        assert not re.search(r"在([^，。“”]{2,})开展“[^”]*\1", text), text


def test_a_class_summary_in_clerk_form(report):
    # A11–A15: five listings, every one states its books: 300+500+1000+500+500 = 2800; only two
    # state participants, so none is summed in the 报送稿: books are the only figure, the class
    # gives books 5 times, 2800 in all — as the unit published it (声明数: 次数 5, 赠书册数 2800)
    summary = report.word_between("4.送图书走基层活动", "（1）4月22日在文化活动中心赠送图书300册。")
    assert summary == ["全年送图书5次，共计2800册。"]
    assert report.states("全年送图书5次，共计2800册。")
    for text in report.word + report.html:
        assert "本类列入" not in text and "活动的记录" not in text
        assert not re.search(r"（其中\d+项[^）]*未填报）", text)
    assert "本类线下参与人次据2次活动的记录（共5次）。" in report.notes  # the 底稿 keeps it


def test_a_class_states_the_units_own_figure(report):
    # 声明数.csv: 「知识技能培训与讲座活动·场次 6 场」 (published 「(6场)」); all six lectures
    # state participants: 60+近百+百(约100)+40+200+350 = 约850 (two figures drop nothing: 约850)
    assert report.states("全年开展知识技能培训与讲座活动6场，参与约850人次。")


def test_the_year_adds_sessions_not_events(report):
    # 场次: A01–A10 10, A13 1, A14 (listed twice) 1, A15 1, the 宣传周 A16 4 with its A11 and A12
    # (max(4, 1+1)) = 17. Whether listings are sessions of one programme (the two 10月 lectures
    # are) the data cannot say, so no 「N项」 is added up.
    # 线下: 约300+约330+3600+约600+60+近百+百(约100)+40+200+350 + A13 300 + A14 1000 +
    # max(A16 —, A11 — + A12 300) = 7280, approximate: two figures, 7200 drops 80 → 7200余;
    # 赠书 A03 780 + max(A16 500多, A11 300 + A12 500) 800 + A13 1000 + A14 500 + A15 500 = 3580,
    # exact (A16's 500多 < 800); 资料 4000多+400余+110+近千+2000 = 7510 → 7500余, of mixed
    # kinds named by the most listings: 宣传资料 (A04, A16) against one each of 宣传图册资料
    # (A03), 安全资料 (A06) and 法律法规宣传读本及数字平台推荐宣传单 (A14)
    line = (
        "全年举办各类活动17场次，线下参与7200余人次、线上参与78人次，赠送图书3580册，"
        "发放宣传资料7500余份。"
    )
    assert report.states(line)
    # the sums of the parts are the 底稿's
    (basis,) = [n for n in report.notes if "各项之和" in n]
    assert "线下参与人次各项之和为7280人次（部分为概数），正文按两位有效数字写作7200余人次" in basis
    assert "发放资料份数各项之和为7510份（部分为概数），正文按两位有效数字写作7500余份" in basis
    for text in report.word + report.html:
        assert not re.search(r"全年开展活动\d+项", text)


def test_a_per_period_figure_follows_its_words(report):
    # 数字服务.csv: 微信图书馆 「…每月定期推送好书、新书」 4期, 「全年推送」 48期: the year's figure
    # without its verb said twice, and no 定期 after 每月, which says it already
    assert report.states(
        "3.建立了微信图书馆，在国家公信部已备案，每月推送好书、新书4期，全年共48期。"
    )
    for text in report.word + report.html:
        assert "每月推送期数" not in text and "年推送期数" not in text
        assert "每月定期" not in text


def test_a_type_stated_as_zero_is_a_none(report):
    for anchor, kind in (
        ("s3", "政府性基金预算"),
        ("s4", "国有资本经营预算"),
        ("s5", "社会保险基金预算"),
    ):
        assert report.section(anchor) == [f"本单位2024年无{kind}支出。"]
        assert report.states(f"本单位2024年无{kind}支出。")
    for text in report.word + report.html:
        assert "0万元。无。" not in text


def test_a_round_hundred_is_about_100(report):
    # A07 廉洁文化讲座: 线下参与人次 「百」; no 线上 figure, so no 「线下」
    assert report.states("5月22日下午在长岭街道八字门社区开展“廉洁文化讲座”，参与约100人次。")
    for text in report.word + report.html:
        assert "参与百人次" not in text


def test_an_effect_without_subject_gets_one(report):
    # A03 成效: 「为首届民俗闹新春活动丰富文化内涵。」: given a subject, its verb completed
    assert report.states("。活动为首届民俗闹新春活动丰富了文化内涵。")
    for text in report.word + report.html:
        assert "。为首届" not in text


def test_satisfaction_says_how_only_when_the_unit_does(report, variant):
    # 2024: 「群众满意度」 98.92, no method, no sample: no invented 「经调查」
    assert report.states("群众满意度为98.92%。")
    assert not any("经调查" in t for t in report.word + report.html)
    # variant: 读者满意度问卷调查, 420 questionnaires, 409 satisfied, 97.38 as stated
    assert variant.states("经问卷调查，读者满意度为97.38%（有效问卷420份，满意409份）。")
    assert not any("调查满意度" in t for t in variant.word + variant.html)


def test_sangong_names_only_what_was_spent(report, variant):
    # variant: budgets 0.00 + 0.30 + 0.00 = 0.30, spent 0.00 + 0.19 + 0.00 = 0.19, all 接待
    assert variant.states("“三公”经费预算0.30万元，实际支出0.19万元，均为公务接待费。")
    s2 = "".join(variant.section("s2"))
    assert "0.00万元" not in s2 and "因公出国" not in s2
    # 2024: both parts stated as 0, written as the published report writes them
    assert report.states("“三公”经费支出0万元（公务接待费0万元，公务用车运行费0万元）。")


# ------------------------------------------------------------------ the table's 「also」


def test_the_sources_nouns_are_kept(report):
    # A03: 赠书方式 免费赠送, 资料名称 宣传图册资料; 三下乡: 法律法规宣传读本及数字平台推荐宣传单
    assert report.states("参与3600人次，免费赠送图书780册，发放宣传图册资料4000多份。")
    assert report.states("参与1000人次，发放法律法规宣传读本及数字平台推荐宣传单2000份。")
    assert report.states("参与近百人次，发放安全资料110份。")


def test_the_two_october_lectures_are_stated_once(report):
    # A09 and A10: the same lecture at two places, 200 and 350 people, the same effect
    lectures = [t for t in report.word if "法伴你我共护成长主题教育讲座" in t]
    assert len(lectures) == 1
    assert lectures[0].startswith(
        "（5）10月29日和10月31日分别在松杨湖街道茅岭头社区、凌泊湖社区开展"
        "“法伴你我共护成长主题教育讲座”，参与人次分别为200人次和350人次。讲座内容涵盖"
    )
    assert lectures[0].count("讲座内容涵盖防欺凌") == 1
    assert report.states(lectures[0])


def test_a_partly_met_target_states_its_result(variant):
    # 全民阅读氛围: 定性, 明显提升, actual 有所提升, 部分达成 — a result, not 「…未达成年度目标」
    problems = variant.section("s7")
    item = (
        "效果指标「全民阅读氛围」年度指标值明显提升，实际完成情况为有所提升，"
        "部分达成年度指标并具有一定效果。"
    )
    assert any(item in t for t in problems)
    assert variant.states(item)
    assert not any("未达成年度目标" in t for t in problems)
    # its cause is not given: the 底稿 says so, the 报送稿 never
    assert not any("未填写偏差原因" in t or "未填报" in t for t in problems)
    assert any(n.startswith("偏差原因未填报：效果指标「全民阅读氛围」") for n in variant.notes)


def test_typography_of_the_submitted_text(report, variant):
    for r in (report, variant):
        body = r.word_between("一、部门（单位）概况", "附件")
        for text in body:
            assert not re.search(r"[\u4e00-\u9fff][;:,]", text), text  # full-width 「；」
            assert not re.search(r"\d\s+[-–~]\s+\d", text), text  # one dash for ranges
            assert not re.search(r"^\d+\.\s", text), text  # 「1.」 with no space
            assert "未填报" not in text, text  # nothing the data lacks, inside a sentence
        # a full stop at the end of every sentence of the body text
        start = r.styled.index(("Heading 1", "一、部门（单位）概况"))
        prose = [t for style, t in r.styled[start:] if style == "Normal"]
        # GB/T 9704 7.3.4: the 附件说明 names its attachments without a full stop
        assert [t for t in prose if t.startswith("附件：")] == ["附件：部门整体支出绩效自评表"]
        prose = [t for t in prose if not t.startswith("附件：")]
        assert prose and [t for t in prose if not t.endswith(("。", "！", "？"))] == []
    assert report.states("主要职责：负责保存、收集、整理、借阅图书资料")
    assert report.states("提供文化娱乐以及相关社会服务；负责开展全区公共图书馆事业调研")
    assert report.states("1.图书藏量稳步提升：2021—2024年图书新增藏量显著")
    # nested quotes: the title holding “三下乡” is quoted as “…‘三下乡’…”
    assert variant.states("开展“文化科技卫生‘三下乡’活动”")
    # 七's and 八's items directly under them: （一）（二）, never 1. 2.
    assert variant.section("s7")[-2:] == ["（二）宣传方式较单一。", "（三）基层服务点覆盖不足。"]
    # 八: the indicator's measure, and the unit's paragraph saying the same thing, once
    assert variant.section("s8")[:2] == ["（一）拓展线上宣传渠道。", "（二）增设基层服务点。"]
