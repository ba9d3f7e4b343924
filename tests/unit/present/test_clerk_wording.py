"""The general rules behind the clerk's wording of section 六 (issue #30), each on inputs other
than the 2024 data's: hand-made CSVs built into the report as 03 builds it (`report`), the
expected sentences written by hand from the cells.

- an approximate sum keeps two significant figures, 「N余」 when that drops digits;
- a class that states only books is 「全年送图书N次，共计M册」;
- a name that gives books with the vague 送 at its place takes the books figure's verb;
- materials of mixed kinds are named by the kind most listings name;
- an effect given a subject has its first result verb completed with 了;
- 「定期」 right after a period word (每周, 每月) of a per-period figure is dropped.
"""

from __future__ import annotations

import pytest
from test_report_states import UNIT, YEAR, report, texts

from selfeval.present import wording
from selfeval.present.formats import approximate_sum
from selfeval.rules import combine_qualifiers

ACTS = [
    "编号",
    "类别",
    "名称",
    "开始日期",
    "地点",
    "线下参与人次",
    "赠书册数",
    "赠书方式",
    "资料份数",
    "资料名称",
    "成效",
]


def act(n: int, category: str, name: str, **cells: object) -> list[object]:
    """A row of 活动.csv: 编号 A<n>, dated the n-th of March, the other cells by header."""
    keys = {
        "place": "地点",
        "people": "线下参与人次",
        "books": "赠书册数",
        "how": "赠书方式",
        "materials": "资料份数",
        "kind": "资料名称",
        "effect": "成效",
    }
    row: dict[str, object] = {keys[k]: v for k, v in cells.items()}
    row |= {"编号": f"A{n}", "类别": category, "名称": name, "开始日期": f"{YEAR}-03-{n:02d}"}
    return [row.get(h, "") for h in ACTS]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # 1200多 + 300 = 1500, a lower bound, two figures drop nothing
        ([(1200, "多"), (300, "")], "1500余"),
        # 900 + 约50 = 950, about, nothing dropped
        ([(900, ""), (50, "约")], "约950"),
        # 约300 + 约330 + 3600 = 4230: 4200 drops 30
        ([(300, "约"), (330, "约"), (3600, "")], "4200余"),
        # 1234余 + 6 = 1240, drops 40
        ([(1234, "余"), (6, "")], "1200余"),
        # 近百 + 40 = 140: two figures drop nothing, about stays about
        ([(100, "近"), (40, "")], "约140"),
        # exact parts stay exact, however many digits
        ([(1234, ""), (5678, "")], "6912"),
        ([(40, "约"), (5, "")], "约45"),
    ],
)
def test_an_approximate_sum_keeps_two_figures(parts, expected):
    value = sum(v for v, _ in parts)
    assert approximate_sum(value, combine_qualifiers([q for _, q in parts])) == expected


def test_sums_in_the_year_and_a_class_are_stated_to_two_figures(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "活动": [
            ACTS,
            act(1, "讲座", "甲讲座", people="1200多", materials="300", kind="宣传资料"),
            act(2, "讲座", "乙讲座", people="300", materials="约50", kind="安全资料"),
            act(3, "展览", "丙展览", people="约5280", materials="900", kind="宣传资料"),
        ],
    }
    _, soup = report(tmp_path, sheets)
    # class 讲座: 1200多 + 300 = 1500余 people; materials 300 + 约50 = 约350 of two kinds: 资料
    assert "全年开展讲座2次，参与1500余人次，发放资料约350份。" in texts(soup, "s6")
    # year: 1200多 + 300 + 约5280 = 6780 → 6700余; 300 + 约50 + 900 = 1250 → 1200余, named
    # 宣传资料 by two of the three listings
    totals = soup.select_one("p.totals").get_text()
    assert totals == "全年举办各类活动3场次，参与6700余人次，发放宣传资料1200余份。"
    # the 底稿 keeps the sums of the parts
    basis = soup.select_one("p.totals").find_next_sibling("p")
    assert "review" in basis["class"]
    assert basis.get_text() == (
        "线下参与人次各项之和为6780人次（部分为概数），正文按两位有效数字写作6700余人次；"
        "发放资料份数各项之和为1250份（部分为概数），正文按两位有效数字写作1200余份。"
    )


