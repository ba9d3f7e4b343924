"""绩效自评表 scoring: the funds block and one scored row per indicator of the 绩效目标 sheet,
for the unit as a whole and for each project that has targets (财预〔2020〕10号 附1).

Rules (the national pack's; the unit's rule pack, chosen by 单位概况 「自评表格式」, may change the
weights, denominator, formulas, thresholds, caps and grades — `selfeval.packs`,
`selfeval.scoring_rules`; a unit's settings in 单位概况 override the marked ones on top):

- weights: the 预算执行率 row scores 预算执行率分值 (default 10; 0 on a form that scores no rate);
  the indicators' 分值 come from the data and, with it, add to 100 (checked in 01). An indicator
  without 分值 is listed, not scored, and then no total or grade is computed (a warning names
  the rows);
- 预算执行率 = 全年执行数 / the 执行率口径 (default 全年预算数; 调整后预算数 is the same column;
  实际到位资金 is 收入合计's 本年数), 得分 = 执行率 × 分值, at most the 分值. Without any budget the
  block says 预算数缺失; with some rows' budget not given it says 预算数不全 and names them; either
  way it scores nothing (a partial budget would overstate the rate);
- quantitative indicators (≥, ≤, =): met → full 分值, otherwise 分值 × 完成值/指标值
  (≤: 指标值/完成值); met by far more than planned (``OVER_ACHIEVEMENT_FACTOR``) is flagged for an
  explanation, as 第十六条 asks; an indicator whose 实际完成值 is not given is not scored (未填报);
- qualitative (定性) indicators: the analyst's 评价 and 得分 within the band of the 评价
  (第十六条: [80%, 100%], [60%, 80%), [0, 60%) of 分值; checked in 01);
- total = sum of unrounded scores, rounded once to two decimals; grade by 等级标准
  (default 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below).

The results are data: a warning, the reason no total was computed and a deviation are a
wording code with the names and numbers it concerns (`Note`, `Deviation`); the sentences live in
``present/wording/scoring.toml`` and `selfeval.present.scoring_view` writes them.

An optional row of the 绩效目标 sheet whose 一级指标 (or 三级指标) is ``预算执行率`` is not an
indicator: it carries the 偏差原因 and 改进措施 of the execution rate (its 分值, if filled, must
equal 预算执行率分值) and is excluded from the indicators.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from selfeval.clean.targets import is_funds_row, parse_indicator_value, target_problems
from selfeval.contract import sheets as sc
from selfeval.contract.sheets import ASSESSMENT_SHORT
from selfeval.errors import InputError
from selfeval.figures.common import row_source
from selfeval.figures.spending import sum_precision
from selfeval.figures.texts import texts as text_sections
from selfeval.packs import DEFAULT_PACK, ScoringRules, rules_for, scoring_rules
from selfeval.rules import (
    FUNDS_WEIGHT,
    MET,
    QUALITATIVE,
    execution_rate,
    plain_str,
    round_half_up,
)
from selfeval.rules import as_text as _text
from selfeval.rules import is_missing as _is_missing
from selfeval.scoring_rules import (
    Working,
    capped_total,
    execution_score,
    grade,
    indicator_score,
    needs_reason,
    rescaled_total,
    split_execution,
)

BUDGET_MISSING = "预算数缺失"
BUDGET_INCOMPLETE = "预算数不全"
ACTUAL_MISSING = "执行数未填报"
#: The columns of the form's indicator table. A row of ``ScoreResult.indicators`` has the first
#: seven, then the unit's 偏差原因 and 改进措施 (the view writes them as the last column), then
#: the flags.
TABLE_COLUMNS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]
FLAG_COLUMNS = ["met", "over_achieved", "missing_reason"]
_SHEET = "绩效目标"

#: Every wording code of a `Note` or `Deviation` and the facts its template may use: the
#: contract with ``present/wording/scoring.toml`` (tests/unit/present/test_wording.py).
CODES: dict[str, frozenset[str]] = {
    code: frozenset(facts.split())
    for code, facts in {
        # warnings of the build summary and the 审核底稿
        "actual_missing": "name",
        "reason_missing_unmet": "name",
        "reason_missing_over": "name",
        "no_targets": "project",
        "unweighted": "project names",
        "unlevelled": "project names",
        "budget_incomplete": "project rows weight",
        "budget_missing": "project weight",
        "rate_reason_missing": "project rate threshold",
        "not_applicable_kept": "names pack",
        "pack_weights": "project pack weights",
        "text_over_limit": "section length limit pack source",
        # why no total was computed
        "unscored_no_targets": "",
        "unscored_unweighted": "names",
        "unscored_unlevelled": "names",
        "unscored_actual": "names",
        "unscored_rate": "marker",
        # deviations (sections 七 and 八)
        "deviation_over": "level1 name target actual",
        "deviation_graded": "level1 name target grade",
        "deviation_graded_done": "level1 name target actual grade",
        "deviation_unmet": "level1 name target actual",
        # the 偏差原因分析及改进措施 cell, worded by the view from a row's 偏差原因 and 改进措施
        "reason": "reason",
        "reason_and_measures": "reason measures",
        "measures_only": "measures",
    }.items()
}


@dataclass(frozen=True)
class Note:
    """A finding of the scoring in words' stead: its wording code and the facts it concerns."""

    code: str
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES or not CODES[self.code] <= self.facts.keys():
            raise KeyError(f"scoring wording {self.code!r}: unknown code or facts missing")


