"""数据核对 checks on fixture tables (totals computed by hand here) and on the real 2024 data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from selfeval import checks
from selfeval.figures import activity_total
from selfeval.present.checks_view import CHECK_COLUMNS, checks_table


def reconcile_year(*args, **kwargs):
    """The 数据核对 table as the appendix shows it: the checks, then their view."""
    return checks_table(checks.reconcile_year(*args, **kwargs))


MEASURES = ("offline", "online", "sessions", "books", "materials")


def acts_frame(rows: list[dict]) -> pd.DataFrame:
    """A processed activities table with every documented column; rows give what differs."""
    records = []
    categories: dict[str, int] = {}
    for i, given in enumerate(rows):
        category = given.get("category", "讲座")
        categories.setdefault(category, len(categories) + 1)
        rec = {
            "event_id": given.get("event_id", f"行{i + 2}"),
            "category": category,
            "category_order": categories[category],
            "listing_order": i + 1,
            "name": given.get("name", f"活动{i + 1}"),
            "start_date": pd.Timestamp(given.get("start_date", "2024-05-01")),
            "end_date": pd.Timestamp(given["end_date"]) if "end_date" in given else pd.NaT,
            "period": None,
            "place": None,
            "effect": None,
            "includes": given.get("includes"),
            "note": None,
            "src_file": "活动.csv",
            "src_sheet": "活动",
            "src_row": i + 2,
        }
        for m in MEASURES:
            value = given.get(m)
            q = given.get(f"{m}_q", "")
            rec[m] = value
            rec[f"{m}_q"] = q
            rec[f"{m}_text"] = (
                None if value is None else f"{q}{value}" if q != "多" else f"{value}多"
            )
        records.append(rec)
    frame = pd.DataFrame(records)
    for m in MEASURES:
        frame[m] = frame[m].astype("Int64")
    frame["start_date"] = frame["start_date"].astype("datetime64[ns]")
    frame["end_date"] = frame["end_date"].astype("datetime64[ns]")
    return frame


def spending_frame(rows: list[tuple]) -> pd.DataFrame:
    """(budget_type, category, item, is_total, actual, actual_decimals) rows; budgets unknown."""
    frame = pd.DataFrame(
        rows,
        columns=["budget_type", "category", "item", "is_total", "actual", "actual_decimals"],
    )
    frame["budget"] = float("nan")
    frame["budget_decimals"] = pd.array([None] * len(frame), dtype="Int64")
    frame["actual_decimals"] = frame["actual_decimals"].astype("Int64")
    frame["note"] = None
    frame["src_file"] = "支出.csv"
    frame["src_sheet"] = "支出"
    frame["src_row"] = range(2, len(frame) + 2)
    return frame


def stated_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["indicator", "value", "unit"])
    frame["value"] = frame["value"].astype(float)
    frame["note"] = None
    frame["src_file"] = "声明数.csv"
    frame["src_sheet"] = "声明数"
    frame["src_row"] = range(2, len(frame) + 2)
    return frame


def holdings_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "holdings", "added"])
    frame["holdings"] = frame["holdings"].astype("Int64")
    frame["added"] = frame["added"].astype("Int64")
    frame["note"] = None
    frame["src_file"] = "馆藏.csv"
    frame["src_sheet"] = "馆藏"
    frame["src_row"] = range(2, len(frame) + 2)
    return frame


def by_item(frame: pd.DataFrame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for rec in frame.to_dict("records"):
        out.setdefault(rec["检查项"], []).append(rec)
    return out


# Two categories; B2 is one event listed twice; S summarises D1 and D2 and states 500多 books.
ACTS = acts_frame(
    [
        {"event_id": "D1", "category": "送书", "books": 300, "offline": 100},
        {"event_id": "D2", "category": "送书", "books": 500, "offline": 200},
        {"event_id": "D3", "category": "送书", "books": 1000},
        {"event_id": "B2", "category": "送书", "books": 500},
        {"event_id": "L1", "category": "讲座", "offline": 60},
        {"event_id": "L2", "category": "讲座", "offline": 100, "offline_q": "近", "sessions": 2},
        {"event_id": "B2", "category": "三下乡", "offline": 1000, "materials": 2000},
        {
            "event_id": "S",
            "category": "宣传周",
            "books": 500,
            "books_q": "多",
            "sessions": 4,
            "materials": 1000,
            "materials_q": "近",
            "includes": "D1、D2",
        },
    ]
)


def test_activity_totals_count_events_once_and_summary_groups_by_max():
    # events: D1 D2 S as one group (max(1, 2) = 2) + D3 + B2 + L1 + L2 = 6
    assert activity_total(ACTS, "events") == 6
    assert activity_total(ACTS, "listings") == 8
    # books: group max(500, 300 + 500) = 800, D3 1000, B2 500 (stated once) = 2300
    assert activity_total(ACTS, "books") == 2300
    # offline: group max(None → members 100 + 200) = 300, L1 60, L2 100, B2 1000 = 1460
    assert activity_total(ACTS, "offline") == 1460
    # sessions: group max(4, 1 + 1) = 4, D3 1, B2 1, L1 1, L2 2 = 9
    assert activity_total(ACTS, "sessions") == 9
    # materials: group max(1000, members unknown) = 1000, B2 2000 = 3000
    assert activity_total(ACTS, "materials") == 3000
    assert activity_total(ACTS, "online") is None


def test_stated_figures_against_rows():
    stated = stated_frame(
        [
            ("赠书册数", 2300, "册"),
            ("活动项数", 7, "项"),
            ("送书·次数", 4, "次"),
            ("送书·赠书册数", 2300, "册"),
            ("讲座·场次", 3, "场"),
        ]
    )
    result = reconcile_year({"activities": ACTS, "stated": stated}, {}, year=2024)
    assert list(result.columns) == CHECK_COLUMNS
    rows = by_item(result)
    (books,) = rows["全年赠书册数（册）"]
    assert (books["结果"], books["来源数"], books["计算数"], books["差异"]) == (
        "✓",
        "2300",
        "2300",
        "0",
    )
    (events,) = rows["全年活动项数（项）"]
    assert (events["结果"], events["计算数"], events["差异"]) == ("⚠", "6", "+1")
    (listings,) = rows["「送书」次数（次）"]
    assert (listings["结果"], listings["计算数"]) == ("✓", "4")
    # within the category: 300 + 500 + 1000 + 500 (the summary lives in another category)
    (cat_books,) = rows["「送书」赠书册数（册）"]
    assert (cat_books["结果"], cat_books["计算数"], cat_books["差异"]) == ("✓", "2300", "0")
    assert cat_books["说明"] == "300 + 500 + 1000 + 500"
    (sessions,) = rows["「讲座」场次（场）"]
    assert (sessions["结果"], sessions["计算数"]) == ("✓", "3")  # L1 unstated → 1, L2 2


def test_summary_listing_and_multi_listed_event():
    result = reconcile_year({"activities": ACTS}, {}, year=2024)
    rows = by_item(result)
    (multi,) = rows["同一活动列于多个类别"]
    assert multi["结果"] == "✓"
    assert "B2" in multi["说明"] and "「送书」" in multi["说明"] and "「三下乡」" in multi["说明"]
    (group,) = rows["汇总条目与所含活动计为一组"]
    assert "D1、D2" in group["说明"]
    (books,) = rows["汇总条目赠书册数与所含活动之和"]
    assert (books["结果"], books["来源数"], books["计算数"], books["差异"]) == (
        "⚠",
        "500多",
        "800",
        "-300",
    )
    assert "800" in books["说明"]
    # members state no 场次 and no 资料份数: nothing to compare, no entry
    assert "汇总条目场次与所含活动之和" not in rows
    assert "汇总条目资料份数与所含活动之和" not in rows


@pytest.mark.parametrize(
    ("value", "q", "members", "ok"),
    [
        (500, "多", (300, 250), True),  # 550 is 500多
        (500, "多", (300, 500), False),  # 800 is not
        (1500, "多", (1000, 550), True),  # 1550 is 1500多
        (1500, "多", (1000, 600), False),
        (1000, "近", (500, 450), True),
        (1000, "近", (600, 600), False),
        (300, "约", (160, 160), True),
        (400, "余", (400, 30), True),
        (100, "", (60, 40), True),
        (100, "", (60, 41), False),
    ],
)
def test_summary_qualifiers(value, q, members, ok):
    acts = acts_frame(
        [
            {"event_id": "M1", "books": members[0]},
            {"event_id": "M2", "books": members[1]},
            {"event_id": "S", "books": value, "books_q": q, "includes": "M1,M2"},
        ]
    )
    (row,) = by_item(reconcile_year({"activities": acts}, {}, year=2024))[
        "汇总条目赠书册数与所含活动之和"
    ]
    assert row["结果"] == ("✓" if ok else "⚠")


def test_spending_totals_within_rounding_and_beyond():
    spending = spending_frame(
        [
            ("一般公共预算", "基本支出", "人员支出", False, 63.44, 2),
            ("一般公共预算", "基本支出", "公用支出", False, 6.33, 2),
            ("一般公共预算", "基本支出", "合计", True, 69.78, 2),
            ("一般公共预算", "项目支出", "图书购置", False, 20.0, 2),
            ("一般公共预算", "项目支出", "活动经费", False, 19.0, 2),
            ("一般公共预算", "项目支出", "合计", True, 39.39, 2),
        ]
    )
    rows = reconcile_year({"spending": spending}, {}, year=2024).to_dict("records")
    basic, project = rows
    assert basic["检查项"] == "基本支出合计执行数与分项之和（万元）"
    assert (basic["结果"], basic["来源数"], basic["计算数"], basic["差异"]) == (
        "✓",
        "69.78",
        "69.77",
        "+0.01",
    )
    assert "人员支出63.44 + 公用支出6.33" in basic["说明"]
    assert "第4行" in basic["说明"]
    assert (project["结果"], project["计算数"], project["差异"]) == ("⚠", "39.00", "+0.39")


def test_recorded_checks_are_re_presented_unless_recomputed():
    spending = spending_frame(
        [
            ("一般公共预算", "基本支出", "人员支出", False, 63.44, 2),
            ("一般公共预算", "基本支出", "公用支出", False, 6.33, 2),
            ("一般公共预算", "基本支出", "合计", True, 69.78, 2),
        ]
    )
    checks = {
        "reconciled": [
            {"sheet": "支出", "row": 4, "stated": 69.78, "computed": 69.77, "message": "已重算"},
            {
                "file": "三公经费.csv",
                "sheet": "三公经费",
                "row": 5,
                "stated": 1.2,
                "computed": 1.0,
                "difference": 0.2,
                "tolerance": 0.01,
                "message": "三公经费合计与分项不符",
            },
        ]
    }
    rows = reconcile_year({"spending": spending}, checks, year=2024).to_dict("records")
    assert len(rows) == 2
    recorded = rows[1]
    assert (recorded["结果"], recorded["来源数"], recorded["计算数"], recorded["差异"]) == (
        "⚠",
        "1.20",
        "1",
        "+0.20",
    )
    assert "三公经费合计与分项不符" in recorded["说明"]


def test_holdings_growth_added_and_previous_year():
    holdings = holdings_frame([(2021, 3590, None), (2023, 12000, None), (2024, 16516, 4516)])
    stated = stated_frame([("馆藏年均增长", 3231, "册")])
    previous = {"holdings": holdings_frame([(2021, 3590, None), (2023, 12500, None)])}
    result = reconcile_year(
        {"holdings": holdings, "stated": stated}, {}, previous_tables=previous, year=2024
    )
    rows = by_item(result)
    (growth,) = rows["馆藏年均增长（册/年）"]
    # (16516 − 3590) / 3 = 4308.666…; the source's 3231 ≈ (16516 − 3590) / 4 = 3231.5
    assert (growth["结果"], growth["来源数"], growth["计算数"], growth["差异"]) == (
        "⚠",
        "3231",
        "4308.67",
        "-1077.67",
    )
    assert "÷ 3年" in growth["说明"] and "÷ 4" in growth["说明"]
    (added,) = rows["2024年新增馆藏（册）"]
    assert (added["结果"], added["计算数"]) == ("✓", "4516")
    (same,) = rows["本年度所列2021年馆藏与2021年度数据（册）"]
    assert same["结果"] == "✓"
    (differs,) = rows["本年度所列2023年馆藏与2023年度数据（册）"]
    assert (differs["结果"], differs["来源数"], differs["计算数"], differs["差异"]) == (
        "⚠",
        "12000",
        "12500",
        "-500",
    )
    # without a previous year there is nothing to compare across years
    alone = by_item(reconcile_year({"holdings": holdings}, {}, year=2024))
    assert not any(k.startswith("本年度所列") for k in alone)
    (info,) = alone["馆藏年均增长（册/年）"]
    assert (info["结果"], info["来源数"], info["计算数"]) == ("✓", "—", "4308.67")


def test_satisfaction_counts_against_stated_rate():
    frame = pd.DataFrame(
        {
            "survey": ["读者调查", "活动调查", "只填满意度"],
            "sample": pd.array([200, 400, None], dtype="Int64"),
            "satisfied": pd.array([190, 371, None], dtype="Int64"),
            "rate": [95.0, 92.5, 98.92],
            "rate_decimals": pd.array([1, 1, 2], dtype="Int64"),
            "rate_stated": [True, True, True],
            "src_file": "满意度.csv",
            "src_sheet": "满意度",
            "src_row": [2, 3, 4],
        }
    )
    rows = by_item(reconcile_year({"satisfaction": frame}, {}, year=2024))
    (ok,) = rows["满意度「读者调查」（%）"]
    assert (ok["结果"], ok["计算数"], ok["差异"]) == ("✓", "95.00", "0.00")
    (bad,) = rows["满意度「活动调查」（%）"]  # 371 / 400 = 92.75 %, stated 92.5
    assert (bad["结果"], bad["计算数"], bad["差异"]) == ("⚠", "92.75", "-0.25")
    assert "满意度「只填满意度」（%）" not in rows


def test_dates_inside_the_year():
    inside = acts_frame([{"start_date": "2024-01-01"}, {"start_date": "2024-12-31"}])
    (row,) = reconcile_year({"activities": inside}, {}, year=2024).to_dict("records")
    assert row["结果"] == "✓" and "2024" in row["检查项"]
    outside = acts_frame(
        [{"start_date": "2024-12-30", "end_date": "2025-01-02", "name": "跨年活动"}]
    )
    (row,) = reconcile_year({"activities": outside}, {}, year=2024).to_dict("records")
    assert (row["结果"], row["来源数"]) == ("⚠", "2025-01-02")
    assert "跨年活动" in row["说明"] and "第2行" in row["说明"]


def _render(frame: pd.DataFrame) -> BeautifulSoup:
    """The appendix block as the report's HTML writer writes it."""
    import datetime as dt

    from selfeval.present import html
    from selfeval.present.blocks import BLOCKS
    from selfeval.present.document import Document, Section
    from tests.unit.present.contexts import context

    blocks = BLOCKS["reconciliation"](
        context(reconciliation=frame, amount_unit="万元"), "reconciliation"
    )
    section = Section("附录：数据核对", "reconciliation", tuple(blocks))
    document = Document("报告", (section,), dt.date(2024, 12, 31))
    return BeautifulSoup(html.render_body(document), "html.parser")


