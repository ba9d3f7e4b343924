"""Issue 30, 「Data dropped」 and 「Precision invented」: what the unit stated reaches the report,
in its own words, unit and precision — each case with the figure stated, stated as zero, and not
given. Hand-made CSVs are cleaned, computed, stored as JSON, read back and built as 03 builds
them (`test_report_states.report`); every expected text is written by hand from the cells."""

from __future__ import annotations

from bs4 import BeautifulSoup
from test_report_states import SPEND, UNIT, YEAR, report, review_notes, section, texts, write_csvs

from selfeval import results
from selfeval.clean import clean_year
from selfeval.figures.members import MemberUnit
from selfeval.present import build, html

# --------------------------------------------------------------------------- 编制人数


def test_the_staff_count_is_stated_beside_the_units_staffing_words(tmp_path):
    words = ["编制说明", "全额拨款事业编制，其中馆长1名、副馆长1名"]
    _, stated = report(tmp_path / "a", {"单位概况": [*UNIT, ["编制人数", "12"], words]})
    assert texts(stated, "s1") == [
        "测试县文化馆。编制人数12名。全额拨款事业编制，其中馆长1名、副馆长1名。"
    ]
    _, zero = report(
        tmp_path / "b", {"单位概况": [*UNIT, ["编制人数", "0"], ["编制说明", "暂未核定编制"]]}
    )
    assert texts(zero, "s1") == ["测试县文化馆。编制人数0名。暂未核定编制。"]
    _, absent = report(tmp_path / "c", {"单位概况": [*UNIT, words]})
    assert texts(absent, "s1") == ["测试县文化馆。全额拨款事业编制，其中馆长1名、副馆长1名。"]
    # the unit's words already give the count (the 2024 wording): not said twice
    restated = ["编制说明", "核定全额拨款事业编制4名，其中馆长1名，副馆长1名"]
    _, once = report(tmp_path / "d", {"单位概况": [*UNIT, ["编制人数", "4"], restated]})
    assert texts(once, "s1") == ["测试县文化馆。核定全额拨款事业编制4名，其中馆长1名，副馆长1名。"]
    # ... but a count its words contradict (14名 is not 4名) is stated too
    _, other = report(
        tmp_path / "e", {"单位概况": [*UNIT, ["编制人数", "4"], ["编制说明", "编制14名"]]}
    )
    assert texts(other, "s1") == ["测试县文化馆。编制人数4名。编制14名。"]


def test_the_forms_staffing_cell_holds_the_count_and_the_words(tmp_path):
    sheets = {
        "单位概况": [
            *UNIT,
            ["报告格式", "岳阳市附件2-1"],
            ["编制人数", "12"],
            ["编制说明", "全额拨款事业编制"],
        ]
    }
    _, soup = report(tmp_path, sheets)
    rows = {
        tr.th.get_text(): tr.td.get_text() for tr in soup.select_one("table.unit-facts").tbody("tr")
    }
    assert rows["人员编制"] == "12名；全额拨款事业编制"


# --------------------------------------------------------------------------- 合计 rows' 说明

REASON = "差额140.89万元，主要原因是图书购置项目资金年底未拨付"


def test_the_reason_a_unit_gives_on_a_total_row_is_stated_where_the_total_is(tmp_path):
    rows = [
        ["一般公共预算", "基本支出", "人员支出", 300, 280.5, ""],
        ["一般公共预算", "项目支出", "图书购置", 200, 78.61, ""],
    ]
    total = ["一般公共预算", "", "合计", 500, 359.11]
    _, stated = report(tmp_path / "a", {"单位概况": UNIT, "支出": [SPEND, *rows, [*total, REASON]]})
    first = texts(stated, "s2")[0]
    # 359.11 ÷ 500 = 71.822% → 71.82%; the unit's words follow the sentence of that total
    assert first.startswith("2025年一般公共预算支出359.11万元，预算数500万元，预算执行率71.82%")
    assert first.endswith(f"。{REASON}。")
    # the 底稿: beside the reconciliation of that 合计 with its parts (280.5 + 78.61 = 359.11)
    checks = stated.find(id="reconciliation").get_text()
    assert f"人员支出280.50 + 图书购置78.61 = 359.11万元；单位说明：{REASON}" in checks
    _, none = report(tmp_path / "b", {"单位概况": UNIT, "支出": [SPEND, *rows, [*total, ""]]})
    assert texts(none, "s2")[0].endswith("占21.89%。")  # 78.61 ÷ 359.11 = 21.890%
    assert "单位说明" not in none.find(id="reconciliation").get_text()
    zero = ["一般公共预算", "", "合计", "", 0, "本年度未安排一般公共预算支出"]
    _, nil = report(tmp_path / "c", {"单位概况": UNIT, "支出": [SPEND, zero]})
    [line] = texts(nil, "s2")  # the stated none, then the unit's words
    assert line.endswith("2025年无一般公共预算支出。本年度未安排一般公共预算支出。")