def test_a_tie_of_material_kinds_is_plain(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "活动": [
            ACTS,
            act(1, "讲座", "甲讲座", materials="100", kind="宣传资料"),
            act(2, "展览", "乙展览", materials="200", kind="安全资料"),
            act(3, "展览", "丙展览", materials="300"),
        ],
    }
    _, soup = report(tmp_path, sheets)
    # one each of 宣传资料, 安全资料 and none: no kind leads
    assert soup.select_one("p.totals").get_text() == "全年举办各类活动3场次，发放资料600份。"


def test_a_class_that_only_gives_books(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "活动": [
            ACTS,
            act(1, "送书下乡", "到建设村送书", place="建设村", books="200"),
            act(2, "送书下乡", "向滨湖小学捐书", place="滨湖小学", books="150"),
            act(3, "送书下乡", "在文化站赠送图书", place="文化站", books="250"),
            act(4, "读书会", "甲读书会", people="30", books="10", how="免费赠送"),
            act(5, "读书会", "乙读书会", people="40", books="20", how="免费赠送"),
        ],
    }
    _, soup = report(tmp_path, sheets)
    s6 = texts(soup, "s6")
    # three listings, each stating only books: 200 + 150 + 250 = 600
    assert "全年送图书3次，共计600册。" in s6
    # the vague 送 at the place takes the books' verb; 捐书 and 赠送图书 are the unit's own verbs
    assert "（1）3月1日到建设村赠送图书200册。" in s6
    assert "（2）3月2日向滨湖小学捐书150册。" in s6
    assert "（3）3月3日在文化站赠送图书250册。" in s6
    # a class that also states its people is summarised as before, with its own verb
    assert "全年开展读书会2次，参与70人次，免费赠送图书30册。" in s6


@pytest.mark.parametrize(
    ("effect", "expected"),
    [
        # the subject supplied: the first result verb completed
        ("为群众营造良好阅读氛围", "活动为群众营造了良好阅读氛围。"),
        # 丰富多彩 is no verb; 提升 is the first that takes an object
        (
            "为读者提供丰富多彩的服务，提升阅读兴趣。",
            "活动为读者提供丰富多彩的服务，提升了阅读兴趣。",
        ),
        # already completed: nothing added
        (
            "对全民阅读起到推动作用，促进了书香社会建设",
            "活动对全民阅读起到推动作用，促进了书香社会建设。",
        ),
        # an effect with its own subject is the unit's words
        ("讲座丰富文化内涵", "讲座丰富文化内涵。"),
    ],
)
def test_an_effect_given_a_subject_completes_its_verb(tmp_path, effect, expected):
    sheets = {"单位概况": UNIT, "活动": [ACTS, act(1, "讲座", "甲讲座", effect=effect)]}
    _, soup = report(tmp_path, sheets)
    assert any(p.endswith(f"开展“甲讲座”。{expected}") for p in texts(soup, "s6")), texts(
        soup, "s6"
    )


def test_routine_after_a_period_word_is_dropped(tmp_path):
    sheets = {
        "单位概况": UNIT,
        "数字服务": [
            ["服务", "指标", "数值", "单位", "说明"],
            ["自助图书馆", "每周开放次数", "3", "次", "建成自助图书馆，每周定期开放"],
            ["自助图书馆", "全年开放次数", "156", "次", "全年开放"],
            ["阅读推广", "全年定期推送期数", "12", "期", "全年定期推送"],
        ],
    }
    _, soup = report(tmp_path, sheets)
    s6 = texts(soup, "s6")
    # 每周 already says the opening recurs; 全年定期 says something 全年 does not
    assert "1.建成自助图书馆，每周开放3次，全年共156次。" in s6
    assert "2.阅读推广：全年定期推送12期。" in s6


def test_a_word_list_that_is_no_list_of_words_is_refused(tmp_path, monkeypatch):
    (tmp_path / "lists.toml").write_text('result_verbs = "丰富"\n', encoding="utf-8")
    monkeypatch.setattr(wording, "HERE", tmp_path)
    with pytest.raises(TypeError, match="result_verbs"):
        wording.word_lists("lists")