def _note(code: str, **facts: Any) -> Note:
    return Note(code, facts)


@dataclass
class Stated:
    """A figure of the 自评表 the unit states itself (声明数): kept, and restated as written."""

    value: float
    #: The decimals the unit wrote (98 → 0), so the report restates 98, not 98.00.
    decimals: int | None = None
    #: The input row (「声明数.csv 第3行」), for the 审核底稿.
    source: str = ""


@dataclass
class FundRow:
    """One row of the funds block by source (年度资金总额, 当年财政拨款, 上年结转资金, 其他资金)."""

    label: str
    original_budget: float | None = None
    budget: float | None = None
    actual: float | None = None
    rate: float | None = None
    #: The precision the source stated each figure to (decimals in 万元 terms), so that a
    #: budget typed 107 is written 107, not 107.00 (None: unknown, two decimals).
    original_decimals: int | None = None
    budget_decimals: int | None = None
    actual_decimals: int | None = None


@dataclass
class Funds:
    """The 年度资金总额 block: 年初/全年 budget and actual in 万元, rate in percent, its score."""

    budget: float | None
    actual: float | None
    rate: float | None
    score: float | None
    budget_missing: bool
    weight: float = FUNDS_WEIGHT
    reason: str | None = None
    measures: str | None = None
    marker: str | None = None
    original_budget: float | None = None
    #: Rows whose budget is not given while others' is (预算数不全), as 「预算类型·项目」.
    missing_budget_rows: list[str] = field(default_factory=list)
    #: What the rate divides by (执行率口径).
    rate_base: str = "全年预算数"
    #: The funds by source, 年度资金总额 first (the national form's rows).
    sources: list[FundRow] = field(default_factory=list)
    #: When 当年财政拨款 is 年度资金总额 (every counted 支出 row is of a 财政拨款 预算类型 and no
    #: 收入 states money from elsewhere): those 预算类型, for the 底稿's note; else empty.
    fiscal_types: list[str] = field(default_factory=list)
    #: The 预算执行率 the unit states (声明数 「预算执行率」, else the 实际值 of the 绩效目标's
    #: 预算执行率 row; percent); `rate` is the program's.
    stated_rate: Stated | None = None
    #: The 得分 the unit entered in that row; `score` is the program's.
    stated_score: Stated | None = None
    #: The funds by 资金来源 (总额, then 财政资金, 财政专户管理资金, 单位资金, 其他资金: 四川's
    #: rows) when every counted 支出 row states its source; else empty.
    by_source: list[FundRow] = field(default_factory=list)
    #: How `score` came about (one per part under a split formula), for the 底稿.
    workings: list[Working] = field(default_factory=list)
    #: Under a split formula (贵州), each scored 支出 category's figures (基本支出, 项目支出:
    #: the form's rows), in the pack's order; its points and score are in `workings`.
    by_category: list[FundRow] = field(default_factory=list)
    #: The precision the source stated `budget` and `actual` to (see FundRow).
    budget_decimals: int | None = None
    actual_decimals: int | None = None


@dataclass
class Deviation:
    """One deviation from the targets, for sections 七 (problem, cause) and 八 (measure)."""

    #: What deviated, as a wording code and its facts (None for an 执行率 deviation).
    problem: Note | None
    cause: str | None
    measure: str | None
    kind: str = "未达成"
    #: The numbers of an 执行率 deviation (rate, budget, actual in 万元, rate_base, threshold,
    #: project): present words it in the unit's own 金额单位, so `problem` is None then.
    figures: dict[str, Any] | None = None


@dataclass
class ScoreResult:
    """The scored 绩效自评表 of the unit (``project`` None) or of one project."""

    funds: Funds
    indicators: list[dict[str, Any]]  # one row per indicator: see TABLE_COLUMNS
    total: float | None
    grade: str | None
    warnings: list[Note] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    #: 预算执行率's points plus every indicator's 分值 (the 分值 column's total).
    weight_total: float | None = 0.0
    project: str | None = None
    #: Whether the year gives 绩效目标 for this table at all (else: 未填报绩效目标).
    targets_given: bool = True
    #: Why no total was computed (None when there is one).
    unscored_reason: Note | None = None
    #: The settings applied: weights, denominator and grades (printed under the table).
    settings: dict[str, str] = field(default_factory=dict)
    #: 分值 summed by 一级指标 (the weights the data gives), in table order.
    weights_by_level1: dict[str, float] = field(default_factory=dict)
    #: The unit's own total (声明数 「自评得分」). `total` is what the report states: this when
    #: given, else the sum of the scores as the unit entered them or the program computed them.
    stated_total: Stated | None = None
    #: The program's total by the rules (None when it cannot compute one), for the 审核底稿.
    computed_total: float | None = None
    #: The pack's cap on the total by 执行率, when it lowered the total.
    total_working: Working | None = None
    #: The total rescaled to 100 after dropping indicators marked 不适用 (packs that do so).
    rescale_working: Working | None = None
    #: The rule pack applied (`selfeval.packs`), national unless 单位概况 chose another.
    pack: str = DEFAULT_PACK


# ---------------------------------------------------------------------------------------------
# helpers


def _num(value: Any) -> float | None:
    if _is_missing(value):
        return None
    return float(value)


# ---------------------------------------------------------------------------------------------
# funds


