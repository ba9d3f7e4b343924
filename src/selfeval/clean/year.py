"""Raw year input → typed, tidy tables: every problem of a year collected (not only the first)
and raised together as one `InputError`; a successful run returns a `CleanResult` that
`selfeval.store.write_processed` stores atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from selfeval import read
from selfeval.clean.activities import clean_activities
from selfeval.clean.binder import BoundSheet, Context
from selfeval.clean.final_accounts import KIND, feed_final_accounts
from selfeval.clean.holdings import clean_holdings
from selfeval.clean.income import clean_income
from selfeval.clean.services import clean_digital, clean_satisfaction
from selfeval.clean.spending import clean_sangong, clean_spending
from selfeval.clean.targets import (
    clean_targets,
    clean_targets_with_form,
    form_spec,
    goal_texts,
    task_table,
)
from selfeval.clean.texts import clean_stated, clean_texts
from selfeval.clean.unit import clean_unit
from selfeval.contract import sheets as sc
from selfeval.errors import InputError, InternalError, Problem, problem
from selfeval.read import RawInput
from selfeval.read.grid import Grid
from selfeval.read.published import target_form


@dataclass
class CleanResult:
    """Cleaned tables of one year, the checks summary and metadata (see docs/architecture.md)."""

    tables: dict[str, pd.DataFrame]
    checks: dict
    meta: dict
    year: int = 0


CLEANERS = {
    "unit": clean_unit,
    "spending": clean_spending,
    "sangong": clean_sangong,
    "income": clean_income,
    "activities": clean_activities,
    "holdings": clean_holdings,
    "digital": clean_digital,
    "satisfaction": clean_satisfaction,
    "targets": clean_targets,
    "texts": clean_texts,
}


def _missing_sheet(raw: RawInput, spec: sc.SheetSpec) -> Problem:
    if raw.kind == "xlsx":
        where, expected = raw.files[0].name, f"工作簿中应有工作表「{spec.name}」"
        return problem(where, spec.name, None, None, "缺少工作表", expected=expected)
    name = f"{spec.name}.csv"
    return problem(name, spec.name, None, None, "缺少文件", expected=f"目录中应有「{name}」")


def _bind(raw: RawInput, spec: sc.SheetSpec, ctx: Context) -> BoundSheet | None:
    """The sheet of `spec` bound to its columns, or None (absent, empty, unreadable: a required
    sheet's absence is a problem; an optional sheet may be missing or hold only its header)."""
    sheet = raw.sheets.get(spec.name)
    if sheet is None:
        if spec.required:
            ctx.problems.append(_missing_sheet(raw, spec))
        return None
    if sheet.unreadable:
        return None
    if not sheet.headers and not sheet.rows:
        if spec.required:
            ctx.problems.append(
                problem(
                    sheet.file,
                    sheet.sheet,
                    None,
                    None,
                    "工作表为空",
                    expected="第1行为表头，其下为数据",
                )
            )
        return None
    bound = BoundSheet(sheet, spec, ctx)
    if not bound.ok:
        return None
    if not sheet.rows:
        if spec.required:
            ctx.problems.append(
                problem(
                    sheet.file,
                    sheet.sheet,
                    None,
                    None,
                    "只有表头，没有数据行",
                    expected="至少一行数据",
                )
            )
        return None
    return bound


def _clean_sheets(raw: RawInput, ctx: Context) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    stated: BoundSheet | None = None
    activities_failed = False
    forms = raw.published.get(target_form.KIND)
    for spec in sc.SHEETS:
        if spec.table == "targets" and forms:
            continue  # the approved 申报表 gives the rows: below
        bound = _bind(raw, spec, ctx)
        if bound is None:
            continue
        if spec.table == "stated":
            stated = bound  # checked against the activities' categories below
            continue
        before = len(ctx.problems)
        try:
            tables[spec.table] = CLEANERS[spec.table](bound, ctx)
        except (InputError, InternalError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug, not the data: say which file and sheet
            raise InternalError(bound.raw.file, spec.name, exc) from exc
        if spec.table == "activities" and len(ctx.problems) > before:
            activities_failed = True
    if stated is not None:
        cats: list[str] | None = None  # None: nothing to check against (one cause, one message)
        if "activities" in tables and not tables["activities"].empty and not activities_failed:
            cats = list(dict.fromkeys(tables["activities"]["category"].tolist()))
        tables["stated"] = clean_stated(stated, ctx, cats)
    _with_form(raw, forms, tables, ctx)
    known = set(sc.SHEETS_BY_NAME) | {"填表说明"}
    for name, sheet in raw.sheets.items():
        if name not in known and (sheet.rows or sheet.headers):
            ctx.warn(f"{sheet.file}：表「{name}」不是约定的表，已忽略", file=sheet.file, sheet=name)
    return tables


def _with_form(raw: RawInput, forms: list[Grid] | None, tables: dict, ctx: Context) -> None:
    """绩效目标 from the approved 申报表 (when there is one), with the results the clerk's sheet
    adds; its 年度总体目标 as 文字说明's 总体目标 when the clerk wrote none; its 年度主要任务."""
    if not forms:
        return
    bound = _bind(raw, form_spec(sc.SHEETS_BY_TABLE["targets"]), ctx)
    tables["targets"], form = clean_targets_with_form(forms, bound, ctx)
    if form is not None:
        texts = goal_texts(tables.get("texts"), form)
        if texts is not None:
            tables["texts"] = texts
        tasks = task_table(form, ctx)
        if tasks is not None:
            tables["tasks"] = tasks


def clean_year(raw_dir: Path, year: int) -> CleanResult:
    """Clean one year's raw input into typed tables; raises `InputError` with every problem."""
    raw_dir = Path(raw_dir)
    raw = read.find_raw_files(raw_dir)
    ctx = Context(year=year)
    ctx.problems.extend(raw.problems)
    # A workbook that could not be read at all is one problem: no sheet is then "missing".
    unreadable = raw.kind == "xlsx" and not raw.sheets and raw.problems
    tables = _clean_sheets(raw, ctx) if raw.kind and not unreadable else {}
    if raw.kind and not unreadable:  # the 决算 tables, checked, where the unit types none
        try:
            feed_final_accounts(raw, ctx, tables)
        except (InputError, InternalError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug, not the data: say which files
            grids = raw.published.get(KIND, [])
            files = "、".join(dict.fromkeys(g.file for g in grids))
            raise InternalError(files, None, exc) from exc
    for name in raw.ignored:
        ctx.warn(f"{raw_dir.name}/{name} 不是 .xlsx 或 .csv 文件，已忽略", file=name)
    if ctx.problems or not raw.kind:
        raise InputError(ctx.problems, year)
    unit = tables["unit"].set_index("item")["value"]
    meta = {
        "year": year,
        "unit_name": unit.get("单位名称"),
        "data_date": unit.get("填报日期") if "填报日期" in unit.index else None,
        # The hash of the bytes that were parsed (each file is read once), not a second read.
        "sources": [{"file": p.name, "sha256": raw.digests[p.name]} for p in raw.files],
        "contract_version": sc.CONTRACT_VERSION,
    }
    return CleanResult(tables=tables, checks=ctx.checks(), meta=meta, year=year)