def test_a_category_totals_reason_follows_its_own_sentence_and_a_mere_label_is_not_repeated(
    tmp_path,
):
    rows = [
        ["一般公共预算", "基本支出", "人员支出", "", 63.44, ""],
        ["一般公共预算", "基本支出", "合计", "", 63.44, "财政拨款基本支出"],  # a label (2024)
        ["一般公共预算", "项目支出", "图书购置", 20, 18.2, ""],
        ["一般公共预算", "项目支出", "合计", 20, 18.2, "1.8万元因采购延期结转下年"],
    ]
    _, soup = report(tmp_path, {"单位概况": UNIT, "支出": [SPEND, *rows]})
    paragraphs = texts(soup, "s2")
    basic = next(t for t in paragraphs if t.startswith("2025年财政拨款基本支出"))
    assert basic.count("财政拨款基本支出") == 1  # the label is the sentence's own word
    project = next(t for t in paragraphs if t.startswith("2025年项目支出"))
    assert project.endswith("。1.8万元因采购延期结转下年。")


# --------------------------------------------------------------------------- 下属单位

DECLARED = "规划办、质监站、市政所、园林所、环卫所"


def test_a_department_names_its_units_as_it_lists_them(tmp_path):
    _, stated = report(tmp_path / "a", {"单位概况": [*UNIT, ["下属单位", DECLARED]]})
    assert texts(stated, "s1") == [f"测试县文化馆。下属单位5个：{DECLARED}。"]
    _, absent = report(tmp_path / "b", {"单位概况": UNIT})
    assert "下属单位" not in section(absent, "s1")


def _department_document(tmp_path, frame: str | None = None):
    """The document of a 主管部门 whose five units have no data (what the batch passes for
    units without a built year: results null)."""
    sheets = {
        "单位概况": [*UNIT, ["下属单位", DECLARED]],
        "支出": [SPEND, ["一般公共预算", "项目支出", "送戏下乡", 20, 18.2, ""]],
    }
    cleaned = clean_year(write_csvs(tmp_path / str(YEAR), sheets), YEAR)
    units = [MemberUnit(n, None, declared=n) for n in DECLARED.split("、")]
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, YEAR, units=units)
    document = build.build_document(results.from_json(results.to_json(computed)), frame)
    return document, BeautifulSoup(html.render_body(document), "html.parser")


def test_the_department_part_is_numbered_among_the_sections_and_names_units_without_data(
    tmp_path,
):
    document, soup = _department_document(tmp_path / "nine")
    titles = [s.title for s in document.sections if not s.review]
    assert titles[5:10] == [
        "六、部门整体支出绩效情况",
        "七、部门整体情况（本级及下属单位）",
        "八、存在的问题及原因分析",
        "九、下一步改进措施",
        "十、其他需要说明的情况",  # the 落款 closes it, after the department part
    ]
    assert [s.entry for s in document.sections if not s.review][10:] == [
        "附件　部门整体支出绩效自评表"
    ]
    text = section(soup, "department")
    assert f"部门整体包括本级和下属单位5个（{DECLARED}）" in text
    assert f"{DECLARED}本年度没有可用的数据，未计入合计" in text
    form, _ = _department_document(tmp_path / "form", "yueyang_form_2_1")
    assert [s.title for s in form.sections][2:5] == [
        "三、部门（单位）整体支出绩效情况",
        "四、部门整体情况（本级及下属单位）",
        "五、存在的问题及原因分析",
    ]


# --------------------------------------------------------------------------- precision


def test_a_zero_is_written_as_its_neighbours_whatever_the_year_typed(tmp_path):
    """One unit, two years: 万元 with 0 typed 「0.00」, then 元 (0 元 is 0.0000万元). A 0 alone
    (every neighbour 0) reads 「0」 both years; a 0 beside 0.34 reads 「0.00」; blank is no 0."""
    spend = [SPEND, ["一般公共预算", "基本支出", "人员支出", "", 60, ""]]
    yuan = ["项目", "预算数（元）", "执行数（元）"]
    wan = ["项目", "预算数（万元）", "执行数（万元）"]
    years = {
        "a": (spend, [wan, ["公务接待费", "", "0.00"], ["公务用车运行费", "", 0]]),
        "b": (spend, [yuan, ["公务接待费", "", 0], ["公务用车运行费", "", "0.00"]]),
    }
    for name, (rows, sangong) in years.items():
        sheets = {"单位概况": UNIT, "支出": rows, "三公经费": sangong}
        sheets["支出"] = [*rows, ["政府性基金预算", "", "合计", "", 0, ""]]
        _, soup = report(tmp_path / name, sheets)
        notes = next(n for n in review_notes(soup, "s2") if n.startswith("“三公”"))
        assert "公务接待费 0：" in notes and "公务用车运行费 0：" in notes, name
        assert "0.00万元" not in section(soup, "s2") + section(soup, "s3"), name
    beside = [
        wan,
        ["公务接待费", "", 0.34],
        ["公务用车运行费", "", 0],
        ["因公出国（境）费", 0.2, ""],
    ]
    _, soup = report(tmp_path / "c", {"单位概况": UNIT, "支出": spend, "三公经费": beside})
    notes = next(n for n in review_notes(soup, "s2") if n.startswith("“三公”"))
    assert "公务用车运行费 0.00：三公经费.csv 第3行" in notes  # beside 0.34
    assert "因公出国（境）费 未填报：三公经费.csv 第4行" in notes  # blank: not given, never 0
    # 收入: 0 typed in a 万元 year and 0.00 in a 元 year, beside 100.25万元: 0.00 both years
    incomes = {
        "e": [["项目", "本年数（万元）"], ["财政拨款收入", 100.25], ["其他收入", 0]],
        "f": [["项目", "本年数（元）"], ["财政拨款收入", "1,002,500.00"], ["其他收入", "0.00"]],
    }
    for name, rows in incomes.items():
        _, soup = report(tmp_path / name, {"单位概况": UNIT, "收入": rows})
        cells = {
            tr.th.get_text(strip=True): tr.td.get_text(strip=True)
            for tr in soup.select_one("table.income").tbody("tr")
        }
        assert cells["其他收入"] == "0.00", name