def _stated_or_parts(total: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    """A group's funds: its stated 合计 when it gives an 执行数 (the source's figure, as the
    report's body states it; its budget columns filled from the parts when it leaves them blank
    and every part gives them), else its parts."""
    if total.empty or total["actual"].isna().all():
        return parts if not parts.empty else total
    row = total.iloc[[0]].copy()
    for name in ("budget", "original_budget"):
        blank = name in row and row[name].isna().all()
        if blank and not parts.empty and parts[name].notna().all():
            row[name] = float(parts[name].astype(float).sum())
    return row


def _fund_rows(spending: pd.DataFrame) -> pd.DataFrame:
    """Spending rows that are funds, each counted once, as the report's body counts them.

    Within a budget type: its stated 合计 (no category) when it gives an 执行数, else each
    category's stated 合计 when that gives one, else the category's rows. A project's uses
    (所属项目) are part of the project's row, not funds.
    """
    if spending.empty:
        return spending
    if "project" in spending.columns:
        spending = spending[spending["project"].isna()]
    is_total = spending["is_total"].fillna(False).astype(bool)
    category = spending["category"].fillna("").astype(str).str.strip()
    keep = []
    for _, group in spending.groupby(spending["budget_type"].fillna(""), sort=False):
        in_category = category.loc[group.index] != ""
        by_category = []
        for _, sub in group[in_category].groupby(category.loc[group.index][in_category]):
            sub_total = is_total.loc[sub.index]
            by_category.append(_stated_or_parts(sub[sub_total], sub[~sub_total]))
        loose = group[~in_category]
        loose_total = is_total.loc[loose.index]
        parts = (
            pd.concat([*by_category, loose[~loose_total]]) if by_category else loose[~loose_total]
        )
        keep.append(_stated_or_parts(loose[loose_total], parts))
    return pd.concat(keep) if keep else spending.iloc[0:0]


def _project_rows(spending: pd.DataFrame, project: str) -> pd.DataFrame:
    """A project's own 支出 row (项目支出, 支出项目 = the project), else its uses."""
    own = spending[
        (spending["category"] == "项目支出")
        & (spending["item"].astype(str).str.strip() == project)
        & (spending["project"].isna() if "project" in spending.columns else True)
    ]
    if not own.empty or "project" not in spending.columns:
        return own
    return spending[spending["project"].astype(str).str.strip() == project]


def _known_sum(column: pd.Series) -> float | None:
    """Sum of a column when every row gives it, else None."""
    if column.empty or column.isna().any():
        return None
    return float(column.astype(float).sum())


def _precision(rows: pd.DataFrame, column: str) -> int | None:
    """The precision of a column's sum as its rows state it (`figures.spending.sum_precision`):
    107 + 0 is 107, 60.5 + 46.25 is 106.75; None when the rows do not say."""
    decimals = f"{column}_decimals"
    if decimals not in rows or column not in rows or rows.empty:
        return None
    places = [None if _is_missing(d) else int(d) for d in rows[decimals]]
    amounts = [None if _is_missing(v) else float(v) for v in rows[column]]
    return sum_precision(places, amounts)


def _label(row: pd.Series) -> str:
    parts = [_text(row.get("budget_type")), _text(row.get("category")), _text(row.get("item"))]
    return "·".join(p for p in parts if p)


def _income(income: pd.DataFrame | None, *items: str) -> float | None:
    if income is None or income.empty:
        return None
    rows = income[income["item"].isin(items)]
    if rows.empty or rows["current"].isna().any():
        return None
    return float(rows["current"].astype(float).sum())


def _other_money(income: pd.DataFrame | None) -> bool:
    """Whether 收入 states money that is not this year's 财政拨款 (事业收入, 上年结转结余, …
    above 0): then spending may be paid from it, and no row's 预算类型 says by how much."""
    if income is None or income.empty:
        return False
    items = income["item"].astype(str).str.strip()
    fiscal = {sc.INCOME_TOTAL, sc.FISCAL_INCOME, *sc.FISCAL_PARTS}
    other = income[~items.isin(fiscal)]["current"].astype(float)
    return bool((other.fillna(0) != 0).any())


def fiscal_types(rows: pd.DataFrame, income: pd.DataFrame | None) -> list[str]:
    """The 预算类型 of the counted rows when every one that spent or budgeted anything is
    财政拨款 money (`contract.sheets.FISCAL_BUDGET_TYPES`) and 收入 names no other money;
    else [] (当年财政拨款 is then not given: income is never a budget)."""
    spent = rows[~((rows["actual"].fillna(-1) == 0) & rows["budget"].isna())]
    types = spent["budget_type"].fillna("").astype(str).str.strip()
    if spent.empty or not types.isin(sc.FISCAL_BUDGET_TYPES).all() or _other_money(income):
        return []
    return list(dict.fromkeys(types))


def _sources(total: FundRow, fiscal: list[str]) -> list[FundRow]:
    """年度资金总额, then the sources. Each cell holds only the figure its column names, from data
    that states it: 支出 gives no split by source, so 当年财政拨款 is 年度资金总额 when every
    row is 财政拨款 (`fiscal`), and 上年结转资金 and 其他资金 are not given. 收入 states what
    came in, not a budget, and is never put in these columns."""
    own = FundRow("其中：当年财政拨款")
    if fiscal:
        own = replace(total, label=own.label, rate=None)
    return [total, own, FundRow("上年结转资金"), FundRow("其他资金")]


def _by_source(rows: pd.DataFrame, total: FundRow) -> list[FundRow]:
    """总额, then each 资金来源's 年初预算数, 调整后预算数 and 执行数 with its rate, when every
    counted row states its source (a row without one cannot be split); else []."""
    # a line that states it spent nothing (0) and budgets nothing is no money of any source
    rows = rows[~((rows["actual"].fillna(-1) == 0) & rows["budget"].isna())]
    if "fund_source" not in rows or rows.empty or rows["fund_source"].isna().any():
        return []
    rate = execution_rate(total.actual, total.budget)
    found = [FundRow("总额", total.original_budget, total.budget, total.actual, rate)]
    for source in sc.FUND_SOURCES:
        part = rows[rows["fund_source"] == source]
        original = _known_sum(part["original_budget"]) if "original_budget" in part else None
        budget, actual = _known_sum(part["budget"]), _known_sum(part["actual"])
        if part.empty:
            original = budget = actual = 0.0
        found.append(FundRow(source, original, budget, actual, execution_rate(actual, budget)))
    return found


def score_funds(
    spending: pd.DataFrame | None,
    weight: float = FUNDS_WEIGHT,
    rate_base: str = "全年预算数",
    income: pd.DataFrame | None = None,
    project: str | None = None,
    rules: ScoringRules | None = None,
) -> Funds:
    """The 预算执行率 block from the spending table (or one project's rows).

    Scored only when every row's budget and actual are given: without any budget it says
    预算数缺失, with some rows lacking one 预算数不全 (naming them); either way no score.
    `rules` (a pack's) may divide by the 年初预算数 and split the score by 支出 category.
    """
    empty = Funds(None, None, None, None, True, weight=weight, marker=BUDGET_MISSING)
    empty.rate_base = rate_base
    if spending is None or spending.empty:
        empty.sources = _sources(FundRow("年度资金总额"), [])
        return empty
    rows = _project_rows(spending, project) if project else _fund_rows(spending)
    actual = _known_sum(rows["actual"])
    # A line that states it spent nothing (0) needs no budget to be complete.
    spent = rows[~((rows["actual"].fillna(-1) == 0) & rows["budget"].isna())]
    original = _known_sum(spent["original_budget"]) if "original_budget" in spent else None
    full_year = _known_sum(spent["budget"])
    if rate_base == "实际到位资金" and project is None:
        budget = _income(income, "收入合计")
    elif rate_base == "年初预算数":
        budget = original
    else:
        budget = full_year
    total = FundRow("年度资金总额", original, full_year, actual)
    total.original_decimals = _precision(spent, "original_budget")
    total.budget_decimals = _precision(spent, "budget")
    total.actual_decimals = _precision(rows, "actual")
    funds = Funds(budget, actual, None, None, True, weight=weight, original_budget=original)
    funds.actual_decimals = total.actual_decimals
    funds.budget_decimals = {
        "全年预算数": total.budget_decimals,
        "年初预算数": total.original_decimals,
    }.get(rate_base)
    funds.rate_base = rate_base
    funds.fiscal_types = fiscal_types(rows, income)
    funds.sources = _sources(total, funds.fiscal_types)
    funds.by_source = _by_source(rows, total)
    if rules is not None and rules.execution_formula == "split" and project is None:
        funds.by_category = _by_category(rows, rules)
    known = rows["budget"].notna() | (rows["actual"].fillna(-1) == 0)
    if rate_base != "实际到位资金" and rows["budget"].notna().any() and not known.all():
        funds.marker = BUDGET_INCOMPLETE
        funds.missing_budget_rows = [_label(r) for _, r in rows[~known].iterrows()]
        return funds
    rate = total.rate = execution_rate(actual, budget)
    if rate is None:  # the budget is what lacks when even a 执行数 of 0 would have no rate
        funds.marker = BUDGET_MISSING if execution_rate(0, budget) is None else ACTUAL_MISSING
        return funds
    funds.rate, funds.budget_missing, funds.marker = rate, False, None
    # a split by 支出 category is the 部门整体 form's (贵州); a project's rate is one ratio
    if rules is not None and rules.execution_formula == "split" and project is None:
        funds.score, funds.workings = split_execution(rules, _category_funds(rows, rate_base))
        return funds
    working = execution_score(float(actual), float(budget), rate, weight)
    funds.score, funds.workings = working.score, [working]
    return funds


def _by_category(rows: pd.DataFrame, rules: ScoringRules) -> list[FundRow]:
    """Each category of the split's 年初预算数, 全年预算数 and 执行数 (None where a row lacks
    one), with its rate over the pack's base, so the form's rows state what the score used."""
    category = rows["category"].fillna("").astype(str).str.strip()
    found = []
    for label, _ in rules.execution_split:
        part = rows[category == label]
        original = _known_sum(part["original_budget"]) if "original_budget" in part else None
        budget, actual = _known_sum(part["budget"]), _known_sum(part["actual"])
        base = original if rules.execution_base == "年初预算数" else budget
        found.append(FundRow(label, original, budget, actual, execution_rate(actual, base)))
    return found


def _category_funds(
    rows: pd.DataFrame, rate_base: str
) -> dict[str, tuple[float | None, float | None]]:
    """(预算数, 执行数) of each 支出 category (基本支出, 项目支出) among the counted rows."""
    column = "original_budget" if rate_base == "年初预算数" else "budget"
    parts = {}
    for name, group in rows.groupby(rows["category"].fillna("").astype(str).str.strip()):
        budget = _known_sum(group[column]) if column in group else None
        parts[str(name)] = (budget, _known_sum(group["actual"]))
    return parts


# ---------------------------------------------------------------------------------------------
# indicators


def _value_text(text: str, value: float | None, unit: str) -> str:
    shown = text or ("" if value is None else plain_str(value))
    if shown and unit and not shown.endswith(unit):
        shown = f"{shown}{unit}"
    return shown


def _deviation(facts: dict[str, Any], met: bool, grade: str) -> tuple[Note, str]:
    """What deviated, and how (未达成 or 超额). A qualitative indicator's grade is its result:
    「…实际完成情况为有所提升，部分达成年度指标并具有一定效果。」, never also 「未达成年度目标」."""
    if met:
        return Note("deviation_over", facts), "超额"
    if grade:
        code = "deviation_graded_done" if facts["actual"] else "deviation_graded"
        return Note(code, {**facts, "grade": grade}), "未达成"
    return Note("deviation_unmet", facts), "未达成"


def _directed(text: str, direction: str) -> str:
    """A value as the form states it, its 指标性质 first (「≥15天」)."""
    return f"{direction}{text}" if text and not text.startswith(direction) else text


def _adjusted(row: pd.Series, rules: ScoringRules, direction: str, unit: str) -> tuple:
    """(number, text) of the 调整后指标值 the 得分 is computed against, under a pack that scores
    it (`adjusted_target`: 重庆); (None, "") when the pack does not or the row states none."""
    text = _text(row.get("adjusted_target"))
    value = parse_indicator_value(text or None)[0] if rules.adjusted_target else None
    if value is None:
        return None, ""
    return value, _directed(_value_text(text, value, unit), direction)


def _form_fields(row: pd.Series, original: str = "") -> dict[str, Any]:
    """What some forms show beside an indicator (重庆: 年初指标值, 调整指标值, 是否核心指标),
    as the unit wrote it; and whether it was dropped as not applicable. When the 得分 was
    computed against the 调整后指标值, the 年度指标值 (`original`) is the 年初 one where the
    unit wrote no 年初指标值 of its own."""
    return {
        "年初指标值": _text(row.get("original_target")) or original,
        "调整后指标值": _text(row.get("adjusted_target")),
        "是否核心指标": _text(row.get("core")),
        "not_applicable": False,
        # a 申报表's indicator: where the clerk typed its result (its `source` is the form's cell)
        "result_source": _text(row.get("result_src")),
    }


def _qualitative(row: pd.Series, weight: float | None, actual_text: str) -> tuple:
    """(score, met, grade, the completion as written, the 实际完成值 cell) of a 定性 indicator:
    the analyst's 评价 and 得分. The grade states the result; the completion as the unit wrote
    it goes before it."""
    assessment = _text(row.get("assessment"))
    assessment = ASSESSMENT_SHORT.get(assessment, assessment)
    score = _num(row.get("score")) if weight is not None else None
    cell = actual_text
    if assessment and assessment not in actual_text:
        cell = f"{actual_text}（{assessment}）" if actual_text else assessment
    return score, assessment == MET, assessment, actual_text, cell


def _not_applicable(row: pd.Series) -> bool:
    return _text(row.get("not_applicable")) == "是"


def _not_applicable_row(row: pd.Series) -> dict[str, Any]:
    """An indicator marked 不适用 under a pack that drops such indicators: listed, with its
    分值, never scored; the total is rescaled to 100 without it (`_total`)."""
    weight = _num(row.get("weight"))
    unit = _text(row.get("unit"))
    direction = _text(row.get("direction")) or "≥"
    target_text = _value_text(_text(row.get("target_text")), _num(row.get("target")), unit)
    if target_text and direction != QUALITATIVE and not target_text.startswith(direction):
        target_text = f"{direction}{target_text}"
    return {
        "一级指标": _text(row.get("level1")),
        "二级指标": _text(row.get("level2")),
        "三级指标": _text(row.get("level3")),
        "年度指标值": target_text,
        "实际完成值": "不适用",
        "分值": None if weight is None else float(weight),
        "得分": None,
        "偏差原因": "",
        "改进措施": "",
        "met": False,
        "over_achieved": False,
        "missing_reason": False,
        "source": row_source(row),
        "direction": direction,
        "target_value": None,
        "actual_value": None,
        "所填得分": None,
        "working": None,
        **_form_fields(row),
        "not_applicable": True,
    }


def score_indicators(
    targets: pd.DataFrame, rules: ScoringRules | None = None
) -> tuple[list[dict[str, Any]], list[str], list[Deviation]]:
    """Score every (validated) indicator row by `rules` (default: the national pack's):
    (table rows, warnings, deviations). Each scored row carries its `Working`."""
    rules = rules or scoring_rules()
    rows: list[dict[str, Any]] = []
    warnings: list[Note] = []
    deviations: list[Deviation] = []
    marked = [_text(r.get("level3")) for _, r in targets.iterrows() if _not_applicable(r)]
    if marked and not rules.rescale_not_applicable:
        warnings.append(_note("not_applicable_kept", names=marked, pack=rules.name))
    for _, row in targets.iterrows():
        if rules.rescale_not_applicable and _not_applicable(row):
            rows.append(_not_applicable_row(row))
            continue
        direction = _text(row.get("direction")) or "≥"
        weight = _num(row.get("weight"))
        unit = _text(row.get("unit"))
        target, actual = _num(row.get("target")), _num(row.get("actual"))
        target_text = _value_text(_text(row.get("target_text")), target, unit)
        actual_text = _value_text(_text(row.get("actual_text")), actual, unit)
        name = _text(row.get("level3"))
        said_target = ""
        over = False
        score: float | None
        working: Working | None = None
        grade = stated_actual = ""
        if direction == QUALITATIVE:
            score, met, grade, stated_actual, actual_text = _qualitative(row, weight, actual_text)
        else:
            if actual is None:
                warnings.append(_note("actual_missing", name=name))
            # under a pack that scores it, the 调整后指标值 is the target (and the deviation's)
            adjusted, said_target = _adjusted(row, rules, direction, unit)
            scored = indicator_score(rules, direction, target, actual, weight or 0.0, adjusted)
            score, met, over, working = scored.score, scored.met, scored.over, scored.working
            if actual is None or weight is None:
                score = working = None
            target_text = _directed(target_text, direction)
        reason = _text(row.get("deviation_reason"))
        measures = _text(row.get("measures"))
        # a qualitative indicator without its 评价 (an approved target, no result yet) is 未填报
        needs_reason = ((not met) or over) and (actual is not None or bool(grade))
        missing_reason = needs_reason and not reason
        if missing_reason:
            code = "reason_missing_unmet" if not met else "reason_missing_over"
            warnings.append(_note(code, name=name))
        if needs_reason:
            said = stated_actual if grade else actual_text
            level1 = _text(row.get("level1"))
            target_said = said_target or target_text
            facts = {"level1": level1, "name": name, "target": target_said, "actual": said}
            problem, kind = _deviation(facts, met, grade)
            deviations.append(Deviation(problem, reason or None, measures or None, kind))
        rows.append(
            {
                "一级指标": _text(row.get("level1")),
                "二级指标": _text(row.get("level2")),
                "三级指标": name,
                "年度指标值": target_text,
                "实际完成值": actual_text,
                "分值": weight,
                "得分": score,
                "偏差原因": reason,
                "改进措施": measures,
                "met": met,
                "over_achieved": over,
                "missing_reason": missing_reason,
                "source": row_source(row),  # the 绩效目标 row, for the 审核底稿
                # the figures themselves, for the chart of 目标值 against 完成值
                "direction": direction,
                "unit": unit,  # the 度量单位, a column of its own on some provinces' forms
                "target_value": None if direction == QUALITATIVE else target,
                "actual_value": None if direction == QUALITATIVE else actual,
                # the 得分 the unit entered for a quantitative indicator (a qualitative one's
                # is 得分 itself): the report states it, the program's goes to the 底稿
                "所填得分": None if direction == QUALITATIVE else _num(row.get("score")),
                # how 得分 came about (`Working` as a dict: rows are stored as plain JSON)
                "working": None if working is None else asdict(working),
                **_form_fields(row, target_text if said_target else ""),
            }
        )

    for r in rows:
        r["分值"] = None if r["分值"] is None else float(r["分值"])
        r["得分"] = None if r["得分"] is None else float(r["得分"])
        for flag in FLAG_COLUMNS:
            r[flag] = bool(r[flag])
    return rows, warnings, deviations


# ---------------------------------------------------------------------------------------------
# the year


def _settings(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    unit = tables.get("unit")
    if unit is None or unit.empty:
        return {}
    return {_text(r.item): _text(r.value) for r in unit.itertuples(index=False)}


def funds_points(settings: dict[str, str]) -> float:
    """The 预算执行率's 分值: the unit's 「预算执行率分值」, else its pack's (10 nationally).
    0 is a weight like any other (a form with no separate execution-rate score, as Jiangxi's
    管理30/产出25/效果35/满意度10): the rate is then stated but scores nothing and blocks no
    total."""
    return rules_for(settings).execution_weight


def _applicable(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The indicators that count: all but those dropped as not applicable."""
    return [r for r in table if not r.get("not_applicable")]


def _rescaled(result: ScoreResult, total: float) -> tuple[float, Working | None]:
    """`total` rescaled to 100 when indicators were dropped as not applicable: total × 100 ÷
    the 分值 that apply (the rate's and the other indicators')."""
    if len(_applicable(result.indicators)) == len(result.indicators):
        return total, None
    weight = result.funds.weight + sum(r["分值"] or 0.0 for r in _applicable(result.indicators))
    return rescaled_total(total, weight)


def _total(result: ScoreResult, weight: float, rules: ScoringRules, project: str | None) -> None:
    """总分 and grade when everything is scored; otherwise why not (unscored_reason, warning).
    The pack's cap by 执行率 applies to the sum (`total_working` says when it did)."""
    table, funds, warnings = result.indicators, result.funds, result.warnings
    unweighted = [r["三级指标"] for r in table if r["分值"] is None]
    unscored = [
        r["三级指标"] for r in _applicable(table) if r["分值"] is not None and r["得分"] is None
    ]
    # Targets listed without levels (as some units publish them) are a list, not the form's
    # scored table: the national form scores by 一级/二级指标.
    unlevelled = [r["三级指标"] for r in table if not r["一级指标"]]
    if not table:
        result.unscored_reason = _note("unscored_no_targets")
        warnings.append(_note("no_targets", project=project))
    elif unweighted:
        result.unscored_reason = _note("unscored_unweighted", names=unweighted)
        warnings.append(_note("unweighted", project=project, names=unweighted))
    elif unlevelled:
        for r in table:
            r["得分"] = None
        result.unscored_reason = _note("unscored_unlevelled", names=unlevelled)
        warnings.append(_note("unlevelled", project=project, names=unlevelled))
    elif unscored:
        result.unscored_reason = _note("unscored_actual", names=unscored)
    elif funds.score is None and funds.weight > 0:
        result.unscored_reason = _note("unscored_rate", marker=funds.marker)
    else:
        raw_total = float(sum(r["得分"] for r in _applicable(table))) + (funds.score or 0.0)
        raw_total, result.rescale_working = _rescaled(result, raw_total)
        raw_total, result.total_working = capped_total(rules, raw_total, funds.rate)
        result.computed_total = round_half_up(raw_total, 2)
    if table and not unweighted and not unlevelled:
        result.weight_total = weight + float(sum(r["分值"] for r in table))
        for r in table:
            level = r["一级指标"] or "（未分级）"
            result.weights_by_level1[level] = result.weights_by_level1.get(level, 0.0) + r["分值"]


def _score_table(
    tables: dict[str, pd.DataFrame],
    rows: pd.DataFrame,
    project: str | None,
    settings: dict[str, str],
) -> ScoreResult:
    rules = rules_for(settings)
    weight, rate_base = rules.execution_weight, rules.execution_base
    is_funds = rows.apply(is_funds_row, axis=1).astype(bool) if not rows.empty else rows
    funds_rows = rows[is_funds] if not rows.empty else rows
    indicators = rows[~is_funds] if not rows.empty else rows
    table, warnings, deviations = score_indicators(indicators, rules)
    funds = score_funds(
        tables.get("spending"), weight, rate_base, tables.get("income"), project, rules
    )
    if not funds_rows.empty:
        first = funds_rows.iloc[0]
        funds.reason = _text(first.get("deviation_reason")) or None
        funds.measures = _text(first.get("measures")) or None
        # the unit's own 执行率 (实际值) and 得分 of the 预算执行率 row, for its table
        funds.stated_rate = _entered(first, "actual", _decimals(_text(first.get("actual_text"))))
        funds.stated_score = _entered(first, "score", None)
    if funds.marker and funds.weight == 0:
        pass  # the rate scores nothing here: its lack costs no points (the gate still says it)
    elif funds.marker == BUDGET_INCOMPLETE:
        rows = funds.missing_budget_rows
        warnings.insert(0, _note("budget_incomplete", project=project, rows=rows, weight=weight))
    elif funds.budget_missing:
        warnings.insert(0, _note("budget_missing", project=project, weight=weight))
    elif needs_reason(rules, funds.rate):
        figures = {
            "project": project,
            "rate": funds.rate,
            "rate_base": rate_base,
            "budget": funds.budget,
            "actual": funds.actual,
            "budget_decimals": funds.budget_decimals,
            "actual_decimals": funds.actual_decimals,
            "threshold": rules.reason_threshold,
        }
        deviations.insert(0, Deviation(None, funds.reason, funds.measures, "执行率", figures))
        if not funds.reason:
            threshold = rules.reason_threshold
            note = _note(
                "rate_reason_missing", project=project, rate=funds.rate, threshold=threshold
            )
            warnings.insert(0, note)
    result = ScoreResult(
        funds=funds,
        indicators=table,
        total=None,
        grade=None,
        warnings=warnings,
        deviations=deviations,
        weight_total=None,
        project=project,
        targets_given=bool(table),
        settings=_applied(rules),
        pack=rules.pack,
    )
    _pack_weights(result, rules, project)
    if project is None:  # 文字说明 is the unit's
        result.warnings += _texts_over_limit(tables, rules)
    _total(result, weight, rules, project)
    if project is None:  # 声明数 states the unit's own figures of the unit as a whole
        result.stated_total = _stated(tables, sc.STATED_SCORE_KEY)
        funds.stated_rate = _stated(tables, sc.STATED_RATE_KEY) or funds.stated_rate
    _reported(result, rules)
    return result


def _applied(rules: ScoringRules) -> dict[str, str]:
    """The settings printed under the table. A pack other than the national one adds its name,
    and a pack whose form states no 预算执行率 rule says so (江西)."""
    settings = {
        "预算执行率分值": plain_str(rules.execution_weight),
        "执行率口径": rules.execution_base,
        # as a unit writes it (优90 良80 中60): the view states the bands
        "等级标准": " ".join(f"{name}{plain_str(bound)}" for name, bound in rules.grades[:-1]),
    }
    if rules.pack != DEFAULT_PACK:
        settings["自评表格式"] = rules.name
    if not rules.execution_rule:
        settings["预算执行率规则"] = "无"
    return settings


def _pack_weights(result: ScoreResult, rules: ScoringRules, project: str | None) -> None:
    """A warning when the data's 分值 by 一级指标 are not the pack's (江西: 管理30 …)."""
    if not rules.level1_weights or not result.indicators:
        return
    given: dict[str, float] = {}
    for row in result.indicators:
        given[row["一级指标"]] = given.get(row["一级指标"], 0.0) + (row["分值"] or 0.0)
    expected = dict(rules.level1_weights)
    if any(abs(given.get(k, 0.0) - v) > 1e-9 for k, v in expected.items()) or set(given) - set(
        expected
    ):
        weights = list(expected.items())
        result.warnings.append(
            _note("pack_weights", project=project, pack=rules.name, weights=weights)
        )


def _texts_over_limit(tables: dict[str, pd.DataFrame], rules: ScoringRules) -> list[Note]:
    """A warning per 文字说明 section longer than the pack's form holds (四川: 评价结论, 存在问题,
    改进措施 within 200 characters each): its length as the form's cell would hold it (its
    paragraphs run together) and its first row. Not a failure: the unit shortens it."""
    if not rules.text_limits:
        return []
    sections = text_sections(tables)
    frame = tables.get("texts")
    found = []
    for section, limit in rules.text_limits:
        length = len("".join(sections.get(section, {}).get("paragraphs", [])))
        if length <= limit:
            continue
        rows = frame[frame["section"].astype(str) == section]
        source = row_source(rows.iloc[0]) if not rows.empty else ""
        facts = {"section": section, "length": length, "limit": limit, "source": source}
        found.append(_note("text_over_limit", pack=rules.name, **facts))
    return found


def _decimals(text: str) -> int | None:
    """The decimals of the one number written in `text` (「103.21%」 → 2), None without one."""
    found = re.findall(r"\d+(?:\.(\d+))?", text.replace(",", ""))
    return len(found[0]) if len(found) == 1 else None


def _entered(row: pd.Series, column: str, decimals: int | None) -> Stated | None:
    """A figure the unit entered in the 预算执行率 row of 绩效目标, as the unit's own."""
    value = _num(row.get(column))
    return None if value is None else Stated(value, decimals, row_source(row))


def _stated(tables: dict[str, pd.DataFrame], key: str) -> Stated | None:
    """The unit's own figure `key` of the 声明数 sheet, or None."""
    stated = tables.get("stated")
    if stated is None or stated.empty:
        return None
    rows = stated[stated["indicator"].astype(str).str.strip() == key]
    if rows.empty or _is_missing(rows.iloc[0]["value"]):
        return None
    row = rows.iloc[0]
    decimals = row.get("value_decimals")
    return Stated(
        float(row["value"]), None if _is_missing(decimals) else int(decimals), row_source(row)
    )


def differs(stated: Stated, computed: float) -> bool:
    """Whether the program's figure is another than the unit's at the unit's own precision."""
    decimals = 2 if stated.decimals is None else stated.decimals
    return round_half_up(computed, decimals) != round_half_up(stated.value, decimals)


def _entered_total(result: ScoreResult, rules: ScoringRules) -> float | None:
    """The total of the scores as the form shows them (the unit's where it entered one), when the
    table is scored at all and every score is known, under the pack's cap by 执行率; None
    otherwise."""
    table, funds = result.indicators, result.funds
    if not table or not result.weight_total:
        return None
    shown = [
        r["所填得分"] if r.get("所填得分") is not None else r["得分"] for r in _applicable(table)
    ]
    rate_score = funds.stated_score.value if funds.stated_score is not None else funds.score
    if any(s is None for s in shown) or (rate_score is None and funds.weight > 0):
        return None
    total, _ = _rescaled(result, float(sum(shown)) + (rate_score or 0.0))
    total, _ = capped_total(rules, total, funds.rate)
    return round_half_up(total, 2)


def _reported(result: ScoreResult, rules: ScoringRules) -> None:
    """The total and grade the report states. The unit's own figures are kept, never
    overridden: its stated 自评得分, else the sum of the scores as the form shows them (the
    unit's entered 得分 where given). The program's figures stay beside them
    (`computed_total`, each row's 得分, `Funds.rate`) for the 审核底稿, which marks a
    difference with ⚠ (`differs`)."""
    total = _entered_total(result, rules)
    if result.stated_total is not None:
        total = result.stated_total.value
    result.total = total
    result.grade = None if total is None else grade(rules, round_half_up(total, 2))


def score_year(tables: dict[str, pd.DataFrame]) -> ScoreResult:
    """The unit's 绩效自评表: always (its funds block stands even without 绩效目标).

    Raises:
        InputError: rows that break the table's rules (01 stops on these first).
    """
    return score_tables(tables)[0]


def score_tables(tables: dict[str, pd.DataFrame]) -> list[ScoreResult]:
    """The unit's table, then one per project that has targets (in sheet order)."""
    settings = _settings(tables)
    targets = tables.get("targets")
    if targets is None:
        targets = pd.DataFrame(columns=["project", "level1", "level3", "weight"])
    targets = targets.reset_index(drop=True)
    if "project" not in targets.columns:
        targets = targets.assign(project=None)
    problems = target_problems(targets, funds_points(settings))
    if problems:  # 01 stops on these; a table not made by the cleaner is checked again here
        raise InputError(problems)
    projects = targets["project"]
    results = [_score_table(tables, targets[projects.isna()], None, settings)]
    for name in dict.fromkeys(projects.dropna().astype(str)):
        results.append(_score_table(tables, targets[projects == name], name, settings))
    return results


def cleaner_warnings(checks: dict) -> list[str]:
    """The cleaner's warnings of checks.json (its messages: the read/clean error contract);
    each 绩效自评表's own follow them in the build summary, worded by the present layer."""
    return [w["message"] for w in checks.get("warnings", []) if w.get("message")]
