"""The 绩效自评表 in the national form (财预〔2020〕10号 附1) as text: the header, the funds block
by source, the 年度总体目标 block, the indicators with the row spans of 一级/二级, 总分 and grade,
and the rules that were applied (generated from the weights, bands and settings actually used).

Every figure the data lacks is 「未填报」; a score that was not computed says why. The scoring's
findings (warnings, why no total, deviations) are data; they are worded here from
``present/wording/scoring.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from selfeval.packs import DEFAULT_PACK
from selfeval.present.formats import NOT_GIVEN, money_number
from selfeval.present.wording import render
from selfeval.present.working import pack_rules_text, working_notes, working_text
from selfeval.results import YearResults
from selfeval.rules import (
    GRADE_BOUNDS,
    GRADES,
    QUALITATIVE_BANDS,
    band_text,
    decimal_str,
    plain_str,
)
from selfeval.scoring import (
    BUDGET_INCOMPLETE,
    BUDGET_MISSING,
    Deviation,
    Funds,
    Note,
    ScoreResult,
    Stated,
    differs,
)

NOT_SCORED = "不计分"


@dataclass(frozen=True)
class FormHeader:
    """The form's head: the unit's (部门（单位）名称) or a project's (项目名称) name."""

    label: str
    name: str
    #: 主管部门 and 实施单位, as the form's second line states them.
    department: str
    implementer: str


