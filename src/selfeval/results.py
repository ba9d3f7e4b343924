"""A year's results, computed once in 02 and stored: its figures, the 绩效自评表's scores, the
数据核对 checks and the warnings of the build summary.

02 writes them as ``results.json`` (and the headline figures as ``summary.json``); 03 reads this
year's and the previous year's and only presents. The JSON form is made and read back through
pydantic's TypeAdapter over the dataclasses of the figures, scoring and checks modules, so a
stored year reads back into exactly the objects that were computed (tests check the round trip).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from selfeval.checks import Check, reconcile_year, same_unit
from selfeval.contract.frames import required_items
from selfeval.figures.department import DepartmentFigures, department_figures
from selfeval.figures.members import MemberUnit, MemberYear
from selfeval.figures.year import YearFigures, YoyRow, compute_figures, year_on_year
from selfeval.scoring import ScoreResult, cleaner_warnings, score_tables

RESULTS_FILE = "results.json"


@dataclass
class YearResults:
    """Everything 02 computes for a year."""

    figures: YearFigures
    #: The unit's 绩效自评表 (its funds block stands even without 绩效目标).
    scoring: ScoreResult
    checks: list[Check]
    #: A 项目支出绩效自评表 for each project that has targets.
    projects: list[ScoreResult] = field(default_factory=list)
    #: The cleaner's warnings; each 自评表's own are data on it (`ScoreResult.warnings`), worded
    #: with these by `selfeval.present.scoring_view.year_warnings`.
    warnings: list[str] = field(default_factory=list)
    #: Headline figures against the previous year of the same unit (None: no comparable year).
    yoy: list[YoyRow] | None = None
    #: A 主管部门's department as a whole (本级 and its units; None for any other unit).
    department: DepartmentFigures | None = None

    #: What the report's frame requires of a 报送稿 and the data lacks (`missing_items`); a
    #: year with any is built as a 草稿 (征求意见稿).
    missing: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        """summary.json: the headline figures, the cleaner's warnings (02 writes the build
        summary's, the 自评表s' worded after them) and what the 报送稿 lacks (the year is a 草稿
        when that is not empty)."""
        return {**self.figures.summary, "warnings": list(self.warnings), "missing": self.missing}


def compute_year(
    tables: dict[str, pd.DataFrame],
    meta: dict,
    checks: dict,
    year: int,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    previous_summary: dict | None = None,
    units: list[MemberUnit] | None = None,
) -> YearResults:
    """Figures, scores and checks of one year from its processed tables; year-1's tables (for
    the cross-year checks) and summary.json (for the comparison) when that year was built.

    `units` (a 主管部门's year: its units as `figures.members.units_from_json` reads them from
    units.json): the department as a whole is computed over this year's own results (本级)
    and theirs."""
    tables_scored = score_tables(tables)
    if previous_tables is not None and not same_unit(tables, previous_tables):
        previous_tables = None  # another unit's year is no previous year of this one
    figures = compute_figures(tables, meta, year, previous_tables)
    results = YearResults(
        figures=figures,
        scoring=tables_scored[0],
        checks=reconcile_year(tables, checks, previous_tables, year=year),
        projects=tables_scored[1:],
        warnings=cleaner_warnings(checks),
        yoy=year_on_year(figures.summary, previous_summary, figures.stated_previous),
    )
    if units is not None:  # 本级 read as its units are: from its stored form
        own = MemberYear.from_json(json.loads(to_json(results)), f"本级 {figures.unit_name}")
        results.department = department_figures(own, units)
    results.missing = missing_items(results, required_items(figures.unit.get("报告格式")))
    return results


def _has_text(results: YearResults, key: str) -> bool:
    return bool(results.figures.texts.get(key, {}).get("paragraphs"))


def _item_present(results: YearResults, item: str) -> bool:
    """Whether the year has what a 报送稿 requires under `item` (contract.frames.REQUIRED_ITEMS)."""
    fig, scoring = results.figures, results.scoring
    general = fig.spending.types.get("一般公共预算")
    if item == "unit_name":
        return bool(fig.unit_name)
    if item == "budget":
        return fig.spending.any_budget
    if item == "actual":
        return general is not None and general.total.actual is not None
    if item == "targets":
        return scoring.targets_given
    # Without 绩效目标, 「targets」 is the one root cause: results and the score follow from it.
    if item == "results":
        return not scoring.targets_given or all(r["实际完成值"] for r in scoring.indicators)
    if item == "conclusion":
        return not scoring.targets_given or scoring.total is not None
    if item == "problems_measures":
        explained = all(d.cause and d.measure for d in scoring.deviations)
        written = _has_text(results, "存在问题") and _has_text(results, "改进措施")
        return not scoring.deviations or explained or written
    if item == "application":
        return _has_text(results, "结果应用")
    if item == "data_date":
        return bool(fig.data_date)
    raise ValueError(f"unknown required item {item!r}")


def missing_items(results: YearResults, required: tuple[str, ...]) -> list[str]:
    """The required items (in the frame's order) that the year's data does not give."""
    return [item for item in required if not _item_present(results, item)]


@cache
def _adapter() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(YearResults)


def to_json(results: YearResults) -> str:
    """The stored form of a year's results (UTF-8 JSON text, stable across runs)."""
    return _adapter().dump_json(results, indent=1).decode("utf-8") + "\n"


def from_json(text: str | bytes) -> YearResults:
    """A year's results as stored by `to_json`."""
    return _adapter().validate_json(text)
