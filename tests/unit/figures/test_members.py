"""A department's members read from their stored results once (figures.members): a real
results.json reads into the typed figures the sums use, and a malformed one is refused with one
Chinese message naming the unit, the file and each key, instead of being summed.

The stored year is the real 2024 data (data/raw/2024), cleaned and computed as 02 does; its
figures are worked out by hand from 支出.csv: 基本支出 69.78 + 项目支出 39.39 = 109.17万元 of
一般公共预算, no 预算数, the three other 预算类型 stated as 0."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from selfeval import results
from selfeval.clean import clean_year
from selfeval.errors import MemberResultsError, UserFacingError
from selfeval.figures.department import department_figures, unit_row
from selfeval.figures.income import Income, IncomeLine
from selfeval.figures.members import MemberUnit, MemberYear, units_from_json

REPO = Path(__file__).resolve().parents[3]
UNITS_JSON = "data/processed/bureau/2024/units.json"


@pytest.fixture(scope="module")
def stored() -> dict:
    """The real 2024 year's results.json, as a JSON value."""
    cleaned = clean_year(REPO / "data" / "raw" / "2024", 2024)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, 2024)
    return json.loads(results.to_json(computed))


def _entry(stored_results: dict | None) -> dict:
    """A units.json entry as run.department.units_payload writes it."""
    return {
        "declared": "center",
        "folder": "center",
        "unit_name": "云溪区图书馆",
        "year": 2024,
        "results": stored_results,
        "summary": None,
    }


def test_a_stored_year_reads_into_the_figures_a_department_sums(stored):
    [unit] = units_from_json([_entry(stored)], UNITS_JSON)
    member = unit.results
    assert (unit.name, unit.folder, unit.declared) == ("云溪区图书馆", "center", "center")
    assert (member.unit_name, member.year, member.amount_unit) == ("云溪区图书馆", 2024, "万元")
    general = member.types["一般公共预算"]
    assert general.total.actual == pytest.approx(69.78 + 39.39)
    assert general.total.budget is None and general.total.actual_decimals == 2
    assert general.categories["基本支出"].actual == 69.78
    assert [i.label for i in general.items["基本支出"]] == ["人员支出", "公用支出"]
    assert member.types["政府性基金预算"].total.actual == 0
    assert (member.score, member.grade, member.rate, member.stated_rate) == (None,) * 4
    row = unit_row("云溪区图书馆", member)  # 109.17 + three types stated as 0
    assert row.actual == pytest.approx(109.17) and row.budget is None
    assert row.execution_rate is None
    own = MemberYear.from_json(stored, "本级")
    d = department_figures(own, [unit])
    assert d.spending[0].actual.value == pytest.approx(2 * 109.17)
    assert d.spending[0].actual.counted == ["本级", "云溪区图书馆"]


def test_income_reads_with_its_parts_as_the_figures_store_it(stored):
    """收入 as figures.income stores it (one source with a part, 上年结转结余 beside the total):
    the department sums 本级 and the unit line by line, 2 × each figure by hand."""
    income = Income(
        IncomeLine("收入合计", 100.0, current_decimals=2),
        [
            IncomeLine(
                "财政拨款收入", 95.5, current_decimals=1, parts=[IncomeLine("一般公共预算", 90.0)]
            )
        ],
        IncomeLine("上年结转结余", 3.25, current_decimals=2),
    )
    with_income = copy.deepcopy(stored)
    with_income["figures"]["income"] = TypeAdapter(Income).dump_python(income, mode="json")
    [unit] = units_from_json([_entry(with_income)], UNITS_JSON)
    lines = department_figures(MemberYear.from_json(with_income, "本级"), [unit]).income
    sums = {(i.level, i.label): (i.current.value, i.current.decimals) for i in lines}
    assert sums == {
        (0, "收入合计"): (200.0, 2),
        (1, "财政拨款收入"): (191.0, 1),
        (2, "一般公共预算"): (180.0, None),
        (1, "上年结转结余"): (6.5, 2),
    }


def test_a_unit_without_a_built_year_has_no_results():
    [unit] = units_from_json([_entry(None)], UNITS_JSON)
    assert unit.results is None and unit.name == "云溪区图书馆"
    assert units_from_json(None) is None  # no units.json: the year is no department's


def _refused(payload) -> str:
    with pytest.raises(MemberResultsError) as info:
        units_from_json(payload, UNITS_JSON)
    assert isinstance(info.value, UserFacingError)
    return str(info.value)


def test_a_missing_key_is_named_with_the_unit_and_its_file(stored):
    broken = copy.deepcopy(stored)
    del broken["figures"]["spending"]
    message = _refused([_entry(broken)])
    assert "下属单位「云溪区图书馆」" in message
    assert UNITS_JSON in message and "data/processed/center/2024/results.json" in message
    assert "figures.spending 缺少此项" in message
    assert '请重新生成该单位的该年度（make report UNITS="center" YEARS="2024"' in message
    assert "figures.spending: Field required" in message  # and in English


def test_a_figure_of_the_wrong_type_is_refused_not_read_as_another_number(stored):
    """「109,17」 (a decimal comma) is no stored figure: read leniently it would be 10917万元."""
    broken = copy.deepcopy(stored)
    broken["figures"]["spending"]["types"]["一般公共预算"]["total"]["actual"] = "109,17"
    broken["checks"] = {"ok": False}
    message = _refused([_entry(broken)])
    assert "figures.spending.types.一般公共预算.total.actual 应为数字" in message
    assert "checks 应为列表" in message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"declared": "center"}, ["units.json 中的第 1 项下属单位格式不符", "unit_name 缺少此项"]),
        ({"declared": "center", "unit_name": 3}, ["unit_name 应为文字"]),
        (_entry([]), ["results 应为键值对象", "请重新生成主管部门的该年度"]),
    ],
)
def test_a_malformed_units_json_entry_says_which_key(entry, expected):
    message = _refused([entry])
    assert all(part in message for part in expected), message


def test_units_json_that_is_no_list_is_refused():
    assert "应为下属单位的列表" in _refused({"declared": "center"})


def test_members_are_frozen(stored):
    member = MemberYear.from_json(stored, "本级")
    with pytest.raises(AttributeError):
        member.score = 100.0  # type: ignore[misc]
    assert isinstance(MemberUnit("甲馆", None), MemberUnit)