@dataclass(frozen=True)
class FundsRow:
    """A line of the 年度资金情况 block: amounts in the form's unit; 分值, 执行率 and 得分 on the
    first line only (empty on the others)."""

    label: str
    original_budget: str
    budget: str
    actual: str
    weight: str
    rate: str
    score: str


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator as the form shows it; a span of 0 is a cell covered by the one above."""

    level1: str
    level1_span: int
    level2: str
    level2_span: int
    level3: str
    target: str
    actual: str
    weight: str
    score: str
    #: For the 底稿: the unit's entered score beside the program's (empty when they agree).
    score_review: str
    reason: str
    met: bool
    over_achieved: bool
    missing_reason: bool
    source: str
    #: for a 申报表's indicator, the clerk's 绩效目标 row its 实际完成值 came from ("" else)
    result_source: str = ""
    #: the score's working, worded (a form's 得分计算方法); "" when not computed
    working: str = ""
    #: what some forms show beside an indicator (重庆), as the unit wrote it
    original_target: str = ""
    adjusted_target: str = ""
    core: str = ""
    not_applicable: bool = False
    #: 指标性质 (≥, ≤, =, 定性) and 度量单位: columns of their own on some packs' forms.
    direction: str = ""
    unit: str = ""


@dataclass(frozen=True)
class FundsBySource:
    """A row of the funds by 资金来源 (四川's form), when every counted 支出 row states one."""

    label: str
    original_budget: str
    budget: str
    actual: str
    rate: str


@dataclass(frozen=True)
class FundsPart:
    """A part of a split execution score (贵州: 基本支出, 项目支出): its figures, 分值, 得分 and
    得分计算方法, as its row of the funds block states them."""

    label: str
    original_budget: str
    budget: str
    actual: str
    rate: str
    weight: str
    score: str
    method: str


@dataclass(frozen=True)
class ScoringView:
    """One 自评表 (the unit's, or a project's) as display strings (`scoring_view`)."""

    title: str
    header: FormHeader
    #: The form's 金额单位 (万元 or 元).
    unit: str
    funds: list[FundsRow]
    funds_note: str
    funds_by_source: list[FundsBySource]
    #: For the 底稿: where 「其中：当年财政拨款」's figures come from (empty when plain).
    funds_derivation: str
    unscored_funds: bool
    goal: str
    achieved: str
    rows: list[IndicatorRow]
    targets_given: bool
    weight_total: str
    total: str
    #: The total is the unit's own (stated, or its entered scores) where the program has none.
    total_stated: bool
    stated_notes: list[str]
    #: the execution score's working, worded ("" for a unit without one)
    funds_working: str
    grade: str
    unscored_reason: str
    rules: str
    warnings: list[str]
    #: The unit's own words on its execution rate, for forms with a column for them.
    funds_reason: str = ""
    #: The rule pack that scored the table and lays it out (`selfeval.packs`; 单位概况
    #: 「自评表格式」).
    pack: str = DEFAULT_PACK
    #: The parts of a split execution score (贵州's rows 基本支出, 项目支出); [] otherwise.
    funds_by_category: list[FundsPart] = field(default_factory=list)


def note_text(note: Note) -> str:
    """A finding of the scoring, worded."""
    return render("scoring", (note.code,), note.facts)


def warning_texts(result: ScoreResult) -> list[str]:
    """The warnings of one 自评表, worded."""
    return [note_text(w) for w in result.warnings]


def year_warnings(results: YearResults) -> list[str]:
    """The build summary's warnings of a year: the cleaner's, then each 自评表's."""
    found = list(results.warnings)
    for result in (results.scoring, *results.projects):
        found += warning_texts(result)
    return found


def year_summary(results: YearResults) -> dict:
    """summary.json of a year, its warnings worded (`year_warnings`)."""
    return {**results.summary, "warnings": year_warnings(results)}


def unscored_text(result: ScoreResult) -> str:
    """Why no total was computed ("" when there is one)."""
    return note_text(result.unscored_reason) if result.unscored_reason else ""


def deviation_problem(deviation: Deviation) -> str:
    """What deviated from a target (an 执行率 deviation is worded from its figures instead)."""
    return note_text(deviation.problem) if deviation.problem else ""


def reason_text(reason: str | None, measures: str | None) -> str:
    """The 偏差原因分析及改进措施 cell: the unit's cause and measures, as given."""
    facts = {"reason": reason or "", "measures": measures or ""}
    if reason and measures:
        return render("scoring", ("reason_and_measures",), facts)
    if measures:
        return render("scoring", ("measures_only",), facts)
    return render("scoring", ("reason",), facts) if reason else ""


def _fmt(value: float | None, decimals: int = 2, missing: str = NOT_GIVEN) -> str:
    return decimal_str(value, decimals, missing=missing)


def _spans(values: list[str], parents: list[str] | None = None) -> list[int]:
    """Rowspans of consecutive equal values (0 = covered by the cell above)."""
    spans = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        boundary = (
            i == len(values)
            or values[i] != values[start]
            or (parents is not None and parents[i] != parents[start])
        )
        if boundary:
            spans[start] = i - start
            start = i
    return spans


def _funds_rows(result: ScoreResult, unit: str) -> list[FundsRow]:
    funds = result.funds
    rows = []
    for n, source in enumerate(funds.sources):
        first = n == 0
        rows.append(
            FundsRow(
                label=source.label,
                # at the precision the 支出 rows state (107 stays 107, never 107.00)
                original_budget=money_number(
                    source.original_budget, source.original_decimals, unit
                ),
                budget=money_number(source.budget, source.budget_decimals, unit),
                actual=money_number(source.actual, source.actual_decimals, unit),
                # no 分值 of its own on a form without an execution-rate score
                weight=(plain_str(funds.weight) if funds.weight > 0 else "—") if first else "",
                rate=_funds_rate(funds) if first else "",
                score=_funds_score(funds) if first else "",
            )
        )
    return rows


def _funds_parts(funds: Funds, unit: str) -> list[FundsPart]:
    """Each part of a split execution score with its working (by label); a part without one
    (its budget or 执行数 not given) states its figures and 「未填报」 for its score."""
    workings = {w.label: w for w in funds.workings}
    parts = []
    for row in funds.by_category:
        working = workings.get(row.label)
        # the row names its part: its working without the label
        method = NOT_GIVEN if working is None else working_text(replace(working, label=""), unit)
        parts.append(
            FundsPart(
                label=row.label,
                original_budget=money_number(row.original_budget, None, unit),
                budget=money_number(row.budget, None, unit),
                actual=money_number(row.actual, None, unit),
                rate=f"{_fmt(row.rate)}%" if row.rate is not None else NOT_GIVEN,
                weight=NOT_GIVEN if working is None else plain_str(working.weight),
                score=NOT_GIVEN if working is None else _fmt(working.score),
                method=method,
            )
        )
    return parts


def _derivation(funds: Funds) -> str:
    """For the 底稿: where 当年财政拨款 comes from (the rule, as no input row states it)."""
    if not funds.fiscal_types or all(
        getattr(funds.sources[1], k) is None for k in ("original_budget", "budget", "actual")
    ):
        return ""
    types = "、".join(funds.fiscal_types)
    return (
        f"「其中：当年财政拨款」各数取自年度资金总额：支出表计入的各行预算类型均为财政拨款（{types}），"
        "收入表（如有）也未列其他来源的资金；上年结转资金、其他资金数据未提供（未填报）。"
    )


def stated_text(stated: Stated) -> str:
    """A figure the unit stated, at the decimals it wrote (98, 103.21; as typed when unknown)."""
    if stated.decimals is None:
        return plain_str(stated.value)
    return decimal_str(stated.value, stated.decimals)


def _funds_rate(funds: Funds) -> str:
    """The unit's 执行率 when it states one (kept over the program's), else the program's, else
    why there is none."""
    if funds.stated_rate is not None:
        return f"{stated_text(funds.stated_rate)}%"
    return f"{_fmt(funds.rate)}%" if funds.rate is not None else (funds.marker or "")


def _total_text(result: ScoreResult) -> str:
    if result.stated_total is not None and result.total == result.stated_total.value:
        return stated_text(result.stated_total)
    return _fmt(result.total, missing="未计算")


def _row_score(rec: dict) -> tuple[str, str]:
    """(the 得分 cell, the 底稿's word on it): the unit's entered 得分 kept over the program's."""
    entered, computed = rec.get("所填得分"), rec["得分"]
    if entered is None:
        return _fmt(computed, missing=NOT_SCORED), ""
    where = f"（{rec['source']}「得分」）" if rec.get("source") else ""
    if computed is None:
        why = "实际完成值未填报，" if not rec["实际完成值"] else ""
        own = f"{rec['三级指标']}：得分{plain_str(entered)}为单位所填{where}"
        return plain_str(entered), f"{own}（{why}程序未计算）。"
    if abs(entered - computed) > 0.005:
        return plain_str(entered), (
            f"⚠ {rec['三级指标']}：单位所填得分{plain_str(entered)}{where}，"
            f"按评分规则计算为{_fmt(computed)}；报送稿按单位所填。"
        )
    return plain_str(entered), ""


def _beside(own: str, stated: Stated, computed: float | None, how: str, why: str, **kw) -> str:
    """The unit's figure (`own`) beside the program's: why the program has none, ⚠ and both
    where they differ at the unit's precision, ✓ where they agree."""
    unit, verb = kw.get("unit", ""), kw.get("verb", "所填")
    if computed is None:
        return f"{own}；{why}。"
    if differs(stated, computed):
        return f"⚠ {own}，{how}为{_fmt(computed)}{unit}；报送稿按单位{verb}。"
    return f"✓ {own}，与{how}的{_fmt(computed)}{unit}一致。"


def _where(stated: Stated, column: str = "") -> str:
    return f"（{stated.source}{column}）" if stated.source else ""


def _total_notes(result: ScoreResult) -> list[str]:
    stated, computed = result.stated_total, result.computed_total
    why = f"程序未计算：{unscored_text(result) or '未计算总分'}"
    notes = []
    if stated is not None:
        own = f"总分{stated_text(stated)}为单位自评得分{_where(stated)}"
        notes.append(_beside(own, stated, computed, "按评分规则计算", why, unit="分"))
    elif result.total is not None and computed is None:
        notes.append(f"总分{_total_text(result)}为单位所填各项得分之和；{why}。")
    elif result.total is not None and computed is not None and abs(result.total - computed) > 0.005:
        notes.append(
            f"⚠ 总分{_total_text(result)}为各项得分之和（含单位所填得分），"
            f"按评分规则计算为{_fmt(computed)}分；报送稿按单位所填。"
        )
    if result.grade and (computed is None or stated is not None):
        notes.append(f"等级“{result.grade}”按等级标准由总分{_total_text(result)}确定。")
    return notes


def stated_rate_note(funds: Funds) -> str | None:
    """For the 底稿, wherever the report states the unit's 执行率 (the 自评表, section 二): the
    unit's rate beside the program's, ⚠ where they differ at the unit's precision, ✓ where they
    agree, the program's reason when it computes none; None when the unit states no rate."""
    rate = funds.stated_rate
    if rate is None:
        return None
    why = f"程序无法计算（{funds.marker or BUDGET_MISSING}）"
    own = f"执行率{stated_text(rate)}%为单位所写{_where(rate)}"
    return _beside(own, rate, funds.rate, "按支出表计算", why, unit="%", verb="所写")


def stated_notes(result: ScoreResult) -> list[str]:
    """For the 底稿: the unit's own total, 执行率 and its 得分 beside the program's, ⚠ where
    they differ, or the program's reason when it computes none."""
    notes = _total_notes(result)
    funds = result.funds
    why = f"程序无法计算（{funds.marker or BUDGET_MISSING}）"
    rate_note = stated_rate_note(funds)
    if rate_note is not None:
        notes.append(rate_note)
    if funds.stated_score is not None and funds.weight > 0:
        score = funds.stated_score
        own = f"预算执行率得分{stated_text(score)}为单位所填{_where(score, '「得分」')}"
        notes.append(_beside(own, score, funds.score, "按评分规则计算", why))
    return notes


def _funds_score(funds: Funds) -> str:
    if funds.weight == 0:
        return "—"
    if funds.stated_score is not None:  # the unit's own, kept over the program's
        return stated_text(funds.stated_score)
    return _fmt(funds.score) if funds.score is not None else NOT_SCORED


def _funds_note(result: ScoreResult) -> str:
    funds = result.funds
    lost = "，该项不计分。" if funds.weight > 0 else "。"  # 0 points: nothing is lost
    if funds.marker == BUDGET_INCOMPLETE:
        rows = "、".join(funds.missing_budget_rows)
        return f"预算数不全：{rows}未填报预算数，预算执行率不计算{lost}"
    if funds.marker == BUDGET_MISSING:
        return f"支出数据未提供预算数，预算执行率无法计算{lost}"
    if funds.marker:
        return f"{funds.marker}，预算执行率无法计算{lost}"
    reason = reason_text(funds.reason, funds.measures)
    return f"偏差原因分析及改进措施：{reason}" if reason else ""


def _as_percent(interval: str) -> str:
    """[80, 100] → [80%, 100%]: the band of a 评价 as a share of the weight."""
    return re.sub(r"(\d+)", r"\g<1>%", interval)


def grades_text(grades: str | None) -> str:
    """The grades' bands of a 等级标准 (优90 良80 中60 by default): 优（≥90分）、…、差（<60分)."""
    found = dict(re.findall(r"(优|良|中)\D*?(\d+(?:\.\d+)?)", grades or ""))
    default = dict(zip(GRADES, GRADE_BOUNDS, strict=True))
    bounds = [float(found.get(g, default[g])) for g in GRADES]
    bands = [f"{g}（≥{plain_str(b)}分）" for g, b in zip(GRADES, bounds, strict=True)]
    return "、".join([*bands, f"差（<{plain_str(bounds[-1])}分）"])


def rules_text(result: ScoreResult) -> str:
    """The rules as applied: the weights the data gives, 第十六条's bands, the denominator, the
    grades — never a fixed scheme."""
    settings = result.settings
    weights = "、".join(f"{k}{plain_str(v)}分" for k, v in result.weights_by_level1.items())
    scored = result.funds.weight > 0  # a form without an execution-rate score lists no such part
    parts = [f"预算执行率{plain_str(result.funds.weight)}分"] if scored else []
    if weights:
        parts.append(weights)
    bands = "，".join(
        f"“{label}”得分为分值的{_as_percent(band_text(label, 100))}" for label in QUALITATIVE_BANDS
    )
    base = settings.get("执行率口径", "全年预算数")
    rate = f"预算执行率 = 全年执行数 ÷ {base}" + (
        "，得分 = 执行率 × 分值（至多为分值）" if scored else "（不计分）"
    )
    if settings.get("预算执行率规则") == "无":  # the pack's form states no rate rule (江西)
        rate = ""
    # the weights and the rate's rule, each only when there is one (never 「评分规则：；…」)
    lead = "；".join(x for x in ("，".join(parts), rate) if x)
    return (
        f"评分规则：{lead}{'；' if lead else ''}"
        "定量指标完成即得满分，未完成按完成比例计分；"
        f"定性指标（财预〔2020〕10号第十六条）{bands}（方括号含端点，圆括号不含）。"
        "总分为各项未经四舍五入的得分之和，只在最后保留两位小数。"
        f"等级：{grades_text(settings.get('等级标准'))}。" + pack_rules_text(result)
    )


def scoring_view(
    result: ScoreResult,
    *,
    unit_name: str = "",
    department: str = "",
    texts: dict | None = None,
    amount_unit: str = "万元",
) -> ScoringView:
    """Display strings of one 自评表 (the unit's, or a project's)."""
    texts = texts or {}
    table = result.indicators
    level1 = [r["一级指标"] for r in table]
    level2 = [r["二级指标"] for r in table]
    span1 = _spans(level1)
    span2 = _spans(level2, parents=level1)
    rows = []
    for i, rec in enumerate(table):
        score, score_review = _row_score(rec)
        rows.append(
            IndicatorRow(
                level1=rec["一级指标"],
                level1_span=span1[i],
                level2=rec["二级指标"],
                level2_span=span2[i],
                level3=rec["三级指标"],
                target=rec["年度指标值"] or NOT_GIVEN,
                actual=rec["实际完成值"] or NOT_GIVEN,
                weight=plain_str(rec["分值"], missing=NOT_GIVEN),
                score=score,
                score_review=score_review,
                reason=reason_text(rec["偏差原因"], rec["改进措施"]),
                met=bool(rec["met"]),
                over_achieved=bool(rec["over_achieved"]),
                missing_reason=bool(rec["missing_reason"]),
                source=rec.get("source", ""),
                result_source=rec.get("result_source") or "",
                # the score's working (a form's 得分计算方法)
                working=working_text(rec.get("working")),
                # what some forms show beside an indicator (重庆), as the unit wrote it
                original_target=rec.get("年初指标值", ""),
                adjusted_target=rec.get("调整后指标值", ""),
                core=rec.get("是否核心指标", ""),
                not_applicable=bool(rec.get("not_applicable")),
                direction=rec.get("direction", ""),
                unit=rec.get("unit", ""),
            )
        )
    project = result.project
    goal = [] if project else texts.get("总体目标", {}).get("paragraphs", [])
    done = [] if project else texts.get("总体完成情况", {}).get("paragraphs", [])
    return ScoringView(
        title=f"{project}项目支出绩效自评表" if project else "部门整体支出绩效自评表",
        # The unit's form names the 部门（单位）; a project's form names the project.
        header=FormHeader(
            label="项目名称" if project else "部门（单位）名称",
            name=project or unit_name,
            department=department or NOT_GIVEN,
            implementer=unit_name,
        ),
        unit=amount_unit,
        funds=_funds_rows(result, amount_unit),
        funds_note=_funds_note(result),
        # the funds by 资金来源 (四川's rows), when the 支出 sheet states every row's source
        funds_by_source=[
            FundsBySource(
                label=row.label,
                original_budget=money_number(row.original_budget, None, amount_unit),
                budget=money_number(row.budget, None, amount_unit),
                actual=money_number(row.actual, None, amount_unit),
                rate=_fmt(row.rate, missing="") + ("%" if row.rate is not None else ""),
            )
            for row in result.funds.by_source
        ],
        funds_by_category=_funds_parts(result.funds, amount_unit),
        funds_derivation=_derivation(result.funds),
        unscored_funds=result.funds.score is None,
        goal="".join(goal) or NOT_GIVEN,
        achieved="".join(done) or NOT_GIVEN,
        rows=rows,
        targets_given=result.targets_given,
        weight_total=plain_str(result.weight_total, missing="—"),
        total=_total_text(result),
        # the total is the unit's own (stated, or its entered scores) where the program has none
        total_stated=result.total is not None and result.computed_total is None,
        stated_notes=stated_notes(result)
        + [r.score_review for r in rows if r.score_review]
        + working_notes(result, amount_unit),
        funds_working="；".join(working_text(w, amount_unit) for w in result.funds.workings),
        grade=result.grade or "未评定",
        unscored_reason=unscored_text(result),
        rules=rules_text(result),
        warnings=warning_texts(result),
        funds_reason=reason_text(result.funds.reason, result.funds.measures),
        pack=result.pack,
    )
