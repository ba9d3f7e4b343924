"""A 主管部门's figures over its units (issue 19): numbers only, from stored results.

Inputs are JSON values, as the batch stores and ships them: the department's own results.json
and, per declared unit, the entry run.department.units_payload builds (``unit_name``,
``results``: that unit's results.json for the year or None). Every sum is taken only over the
units whose figure is known, and names the units that lack it: a missing figure is never 0.

The department as a whole (部门整体) is the department's own unit (本级) plus its units; its
stated totals, when its 单位概况 gives 「部门合计预算数」/「部门合计执行数」 (万元), are reconciled
against that sum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from selfeval.rules import parts_tolerance

#: 单位概况 items a department may state for the department as a whole (万元).
STATED_BUDGET_ITEM = "部门合计预算数"
STATED_ACTUAL_ITEM = "部门合计执行数"


@dataclass
class UnitRow:
    """One unit in the department's table."""

    name: str
    built: bool
    budget: float | None
    actual: float | None
    execution_rate: float | None
    score: float | None
    grade: str | None
    flagged_checks: int | None


@dataclass
class Sum:
    """A figure summed over the units that state it; `lacking` names the others."""

    label: str
    value: float | None
    counted: list[str] = field(default_factory=list)
    lacking: list[str] = field(default_factory=list)


@dataclass
class Reconciliation:
    """A total the department states against the sum of 本级 and its units."""

    label: str
    stated: float
    computed: float | None
    difference: float | None
    ok: bool | None
    lacking: list[str] = field(default_factory=list)


@dataclass
class DepartmentFigures:
    name: str
    year: int | None
    rows: list[UnitRow]
    by_type: dict[str, dict[str, Sum]]  # budget type -> {"budget": Sum, "actual": Sum}
    total: dict[str, Sum]  # {"budget": Sum, "actual": Sum}, units only
    reconciliation: list[Reconciliation]
    without_data: list[str]


def _figures(results: dict | None) -> dict:
    return (results or {}).get("figures") or {}


def _number(value: Any) -> float | None:
    """A JSON value as a float, None when absent or not a number (no pandas: the index page
    of a batch reads these too, and its parent process must not import pandas for it)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def spending_totals(results: dict | None) -> dict[str, dict[str, float | None]]:
    """{budget type: {"budget", "actual"}} of one unit's results (None where not stated)."""
    types = (_figures(results).get("spending") or {}).get("types") or {}
    out = {}
    for budget_type, entry in types.items():
        if not isinstance(entry, dict):
            continue
        total = entry.get("total") or {}
        out[budget_type] = {m: _number(total.get(m)) for m in ("budget", "actual")}
    return out


def _overall(totals: dict[str, dict[str, float | None]], measure: str) -> float | None:
    values = [t[measure] for t in totals.values()]
    if not values or any(v is None for v in values):
        return None
    return sum(values)


def unit_row(name: str, results: dict | None) -> UnitRow:
    """A unit's execution rate, score, grade and flagged checks (None where unknown)."""
    if results is None:
        return UnitRow(name, False, None, None, None, None, None, None)
    totals = spending_totals(results)
    budget, actual = _overall(totals, "budget"), _overall(totals, "actual")
    scoring = results.get("scoring") or {}
    funds = scoring.get("funds") or {}
    rate = _number(funds.get("rate"))
    if rate is None and budget and actual is not None:
        rate = actual / budget * 100
    checks = results.get("checks")
    flagged = sum(1 for c in checks if not c.get("ok")) if isinstance(checks, list) else None
    return UnitRow(
        name,
        True,
        budget,
        actual,
        rate,
        _number(scoring.get("total")),
        scoring.get("grade") or None,
        flagged,
    )


def _sum(label: str, values: list[tuple[str, float | None]]) -> Sum:
    counted = [n for n, v in values if v is not None]
    lacking = [n for n, v in values if v is None]
    known = [v for _, v in values if v is not None]
    return Sum(label, sum(known) if known else None, counted, lacking)


def department_figures(own: dict | None, units: list[dict]) -> DepartmentFigures:
    """The department's table of units, sums by budget type, and reconciliation."""
    fig = _figures(own)
    names = [str(u.get("unit_name") or u.get("declared") or "") for u in units]
    rows = [unit_row(n, u.get("results")) for n, u in zip(names, units, strict=True)]
    per_unit = [spending_totals(u.get("results")) for u in units]
    types: list[str] = []
    for totals in [spending_totals(own), *per_unit]:
        types += [t for t in totals if t not in types]
    by_type = {
        t: {
            m: _sum(
                f"{t}{'预算数' if m == 'budget' else '执行数'}",
                [(n, totals.get(t, {}).get(m)) for n, totals in zip(names, per_unit, strict=True)],
            )
            for m in ("budget", "actual")
        }
        for t in types
    }
    total = {m: _sum("合计", [(r.name, getattr(r, m)) for r in rows]) for m in ("budget", "actual")}
    own_totals = spending_totals(own)
    unit_items = fig.get("unit") or {}
    reconciliation = []
    for item, measure in ((STATED_BUDGET_ITEM, "budget"), (STATED_ACTUAL_ITEM, "actual")):
        stated = _number(unit_items.get(item))
        if stated is None:
            continue
        own_value = _overall(own_totals, measure)
        part = total[measure]
        lacking = list(part.lacking) + ([] if own_value is not None else ["本级"])
        computed = None if lacking or part.value is None else part.value + own_value
        difference = None if computed is None else stated - computed
        allowed = parts_tolerance([2] * (len(units) + 2))  # each part stated to 0.01 万元
        ok = None if difference is None else abs(difference) <= allowed
        reconciliation.append(Reconciliation(item, stated, computed, difference, ok, lacking))
    return DepartmentFigures(
        name=str(fig.get("unit_name") or ""),
        year=fig.get("year"),
        rows=rows,
        by_type=by_type,
        total=total,
        reconciliation=reconciliation,
        without_data=[r.name for r in rows if not r.built],
    )