def _holdings_text(tmp_path, rows: list[list]) -> str:
    sheets = {
        "单位概况": UNIT,
        "馆藏": [["年度", "年末藏量（册）", "本年新增（册）", "说明"], *rows],
    }
    _, soup = report(tmp_path, sheets)
    return section(soup, "s6")


def test_an_average_count_of_books_is_whole(tmp_path):
    # (16940 − 3590) ÷ 3 years = 4450 books a year: 「4450册」, never 「4450.00册」
    even = _holdings_text(tmp_path / "a", [[2022, 3590, "", ""], [2025, 16940, "", ""]])
    assert "年均增加4450册" in even and "4450.00" not in even
    # (16516 − 3590) ÷ 4 years = 3231.50 → 3232 (half up), whole wherever it is written
    odd = _holdings_text(tmp_path / "b", [[2021, 3590, "", ""], [2025, 16516, "", ""]])
    assert "年均增加3232册" in odd and "3231.5" not in odd
    zero = _holdings_text(tmp_path / "c", [[2021, 3590, "", ""], [2025, 3590, "", ""]])
    assert "年均增加0册" in zero and "0.00册" not in zero
    one = _holdings_text(tmp_path / "d", [[2025, 3590, "", ""]])  # one year: no average at all
    assert "截至2025年末，馆藏图书3590册" in one and "年均" not in one


def _checks(soup: BeautifulSoup) -> dict[str, list[str]]:
    """The 数据核对 table by 检查项: [结果, 来源数, 计算数, 差异, 说明]."""
    table = soup.find(id="reconciliation").select_one("table.reconciliation")
    rows = [[c.get_text(strip=True) for c in tr(["th", "td"])] for tr in table.tbody("tr")]
    return {r[0]: r[1:] for r in rows}


def test_the_checks_of_a_report_kept_in_yuan_are_in_yuan(tmp_path):
    yuan = ["预算类型", "支出类别", "支出项目", "预算数（元）", "执行数（元）", "说明"]
    rows = [
        ["一般公共预算", "基本支出", "人员支出", "", "700,000.05", ""],
        ["一般公共预算", "基本支出", "公用支出", "", "289,312.06", ""],
        ["一般公共预算", "基本支出", "合计", "", "989,312.11", ""],
    ]
    unit = [*UNIT, ["金额单位", "元"]]
    _, soup = report(tmp_path / "a", {"单位概况": unit, "支出": [yuan, *rows]})
    checks = _checks(soup)
    # 700,000.05 + 289,312.06 = 989,312.11 元, to the fen: never 98.93 (万元)
    assert checks["基本支出合计执行数与分项之和（元）"][:4] == [
        "✓",
        "989,312.11",
        "989,312.11",
        "0.00",
    ]
    assert (
        "人员支出700,000.05 + 公用支出289,312.06 = 989,312.11元"
        in checks["基本支出合计执行数与分项之和（元）"][4]
    )
    assert "金额单位为元" in soup.find(id="reconciliation").get_text()
    income = [["项目", "本年数（元）"], ["收入合计", "989,312.11"], ["财政拨款收入", "989,312.11"]]
    _, soup = report(tmp_path / "i", {"单位概况": unit, "收入": income})
    # a total the cleaner reconciled (收入合计 = 财政拨款收入): in 元 too
    assert _checks(soup)["收入合计本年数与分项之和（元）"][:4] == [
        "✓",
        "989,312.11",
        "989,312.11",
        "0.00",
    ]
    zero = [[*r[:4], "0", ""] for r in rows]  # stated as zero: 0.00 元, as 元 books write it
    _, soup = report(tmp_path / "b", {"单位概况": unit, "支出": [yuan, *zero]})
    assert _checks(soup)["基本支出合计执行数与分项之和（元）"][1:4] == ["0.00", "0.00", "0.00"]
    # a unit that does not say 元 keeps 万元 (the same sheet read as 98.931211万元)
    _, soup = report(tmp_path / "c", {"单位概况": UNIT, "支出": [yuan, *rows]})
    assert _checks(soup)["基本支出合计执行数与分项之和（万元）"][1] == "98.93"
    assert "金额单位为万元" in soup.find(id="reconciliation").get_text()