def test_partial_renders_every_check_and_escapes():
    acts = acts_frame(
        [
            {"event_id": "M1", "books": 300, "name": "<img src=x onerror=alert(1)>"},
            {"event_id": "M2", "books": 500},
            {"event_id": "S", "books": 500, "books_q": "多", "includes": "M1、M2"},
        ]
    )
    frame = reconcile_year({"activities": acts}, {}, year=2024)
    soup = _render(frame)
    assert soup.find("img") is None
    assert "<img src=x onerror=alert(1)>" in soup.get_text()
    table = soup.select_one("table.reconciliation")
    assert [th.get_text() for th in table.thead.find_all("th")] == CHECK_COLUMNS
    body = table.tbody.find_all("tr")
    assert len(body) == len(frame) == 3
    marks = [tr.find_all("td")[1].get_text() for tr in body]
    assert marks == frame["结果"].tolist() == ["✓", "⚠", "✓"]
    assert "1项标记为“⚠”" in soup.select_one(".reconciliation-summary").get_text()
    empty = _render(reconcile_year({}, {}, year=2024))
    assert empty.select_one("table") is None
    assert "没有可核对" in empty.get_text()


# ------------------------------------------------------------------------------ real 2024 data


@pytest.fixture(scope="module")
def cleaned_2024(repo_root: Path):
    from selfeval.clean import clean_year

    return clean_year(repo_root / "data" / "raw" / "2024", 2024)


