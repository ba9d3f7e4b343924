"""数据核对 checks: every figure the sources state beside what the rows give, marked ✓ or ⚠.

``reconcile_year`` returns one `Check` per row: the figures as numbers with how they are
written (`Figure`), and what the row concerns as wording codes with their facts (names,
numbers, input rows), never sentences: `selfeval.present.checks_view` words them from
``present/wording/checks.toml``. 差异 is always 来源数 − 计算数.

Activity totals follow docs/architecture.md: listings sharing an 编号 are one event (each
measure from the listing that states it); a summary listing (``includes``) and its members form
one group counting ``max(summary value, sum of members)`` per measure; a listing that states no
场次 counts as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from selfeval.contract import sheets as sc
from selfeval.figures.activities import activity_total, has_summaries
from selfeval.figures.holdings import holdings_growth
from selfeval.rules import as_text as _text
from selfeval.rules import (
    execution_rate,
    half_unit,
    is_year_folder,
    qualified_matches,
    split_ids,
)
from selfeval.rules import is_missing as _missing

YEARLY_KEYS = sc.STATED_YEARLY
HOLDINGS_GROWTH_KEY = sc.HOLDINGS_GROWTH_KEY
CATEGORY_MEASURES = sc.STATED_CATEGORY
MEASURE_NAMES = {"events": "活动项数", **{v: k for k, v in sc.STATED_CATEGORY.items()}}
KEY_SEPARATOR = sc.STATED_SEPARATOR
_GRAND_TOTAL_NAMES = {"合计", "总计", "支出合计", "总合计"}


# ---------------------------------------------------------------------------------------------
# figures


@dataclass(frozen=True)
class Figure:
    """A number of a check and how it is written: ``count`` (integer when whole), ``dec`` (two
    decimals), ``money`` (an amount held in 万元, written in the report's 金额单位), ``any``
    (count when whole, else two decimals), ``text`` (as the source wrote it, e.g. 500多);
    ``signed`` puts a plus before a positive difference."""

    value: float | str | None
    kind: str = "count"
    signed: bool = False


def C(value: Any, signed: bool = False) -> Figure:
    return Figure(None if _missing(value) else float(value), "count", signed)


def D(value: Any, signed: bool = False) -> Figure:
    return Figure(None if _missing(value) else float(value), "dec", signed)


def M(value: Any, signed: bool = False) -> Figure:
    return Figure(None if _missing(value) else float(value), "money", signed)


def A(value: Any, signed: bool = False) -> Figure:
    if isinstance(value, str):
        return Figure(value, "text", signed)
    return Figure(None if _missing(value) else float(value), "any", signed)


def T(text: str) -> Figure:
    return Figure(text, "text")


NONE = Figure(None, "text")


#: Every wording code a check may carry and the facts its template may use: the contract
#: between this module and ``present/wording/checks.toml`` (tests/unit/test_wording.py).
CODES: dict[str, frozenset[str]] = {
    code: frozenset(facts.split())
    for code, facts in {
        "where": "where",
        "unit_note": "unit_note",
        "spending_total": "label column unit",
        "spending_total_sum": "terms computed unit",
        "spending_total_unfilled": "unfilled column",
        "spending_total_rounding": "",
        "spending_total_beyond": "",
        "recorded": "item",
        "recorded_unnamed": "",
        "recorded_message": "message",
        "summary_group": "",
        "summary_group_note": "name event_id names ids",
        "summary_measure": "measure",
        "summary_measure_note": "name category names computed",
        "summary_measure_agrees": "",
        "summary_measure_differs": "group",
        "multi_listed": "",
        "multi_listed_note": "names event_id categories",
        "growth": "",
        "growth_unit": "",
        "growth_unknown": "",
        "growth_basis": "y0 y1 h0 h1 span avg",
        "growth_unstated": "",
        "growth_stop": "",
        "growth_near": "years near y0 y1 span",
        "growth_claim_note": "claim_note",
        "stated_yearly": "key",
        "stated_category": "category name",
        "stated_key": "key",
        "stated_unit": "claim_unit",
        "stated_no_rows": "",
        "stated_unknown_key": "",
        "stated_not_filled": "",
        "stated_claim_note_after": "claim_note",
        "stated_claim_note": "claim_note",
        "stated_agrees": "",
        "stated_differs": "",
        "terms_records": "listings events",
        "terms_sessions_default": "listings",
        "terms_counts": "counts",
        "satisfaction": "survey",
        "satisfaction_note": "satisfied sample computed",
        "date_outside": "column year",
        "date_outside_note": "name column where",
        "dates_inside": "year",
        "dates_inside_note": "listings year",
        "holdings_added": "year",
        "holdings_added_note": "year previous",
        "previous_holdings": "year",
        "previous_holdings_agrees": "",
        "previous_holdings_differs": "",
        "rate_over": "label",
        "rate_over_note": "actual budget unit rate",
        "rate_over_unit_note": "unit_note",
        "income_previous": "item unit",
        "income_previous_agrees": "",
        "income_previous_differs": "",
        "spending_previous": "label unit",
        "spending_previous_agrees": "",
        "spending_previous_differs": "",
    }.items()
}


@dataclass(frozen=True)
class Check:
    """One 数据核对 row: what is checked (the wording codes of 检查项), whether it holds, the
    figures, and the wording codes of its explanation (说明), both filled from `facts`."""

    item: tuple[str, ...]
    ok: bool
    stated: Figure
    computed: Figure
    difference: Figure
    note: tuple[str, ...]
    facts: dict[str, Any]


def _row(
    item: tuple[str, ...],
    ok: bool,
    stated: Figure,
    computed: Figure,
    diff: Figure,
    note: tuple[str, ...],
    /,
    **facts: Any,
) -> Check:
    """A check, its codes held to `CODES`: a code unknown or a fact missing is a program error,
    caught here rather than as a broken sentence in a report."""
    for code in (*item, *note):
        if code not in CODES or not CODES[code] <= facts.keys():
            raise KeyError(f"check wording {code!r}: unknown code or facts missing")
    return Check(tuple(item), ok, stated, computed, diff, tuple(note), facts)


def _where(row: pd.Series) -> list[Any]:
    """[文件, 工作表, 行号] of a processed row, for 说明 (blanks left out when worded)."""
    src_row = row.get("src_row")
    row_number = None if _missing(src_row) else int(src_row)
    return [_text(row.get("src_file")), _text(row.get("src_sheet")), row_number]


# ---------------------------------------------------------------------------------------------
# 合计 rows of the spending table


def _parts_of(spending: pd.DataFrame, total: pd.Series) -> pd.DataFrame:
    parts = spending[~spending["is_total"].fillna(False).astype(bool)]
    budget_type = _text(total.get("budget_type"))
    if not budget_type or budget_type in _GRAND_TOTAL_NAMES:
        return parts
    parts = parts[parts["budget_type"].fillna("").astype(str).str.strip() == budget_type]
    category = _text(total.get("category"))
    categories = parts["category"].fillna("").astype(str).str.strip()
    if category:
        return parts[categories == category]
    # a type's 合计: a category's stated 合计 stands for its rows (as clean.spending reconciles)
    stated = spending[
        spending["is_total"].fillna(False).astype(bool)
        & (spending["budget_type"].fillna("").astype(str).str.strip() == budget_type)
        & (spending["category"].fillna("").astype(str).str.strip() != "")
    ]
    covered = set(stated["category"].astype(str).str.strip())
    return pd.concat([stated, parts[~categories.isin(covered)]])


def check_spending_totals(spending: pd.DataFrame | None, unit: str = "万元") -> list[Check]:
    """Each stated 合计 row (budget and actual) against the sum of its parts, within rounding;
    amounts in the report's 金额单位 `unit`."""
    if spending is None or spending.empty:
        return []
    out = []
    totals = spending[spending["is_total"].fillna(False).astype(bool)]
    for _, total in totals.iterrows():
        parts = _parts_of(spending, total)
        label = _text(total.get("category")) or _text(total.get("budget_type"))
        label = f"{label}{_text(total.get('item'))}" if label else _text(total.get("item"))
        for column, name in (("actual", "执行数"), ("budget", "预算数")):
            stated = total.get(column)
            if _missing(stated):
                continue
            known = parts[parts[column].notna()]
            if parts.empty or known.empty:
                continue
            computed = float(known[column].sum())
            diff = float(stated) - computed
            tolerance = half_unit(total.get(f"{column}_decimals")) + sum(
                half_unit(d) for d in known[f"{column}_decimals"]
            )
            ok = abs(diff) <= tolerance + 1e-9 and len(known) == len(parts)
            terms = [(_text(p.get("item")), float(p[column])) for _, p in known.iterrows()]
            note = ["spending_total_sum"]
            if len(known) < len(parts):
                note.append("spending_total_unfilled")
            elif ok and abs(diff) > 1e-9:
                note.append("spending_total_rounding")
            elif not ok:
                note.append("spending_total_beyond")
            if _text(total.get("note")):  # the unit's own reason, beside the figures it explains
                note.append("unit_note")
            out.append(
                _row(
                    ("spending_total",),
                    ok,
                    M(stated),
                    M(computed),
                    M(diff, signed=True),
                    (*note, "where"),
                    label=label,
                    column=name,
                    unit=unit,
                    terms=terms,
                    computed=computed,
                    unfilled=len(parts) - len(known),
                    unit_note=_text(total.get("note")),
                    where=_where(total),
                )
            )
    return out


def check_recorded(checks: dict | None, covered: set[tuple[str, int]]) -> list[Check]:
    """Reconciliations the cleaner recorded in checks.json that the tables cannot recompute."""
    out = []
    for entry in (checks or {}).get("reconciled", []) or []:
        sheet, row = entry.get("sheet"), entry.get("row")
        if sheet is not None and row is not None and (str(sheet), int(row)) in covered:
            continue
        stated, computed = entry.get("stated"), entry.get("computed")
        difference = entry.get("difference")
        if difference is None and stated is not None and computed is not None:
            difference = float(stated) - float(computed)
        if "ok" in entry:
            ok = bool(entry["ok"])
        elif difference is not None:
            tolerance = entry.get("tolerance")
            ok = abs(float(difference)) <= (float(tolerance) if tolerance is not None else 1e-9)
        else:
            ok = True
        where = [entry.get("file"), sheet, int(row) if row else None]
        figure = M if entry.get("money") else A  # an amount, in the report's 金额单位
        item = str(entry.get("item") or entry.get("message") or "")
        message = str(entry.get("message") or "")
        out.append(
            _row(
                ("recorded",) if item else ("recorded_unnamed",),
                ok,
                figure(stated),
                figure(computed),
                figure(float(difference), signed=True) if difference is not None else NONE,
                ("recorded_message", "where") if message else ("where",),
                item=item,
                message=message,
                where=where,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# activity totals


def _category_rows(acts: pd.DataFrame, category: str) -> pd.DataFrame:
    return acts[acts["category"].fillna("").astype(str).str.strip() == category]


def check_summaries(acts: pd.DataFrame | None) -> list[Check]:
    """Each summary listing's stated figures against the sum of its members' figures."""
    if acts is None or acts.empty or "includes" not in acts.columns:
        return []
    out = []
    present = acts.drop_duplicates("event_id").set_index("event_id", drop=False)
    for _, row in acts[acts["includes"].notna()].iterrows():
        members = [m for m in split_ids(row["includes"]) if m in present.index]
        if not members:
            continue
        names = [_text(present.loc[m, "name"]) or m for m in members]
        name = _text(row.get("name"))
        out.append(
            _row(
                ("summary_group",),
                True,
                C(len(members) + 1),
                C(1),
                C(len(members), signed=True),
                ("summary_group_note",),
                name=name,
                event_id=str(row["event_id"]),
                names=names,
                ids=members,
            )
        )
        for measure in ("sessions", "offline", "online", "books", "materials"):
            stated = row.get(measure)
            if _missing(stated):
                continue
            known = [v for m in members if (v := _stated_value(acts, m, measure)) is not None]
            if not known:  # the members state nothing to compare with
                continue
            if measure == "sessions":  # a member stating no 场次 counts as one
                known += [1.0] * sum(_stated_value(acts, m, measure) is None for m in members)
            computed = float(sum(known))
            qualifier = _text(row.get(f"{measure}_q"))
            stated_text = _text(row.get(f"{measure}_text"))
            ok = qualified_matches(float(stated), qualifier, computed)
            group_value = max(float(stated), computed)
            verdict = "summary_measure_agrees" if ok else "summary_measure_differs"
            out.append(
                _row(
                    ("summary_measure",),
                    ok,
                    T(stated_text) if stated_text else C(stated),
                    C(computed),
                    C(float(stated) - computed, signed=True),
                    ("summary_measure_note", verdict),
                    measure=MEASURE_NAMES[measure],
                    name=name,
                    category=_text(row.get("category")),
                    names=names,
                    computed=computed,
                    group=group_value,
                )
            )
    return out


def _stated_value(acts: pd.DataFrame, event_id: str, measure: str) -> float | None:
    stated = acts.loc[acts["event_id"] == event_id, measure].dropna()
    return float(stated.iloc[0]) if not stated.empty else None


def check_multi_listed(acts: pd.DataFrame | None) -> list[Check]:
    """Events listed under several categories: shown under each, counted once in totals."""
    if acts is None or acts.empty:
        return []
    out = []
    for event_id, group in acts.groupby("event_id", sort=False):
        if len(group) < 2:
            continue
        categories = list(group["category"].astype(str).unique())
        names = [n for n in dict.fromkeys(_text(x) for x in group["name"]) if n]
        out.append(
            _row(
                ("multi_listed",),
                True,
                C(len(group)),
                C(1),
                C(len(group) - 1, signed=True),
                ("multi_listed_note",),
                names=names,
                event_id=str(event_id),
                categories=categories,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# stated figures


def _growth(holdings: pd.DataFrame | None) -> tuple[float, int, int, float, float] | None:
    """(average yearly growth, first year, last year, first, last holdings) by the figures' rule."""
    if holdings is None or holdings.empty:
        return None
    last = int(holdings.dropna(subset=["holdings"])["year"].max())
    found = holdings_growth({"holdings": holdings}, last)
    if found is None or found.first_year is None or found.average_increase is None:
        return None
    return (
        found.average_increase,
        found.first_year,
        found.year,
        float(found.first_holdings),
        float(found.holdings),
    )


def _growth_rows(holdings: pd.DataFrame | None, stated: pd.DataFrame | None) -> list[dict]:
    growth = _growth(holdings)
    claims = (
        stated[stated["indicator"].astype(str).str.strip() == HOLDINGS_GROWTH_KEY]
        if stated is not None and not stated.empty
        else None
    )
    if growth is None:
        if claims is not None and not claims.empty:
            return [
                _row(
                    ("growth",),
                    False,
                    C(claims.iloc[0]["value"]),
                    NONE,
                    NONE,
                    ("growth_unknown",),
                )
            ]
        return []
    avg, y0, y1, h0, h1 = growth
    y0, y1 = int(y0), int(y1)
    basis = {"y0": y0, "y1": y1, "h0": h0, "h1": h1, "span": y1 - y0, "avg": float(avg)}
    if claims is None or claims.empty:
        item, note = ("growth", "growth_unit"), ("growth_basis", "growth_unstated")
        return [_row(item, True, NONE, D(avg), NONE, note, **basis)]
    out = []
    for _, claim in claims.iterrows():
        value = float(claim["value"])
        ok = abs(value - avg) <= 0.5 + 1e-9  # the source may round to whole books
        note = ["growth_basis", "growth_stop"]
        near: dict[str, Any] = {}
        if not ok:
            for years in range(1, y1 - y0 + 3):
                if years != y1 - y0 and abs((h1 - h0) / years - value) <= 1:
                    note.append("growth_near")
                    near = {"years": years, "near": (h1 - h0) / years}
                    break
        if _text(claim.get("note")):
            note.append("growth_claim_note")
        out.append(
            _row(
                ("growth", "growth_unit"),
                ok,
                C(value),
                D(avg),
                D(value - avg, signed=True),
                tuple(note),
                **basis,
                **near,
                claim_note=_text(claim.get("note")),
            )
        )
    return out


def check_stated(stated: pd.DataFrame | None, acts: pd.DataFrame | None) -> list[Check]:
    """Yearly and per-category figures of the 声明数 sheet against the activity rows."""
    if stated is None or stated.empty:
        return []
    out = []
    for _, claim in stated.iterrows():
        key = _text(claim.get("indicator"))
        if key in (HOLDINGS_GROWTH_KEY, sc.STATED_SCORE_KEY, sc.STATED_RATE_KEY):
            continue  # reconciled where they are computed (馆藏; the 自评表's 审核底稿)
        value = float(claim["value"])
        unit = _text(claim.get("unit"))
        names = {"key": key, "claim_unit": unit, "claim_note": _text(claim.get("note"))}
        if key in YEARLY_KEYS:
            measure, subset, label = YEARLY_KEYS[key], acts, ("stated_yearly",)
        elif KEY_SEPARATOR in key:
            category, _, name = key.partition(KEY_SEPARATOR)
            measure = CATEGORY_MEASURES.get(name.strip())
            subset = _category_rows(acts, category.strip()) if acts is not None else None
            label = ("stated_category",)
            names.update(category=category.strip(), name=name.strip())
            if measure is None or subset is None or subset.empty:
                why = ("stated_no_rows",)
                out.append(_row(label, False, C(value), NONE, NONE, why, **names))
                continue
        else:
            why = ("stated_unknown_key",)
            out.append(_row(("stated_key",), False, C(value), NONE, NONE, why, **names))
            continue
        computed = activity_total(subset, measure)
        if computed is None:
            why = ("stated_not_filled",)
            out.append(_row(label, False, C(value), NONE, NONE, why, **names))
            continue
        ok = abs(value - computed) < 1e-9
        shown = subset is not None and len(subset) <= 12
        terms, facts = _terms(subset, measure) if shown else ((), {})
        note: tuple[str, ...] = terms
        if names["claim_note"]:
            note = (*terms, "stated_claim_note_after") if terms else ("stated_claim_note",)
        out.append(
            _row(
                (*label, "stated_unit") if unit else label,
                ok,
                C(value),
                C(computed),
                C(value - computed, signed=True),
                note or (("stated_agrees",) if ok else ("stated_differs",)),
                **names,
                **facts,
            )
        )
    return out


def _terms(acts: pd.DataFrame, measure: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The wording of '300 + 500 + …' over the listings that state the measure (for 说明), and
    its facts; () when there is nothing to show."""
    if measure in {"events", "listings"}:
        return ("terms_records",), {
            "listings": len(acts),
            "events": int(acts["event_id"].nunique()),
        }
    column = acts[measure]
    if measure == "sessions":
        if column.isna().all():
            return ("terms_sessions_default",), {"listings": len(acts)}
        column = column.fillna(1)
    known = [float(v) for v in column.dropna()]
    if not known or acts["event_id"].duplicated().any() or has_summaries(acts):
        return (), {}
    return (("terms_counts",), {"counts": known}) if len(known) > 1 else ((), {})


# ---------------------------------------------------------------------------------------------
# satisfaction, dates, holdings across years


def check_satisfaction(satisfaction: pd.DataFrame | None) -> list[Check]:
    """Stated satisfaction rates against satisfied / sample."""
    if satisfaction is None or satisfaction.empty:
        return []
    out = []
    for _, row in satisfaction.iterrows():
        sample, satisfied = row.get("sample"), row.get("satisfied")
        if _missing(sample) or _missing(satisfied) or int(sample) == 0:
            continue
        computed = float(satisfied) / float(sample) * 100
        stated_flag = bool(row.get("rate_stated")) if not _missing(row.get("rate_stated")) else 0
        if not stated_flag or _missing(row.get("rate")):
            continue
        rate = float(row["rate"])
        tolerance = half_unit(row.get("rate_decimals"))
        ok = abs(rate - computed) <= tolerance + 1e-9
        out.append(
            _row(
                ("satisfaction",),
                ok,
                D(rate),
                D(computed),
                D(rate - computed, signed=True),
                ("satisfaction_note",),
                survey=_text(row.get("survey")),
                satisfied=int(satisfied),
                sample=int(sample),
                computed=computed,
            )
        )
    return out


def check_dates(acts: pd.DataFrame | None, year: int | None) -> list[Check]:
    """Every activity date inside the report year."""
    if acts is None or acts.empty or year is None:
        return []
    out = []
    bad = 0
    for _, row in acts.iterrows():
        for column, label in (("start_date", "开始日期"), ("end_date", "结束日期")):
            value = row.get(column)
            if _missing(value):
                continue
            date = pd.Timestamp(value)
            if date.year != year:
                bad += 1
                out.append(
                    _row(
                        ("date_outside",),
                        False,
                        T(date.strftime("%Y-%m-%d")),
                        T(str(year)),
                        NONE,
                        ("date_outside_note",),
                        column=label,
                        year=int(year),
                        name=_text(row.get("name")),
                        where=_where(row),
                    )
                )
    if not bad:
        out.append(
            _row(
                ("dates_inside",),
                True,
                C(len(acts)),
                C(len(acts)),
                T("0"),
                ("dates_inside_note",),
                listings=len(acts),
                year=int(year),
            )
        )
    return out


def check_holdings_added(holdings: pd.DataFrame | None) -> list[Check]:
    """A stated yearly addition against the difference of consecutive holdings."""
    if holdings is None or holdings.empty or "added" not in holdings.columns:
        return []
    known = holdings.dropna(subset=["holdings"]).sort_values("year").set_index("year")
    out = []
    for year, row in known.iterrows():
        added = row.get("added")
        if _missing(added) or (int(year) - 1) not in known.index:
            continue
        computed = float(row["holdings"]) - float(known.loc[int(year) - 1, "holdings"])
        ok = abs(float(added) - computed) < 1e-9
        out.append(
            _row(
                ("holdings_added",),
                ok,
                C(added),
                C(computed),
                C(float(added) - computed, signed=True),
                ("holdings_added_note",),
                year=int(year),
                previous=int(year) - 1,
            )
        )
    return out


def check_previous_year(
    holdings: pd.DataFrame | None, previous: pd.DataFrame | None, year: int | None
) -> list[Check]:
    """The holdings this year states for earlier years against those years' own data."""
    if holdings is None or previous is None or holdings.empty or previous.empty:
        return []
    prev = previous.dropna(subset=["holdings"]).drop_duplicates("year", keep="last")
    prev = prev.set_index("year")["holdings"]
    out = []
    for _, row in holdings.dropna(subset=["holdings"]).sort_values("year").iterrows():
        y = int(row["year"])
        if year is not None and y >= year:
            continue
        if y not in prev.index:
            continue
        stated, own = float(row["holdings"]), float(prev.loc[y])
        ok = abs(stated - own) < 1e-9
        out.append(
            _row(
                ("previous_holdings",),
                ok,
                C(stated),
                C(own),
                C(stated - own, signed=True),
                ("previous_holdings_agrees",) if ok else ("previous_holdings_differs",),
                year=y,
            )
        )
    return out


def _infer_year(tables: dict[str, pd.DataFrame]) -> int | None:
    """The report year when the caller does not give it: 单位概况 年度, else the activities'."""
    unit = tables.get("unit")
    if unit is not None and not unit.empty:
        for key in ("年度", "报告年度"):
            hit = unit.loc[unit["item"].astype(str).str.strip() == key, "value"]
            if not hit.empty and is_year_folder(_text(hit.iloc[0])):
                return int(_text(hit.iloc[0]))
    acts = tables.get("activities")
    if acts is not None and not acts.empty and acts["start_date"].notna().any():
        return int(pd.to_datetime(acts["start_date"]).dt.year.mode().iloc[0])
    return None


def _unit_name(tables: dict[str, pd.DataFrame]) -> str:
    unit = tables.get("unit")
    if unit is None or unit.empty:
        return ""
    hit = unit.loc[unit["item"].astype(str).str.strip() == "单位名称", "value"]
    return _text(hit.iloc[0]) if not hit.empty else ""


def same_unit(tables: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame]) -> bool:
    """Cross-year checks only between years of one unit (unknown names do not block them)."""
    mine, theirs = _unit_name(tables), _unit_name(previous)
    return not (mine and theirs and mine != theirs)


def check_rates(spending: pd.DataFrame | None, unit: str = "万元") -> list[Check]:
    """Lines executed beyond their budget (执行率 above 100%): stated, and flagged."""
    if spending is None or spending.empty:
        return []
    out = []
    for _, row in spending.iterrows():
        budget, actual = row.get("budget"), row.get("actual")
        rate = execution_rate(actual, budget)
        if rate is None or rate <= 100 + 1e-9:
            continue
        label = [
            _text(row.get(k)) for k in ("budget_type", "category", "item") if _text(row.get(k))
        ]
        note = ("rate_over_note",)
        if _text(row.get("note")):
            note = (*note, "rate_over_unit_note")
        out.append(
            _row(
                ("rate_over",),
                False,
                D(rate),
                T("100.00"),
                D(rate - 100, signed=True),
                (*note, "where"),
                label=label,
                actual=float(actual),
                budget=float(budget),
                unit=unit,
                rate=rate,
                unit_note=_text(row.get("note")),
                where=_where(row),
            )
        )
    return out


def check_stated_previous(
    tables: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame] | None, unit: str = "万元"
) -> list[Check]:
    """A 上年数 this year's 收入 sheet states against the previous year's own 本年数."""
    income, before = tables.get("income"), (previous or {}).get("income")
    if income is None or before is None or income.empty or before.empty:
        return []
    own = {_text(r.item): r.current for r in before.itertuples(index=False)}
    out = []
    for _, row in income.iterrows():
        item, stated = _text(row.get("item")), row.get("previous")
        if _missing(stated) or _missing(own.get(item)):
            continue
        ok = abs(float(stated) - float(own[item])) <= half_unit(row.get("previous_decimals"))
        out.append(
            _row(
                ("income_previous",),
                ok,
                M(stated),
                M(own[item]),
                M(float(stated) - float(own[item]), signed=True),
                ("income_previous_agrees",) if ok else ("income_previous_differs",),
                item=item,
                unit=unit,
            )
        )
    return out


def _spending_key(row: Any) -> tuple[str, ...]:
    return tuple(_text(row.get(k)) for k in ("budget_type", "category", "item", "project"))


def check_stated_previous_spending(
    tables: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame] | None, unit: str = "万元"
) -> list[Check]:
    """A 上年执行数 this year's 支出 sheet states against the previous year's own 执行数 of the
    same line (预算类型, 支出类别, 支出项目, 所属项目)."""
    spending, before = tables.get("spending"), (previous or {}).get("spending")
    if spending is None or before is None or spending.empty or before.empty:
        return []
    if "previous_actual" not in spending.columns:
        return []
    own = {_spending_key(r): r.get("actual") for _, r in before.iterrows()}
    out = []
    for _, row in spending.iterrows():
        stated, last = row.get("previous_actual"), own.get(_spending_key(row))
        if _missing(stated) or _missing(last):
            continue
        ok = abs(float(stated) - float(last)) <= half_unit(row.get("previous_actual_decimals"))
        label = [k for k in _spending_key(row) if k]
        verdict = "spending_previous_agrees" if ok else "spending_previous_differs"
        out.append(
            _row(
                ("spending_previous",),
                ok,
                M(stated),
                M(last),
                M(float(stated) - float(last), signed=True),
                (verdict, "where"),
                label=label,
                unit=unit,
                where=_where(row),
            )
        )
    return out


def _frame(rows: Iterable[Check]) -> list[Check]:
    return list(rows)


def amount_unit(tables: dict[str, pd.DataFrame]) -> str:
    """The 金额单位 the unit keeps its report in (单位概况), 万元 unless it says 元: the checks
    state amounts as its report does (a report in 元 is checked in 元, not in rounded 万元)."""
    unit = tables.get("unit")
    if unit is None or unit.empty:
        return "万元"
    stated = unit.loc[unit["item"] == "金额单位", "value"]
    return "元" if not stated.empty and _text(stated.iloc[0]) == "元" else "万元"


def reconcile_year(
    tables: dict[str, pd.DataFrame],
    checks: dict,
    previous_tables: dict[str, pd.DataFrame] | None = None,
    year: int | None = None,
) -> list[Check]:
    """Every 数据核对 check of one year, in the order of the appendix.

    Args:
        tables: the year's processed tables.
        checks: the year's checks.json (its ``reconciled`` entries that the tables cannot
            recompute are re-presented).
        previous_tables: year Y−1's processed tables, for the cross-year check.
        year: the report year (for dates); inferred from the tables when omitted.
    """
    year = year if year is not None else _infer_year(tables)
    spending = tables.get("spending")
    acts = tables.get("activities")
    stated = tables.get("stated")
    holdings = tables.get("holdings")
    unit = amount_unit(tables)
    rows: list[Check] = []
    rows += check_spending_totals(spending, unit)
    rows += check_rates(spending, unit)
    covered: set[tuple[str, int]] = set()
    if spending is not None and not spending.empty:
        for _, total in spending[spending["is_total"].fillna(False).astype(bool)].iterrows():
            if not _missing(total.get("src_row")):
                covered.add((_text(total.get("src_sheet")), int(total["src_row"])))
    if acts is not None and not acts.empty and "includes" in acts.columns:
        for _, summary in acts[acts["includes"].notna()].iterrows():
            if not _missing(summary.get("src_row")):
                covered.add((_text(summary.get("src_sheet")), int(summary["src_row"])))
    rows += check_recorded(checks, covered)
    rows += check_stated(stated, acts)
    rows += _growth_rows(holdings, stated)
    rows += check_holdings_added(holdings)
    rows += check_multi_listed(acts)
    rows += check_summaries(acts)
    rows += check_satisfaction(tables.get("satisfaction"))
    rows += check_dates(acts, year)
    if same_unit(tables, previous_tables or {}):
        previous = (previous_tables or {}).get("holdings")
        rows += check_previous_year(holdings, previous, year)
        rows += check_stated_previous(tables, previous_tables, unit)
        rows += check_stated_previous_spending(tables, previous_tables, unit)
    return _frame(rows)
