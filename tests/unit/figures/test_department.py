"""A 主管部门's figures over its units: sums only over known figures, lacking units named."""

from __future__ import annotations

import pytest

from selfeval.figures.department import department_figures, unit_row


def _results(name, types, score=None, grade=None, rate=None, checks=(True,), unit_items=None):
    """The parts of a results.json the department reads."""
    return {
        "figures": {
            "unit_name": name,
            "year": 2024,
            "unit": unit_items or {"单位名称": name},
            "spending": {
                "types": {
                    t: {"total": {"budget": b, "actual": a}} if (b, a) != (None, None) else None
                    for t, (b, a) in types.items()
                }
            },
        },
        "scoring": None
        if score is None
        else {"total": score, "grade": grade, "funds": {"rate": rate}},
        "checks": [{"ok": ok} for ok in checks],
    }


def _unit(name, results):
    return {"declared": name, "unit_name": name, "results": results}


def test_sums_count_only_known_figures_and_name_the_units_that_lack_them():
    own = _results(
        "局本级",
        {"一般公共预算": (50.0, 45.0)},
        unit_items={"单位名称": "局本级", "部门合计预算数": "180.00", "部门合计执行数": "160"},
    )
    units = [
        _unit("图书馆", _results("图书馆", {"一般公共预算": (100.0, 90.0)}, 88.5, "良", 90.0)),
        _unit("文化馆", _results("文化馆", {"一般公共预算": (None, 25.0)}, checks=(True, False))),
        _unit("文管所", None),
    ]
    d = department_figures(own, units)
    assert d.name == "局本级" and d.without_data == ["文管所"]
    library, culture, museum = d.rows
    assert (library.execution_rate, library.score, library.grade) == (90.0, 88.5, "良")
    assert library.flagged_checks == 0 and culture.flagged_checks == 1
    assert culture.execution_rate is None and culture.budget is None  # no budget: no rate
    assert museum.built is False and museum.actual is None
    budget = d.by_type["一般公共预算"]["budget"]
    actual = d.by_type["一般公共预算"]["actual"]
    assert budget.value == 100.0 and budget.lacking == ["文化馆", "文管所"]
    assert actual.value == 115.0 and actual.counted == ["图书馆", "文化馆"]
    assert actual.lacking == ["文管所"]
    # 部门合计 = 本级 + units: unknown while a unit lacks the figure, never a wrong total
    by_label = {c.label: c for c in d.reconciliation}
    assert by_label["部门合计执行数"].computed is None
    assert by_label["部门合计执行数"].lacking == ["文管所"]
    assert by_label["部门合计执行数"].ok is None


def test_reconciliation_against_own_plus_units():
    own = _results(
        "局本级",
        {"一般公共预算": (50.0, 45.0)},
        unit_items={"部门合计预算数": "150.00", "部门合计执行数": "140"},
    )
    units = [
        _unit("图书馆", _results("图书馆", {"一般公共预算": (100.0, 90.0)})),
    ]
    by_label = {c.label: c for c in department_figures(own, units).reconciliation}
    assert by_label["部门合计预算数"].computed == 150.0 and by_label["部门合计预算数"].ok
    actual = by_label["部门合计执行数"]
    assert actual.computed == 135.0 and actual.difference == pytest.approx(5.0)
    assert actual.ok is False


def test_a_unit_row_of_a_unit_without_scoring_takes_the_rate_from_its_totals():
    row = unit_row(
        "图书馆", _results("图书馆", {"一般公共预算": (80.0, 60.0), "政府性基金预算": (None, None)})
    )
    assert row.budget == 80.0 and row.actual == 60.0 and row.execution_rate == 75.0
    assert row.score is None and row.grade is None