def test_real_2024_reconciliation(cleaned_2024):
    result = reconcile_year(cleaned_2024.tables, cleaned_2024.checks, year=2024)
    rows = by_item(result)
    (basic,) = rows["基本支出合计执行数与分项之和（万元）"]
    assert (basic["结果"], basic["来源数"], basic["计算数"], basic["差异"]) == (
        "✓",
        "69.78",
        "69.77",
        "+0.01",
    )
    (books,) = rows["「送图书走基层活动」赠书册数（册）"]
    assert (books["结果"], books["计算数"]) == ("✓", "2800")
    assert books["说明"].startswith("300 + 500 + 1000 + 500 + 500")
    (times,) = rows["「送图书走基层活动」次数（次）"]
    assert (times["结果"], times["计算数"]) == ("✓", "5")
    (lectures,) = rows["「知识技能培训与讲座活动」场次（场）"]
    assert (lectures["结果"], lectures["计算数"]) == ("✓", "6")
    (growth,) = rows["馆藏年均增长（册/年）"]
    assert (growth["结果"], growth["来源数"], growth["计算数"]) == ("⚠", "3231", "4308.67")
    assert "÷ 3年" in growth["说明"]
    (multi,) = rows["同一活动列于多个类别"]  # 三下乡 and the 建设村 donation
    assert "三下乡" in multi["说明"] and "只计一次" in multi["说明"]
    (group,) = rows["汇总条目与所含活动计为一组"]  # 宣传周
    assert "文化服务宣传周活动" in group["说明"] and "只计一次" in group["说明"]
    (week,) = rows["汇总条目赠书册数与所含活动之和"]
    assert (week["结果"], week["来源数"], week["计算数"]) == ("⚠", "500多", "800")
    (dates,) = rows["活动日期在2024年内"]
    assert dates["结果"] == "✓"
    # the cleaner's two recorded reconciliations are recomputed above, not repeated
    assert len(cleaned_2024.checks["reconciled"]) == 2
    assert sum(r["检查项"].startswith("一般公共预算") for r in result.to_dict("records")) == 0
    assert len(result) == 9


