"""A report context for tests that exercise a few builders: every field of `ReportContext` given
(a year with no data at all), the fields a test is about set by keyword. A misspelt keyword is
a TypeError, as in the product."""

from __future__ import annotations

import pandas as pd

from selfeval.present.context import ActivityWords, ReportContext, SpendingView
from selfeval.present.scoring_view import FormHeader, ScoringView

#: A 自评表 with nothing in it (a test about it builds one with `scoring_view`).
EMPTY_FORM = ScoringView(
    title="部门整体支出绩效自评表",
    header=FormHeader("部门（单位）名称", "某单位", "未填报", "某单位"),
    unit="万元",
    funds=[],
    funds_note="",
    funds_derivation="",
    unscored_funds=True,
    goal="未填报",
    achieved="未填报",
    rows=[],
    targets_given=False,
    weight_total="—",
    total="未计算",
    total_stated=False,
    stated_notes=[],
    grade="未评定",
    unscored_reason="",
    rules="",
    warnings=[],
)


def context(**fields) -> ReportContext:
    """A context of the unit 某单位 for 2031 with nothing given, `fields` replacing defaults."""
    year = fields.get("year", 2031)
    base = {
        "year": year,
        "unit_name": "某单位",
        "amount_unit": "万元",
        "title": "",
        "data_date": None,
        "data_day": None,
        "unit": {},
        "unit_extra": {},
        "texts": {},
        "income": None,
        "spending": SpendingView(None, {}, False, False, {}),
        "sangong": [],
        "sangong_total": None,
        "budget_types": (),
        "spending_figures": [],
        "subsections": [],
        "categories": [],
        "totals": None,
        "words": ActivityWords("赠送", "资料"),
        "undated": 0,
        "activity_figures": [],
        "satisfaction": [],
        "digital": [],
        "holdings": None,
        "holdings_figures": [],
        "indicator_figures": [],
        "yoy_figures": [],
        "summary": {},
        "yoy": None,
        "previous_year": year - 1,
        "scoring": None,
        "targets_given": False,
        "deviations": [],
        "reconciliation": pd.DataFrame(),
        "scoring_view": EMPTY_FORM,
        "project_views": [],
        "report_format": "",
        "source": f"某单位{year}年度填报数据",
        "department": None,
        "missing": [],
    }
    return ReportContext(**(base | fields))