def test_real_2024_yearly_books_total(cleaned_2024):
    # 780 (春节) + group max(500多, 300 + 500) + 1000 + 500 (建设村, also 三下乡) + 500 = 3580
    assert activity_total(cleaned_2024.tables["activities"], "books") == 3580


def test_totals_agree_with_the_analysis_of_the_report(cleaned_2024, tmp_path):
    """The appendix's 计算数 and the report's yearly figures come from the same counting rules."""
    from selfeval.clean import clean_year
    from selfeval.figures import yearly_totals
    from selfeval.synthetic import write_synthetic_years

    (folder,) = write_synthetic_years(tmp_path, [2023], activities_per_year=25, seed=3)
    for acts in (cleaned_2024.tables["activities"], clean_year(folder, 2023).tables["activities"]):
        totals = yearly_totals(acts)
        assert activity_total(acts, "events") == totals.events
        for measure in ("sessions", "offline", "online", "books", "materials"):
            expected = getattr(totals, measure)
            computed = activity_total(acts, measure)
            assert (computed or 0) == expected.value, measure
            assert (computed is None) == (expected.known_parts == 0), measure


def test_previous_year_of_another_unit_is_not_compared():
    def unit(name: str) -> pd.DataFrame:
        return pd.DataFrame(
            {"item": ["单位名称"], "value": [name], "src_file": "单位概况.csv"}
            | {"src_sheet": "单位概况", "src_row": [2]}
        )

    holdings = holdings_frame([(2023, 12000, None), (2024, 16516, None)])
    previous = holdings_frame([(2023, 9000, None)])
    same = reconcile_year(
        {"holdings": holdings, "unit": unit("甲馆")},
        {},
        previous_tables={"holdings": previous, "unit": unit("甲馆")},
        year=2024,
    )
    assert same["检查项"].str.startswith("本年度所列2023年馆藏").sum() == 1
    other = reconcile_year(
        {"holdings": holdings, "unit": unit("甲馆")},
        {},
        previous_tables={"holdings": previous, "unit": unit("乙馆")},
        year=2024,
    )
    assert not other["检查项"].str.startswith("本年度所列").any()


def test_real_2024_after_parquet_round_trip_and_inferred_year(cleaned_2024, tmp_path):
    """What the report notebook does: read the processed folder back, no explicit year."""
    from selfeval.store import read_json, read_processed, write_processed

    out = tmp_path / "processed" / "2024"
    write_processed(cleaned_2024, out)
    read = reconcile_year(read_processed(out), read_json(out, "checks"))
    direct = reconcile_year(cleaned_2024.tables, cleaned_2024.checks, year=2024)
    pd.testing.assert_frame_equal(read, direct)
    assert "活动日期在2024年内" in read["检查项"].tolist()


def _cleaned(folder: Path, sheets: dict[str, list[list[object]]], year: int) -> dict:
    import csv

    from selfeval.clean import clean_year

    folder.mkdir(parents=True)
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return clean_year(folder, year).tables


def test_last_years_figures_stated_this_year_against_last_years_data(tmp_path):
    """上年数 (收入) and 上年执行数 (支出) against the previous year's own data: ✓ when they
    agree, ⚠ naming both when not; and a line executed over its budget is a ⚠ row."""
    unit = [["项目", "内容"], ["单位名称", "甲馆"]]
    spend = [
        "预算类型",
        "支出类别",
        "支出项目",
        "预算数（万元）",
        "执行数（万元）",
        "上年执行数（万元）",
    ]
    income = ["项目", "本年数（万元）", "上年数（万元）"]
    before = _cleaned(
        tmp_path / "2024",
        {
            "单位概况": unit,
            "收入": [
                income,
                ["收入合计", "80", ""],
                ["财政拨款收入", "70", ""],
                ["其他收入", "10", ""],
            ],
            "支出": [spend, ["一般公共预算", "基本支出", "人员支出", "60", "58.5", ""]],
        },
        2024,
    )
    now = _cleaned(
        tmp_path / "2025",
        {
            "单位概况": unit,
            "收入": [
                income,
                ["收入合计", "100", "80"],
                ["财政拨款收入", "90", "75"],
                ["其他收入", "10", "5"],
            ],
            "支出": [spend, ["一般公共预算", "基本支出", "人员支出", "60", "63", "56.5"]],
        },
        2025,
    )
    table = reconcile_year(now, {}, previous_tables=before, year=2025).set_index("检查项")
    assert table.loc["收入「收入合计」上年数与上年度数据（万元）", "结果"] == "✓"
    fiscal = table.loc["收入「财政拨款收入」上年数与上年度数据（万元）"]
    assert fiscal["结果"] == "⚠" and fiscal["差异"] == "+5.00"  # 75 stated, 70 in 2024
    line = table.loc["支出「一般公共预算·基本支出·人员支出」上年执行数与上年度数据（万元）"]
    # 56.5 stated against 2024's own 58.5: −2.00, and the 2024 figure is used
    assert line["结果"] == "⚠" and (line["来源数"], line["计算数"], line["差异"]) == (
        "56.50",
        "58.50",
        "-2.00",
    )
    assert "支出.csv" in line["说明"] and "第2行" in line["说明"]
    over = table.loc["一般公共预算·基本支出·人员支出执行率超过100%"]
    assert over["结果"] == "⚠" and over["来源数"] == "105.00"  # 63 / 60
