"""02 分析 for people: a year's figures as tables with Chinese headers, sentences and charts.

The notebook only calls these and displays what they return, so that what an analyst reads in
JupyterLab is worded once, here, from the figures `results.compute_year` already computed:
amounts in the unit's 金额单位 at the source's precision (`formats.money_number`), percentages
with two decimals, 「未填报」 for what the data lacks (never NaN, None or 0), ✓/⚠ for the
data checks. Nothing here sums or divides; shares, rates, differences and totals are fields of
the figures. Each table is a `Table` (HTML in JupyterLab, aligned text elsewhere), each sentence
a `Text` (Markdown), each chart a `Chart` (PNG, the report's own charts).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from selfeval.figures.spending import Amount
from selfeval.present.blocks.submission import missing_texts
from selfeval.present.checks_view import OK, WARN, checks_table
from selfeval.present.context import NoChart, build_context
from selfeval.present.formats import (
    NOT_GIVEN,
    count_text,
    grouped,
    money,
    money_number,
    pct,
    yoy_numbers,
)
from selfeval.present.scoring_view import (
    NOT_SCORED,
    IndicatorRow,
    rules_text,
    scoring_view,
    unscored_text,
    year_warnings,
)
from selfeval.results import YearResults


class Text:
    """A sentence or a list, written in Markdown (JupyterLab renders it)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


class Table:
    """A table of display strings: HTML without the index in JupyterLab, aligned text in a
    terminal (so no object address and no English column name reaches either)."""

    def __init__(
        self,
        key: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[str]],
        empty: str = "本年度未填报。",
    ) -> None:
        self.key = key
        self.frame = pd.DataFrame([list(r) for r in rows], columns=list(columns)).astype(object)
        self.empty = empty

    def __len__(self) -> int:
        return len(self.frame)

    def _repr_html_(self) -> str:
        """Written here, escaped cell by cell (cells are data: <script> stays text); pandas'
        Styler would import jinja2 into every year's kernel after its preload."""
        if self.frame.empty:
            return f"<p>{html.escape(self.empty)}</p>"
        align = [
            "right" if _is_figure_column(str(c)) else "left"  # JupyterLab's default is right
            for c in self.frame.columns
        ]
        head = "".join(
            f'<th style="text-align: center">{html.escape(str(c))}</th>' for c in self.frame.columns
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align: {a}">{html.escape(str(v))}</td>'
                for a, v in zip(align, row, strict=True)
            )
            + "</tr>"
            for row in self.frame.itertuples(index=False)
        )
        return (
            f'<table class="selfeval-analysis" id="{html.escape(self.key)}">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        if self.frame.empty:
            return self.empty
        return self.frame.to_string(index=False)


class Chart:
    """One of the report's charts, shown inline as PNG."""

    def __init__(self, title: str, png: bytes) -> None:
        self.title = title
        self.png = png

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return f"（图：{self.title}）"


def _is_figure_column(name: str) -> bool:
    return any(w in name for w in ("数", "率", "占", "分值", "得分", "人次", "场", "册", "增减"))


def _unit(results: YearResults) -> str:
    return results.figures.amount_unit


def _money(results: YearResults, value: float | None, decimals: Any = None) -> str:
    return money_number(value, decimals, _unit(results))


def _pct(value: float | None) -> str:
    return NOT_GIVEN if value is None else pct(value)


def _n(value: int | float | None, unit: str = "") -> str:
    return NOT_GIVEN if value is None else f"{grouped(value)}{unit}"


# --------------------------------------------------------------------------- the year


def overview(results: YearResults) -> Table:
    """Who and which year, in which 金额单位, and what the 报送稿 still lacks."""
    fig = results.figures
    missing = missing_texts(results.missing)
    rows = [
        ("单位名称", fig.unit_name or NOT_GIVEN),
        ("年度", f"{fig.year}年"),
        ("主管部门", fig.unit.get("主管部门") or NOT_GIVEN),
        ("金额单位", _unit(results)),
        ("填报日期", str(fig.data_date) if fig.data_date else NOT_GIVEN),
        ("报告格式", fig.unit.get("报告格式") or "九段式（默认）"),
        ("报送稿尚缺", "；".join(missing) if missing else "无（内容齐全）"),
    ]
    return Table("overview", ("项目", "内容"), rows)


def warnings(results: YearResults) -> Text:
    """What 02 found worth a person's attention (⚠), or that there is nothing."""
    found = year_warnings(results)
    if not found:
        return Text(f"{OK} 分析中没有需要注意的事项。")
    return Text("\n".join(f"- {WARN} {w}" for w in found))


# --------------------------------------------------------------------------- spending


def funds(results: YearResults) -> Table:
    """The year's funds by source as the 自评表 states them: budget, actual, execution rate."""
    unit = _unit(results)
    f = results.scoring.funds
    rows = [
        (
            r.label,
            _money(results, r.original_budget),
            _money(results, r.budget),
            _money(results, r.actual),
            _pct(r.rate),
        )
        for r in f.sources
    ]
    head = ("资金来源", f"年初预算数（{unit}）", f"全年预算数（{unit}）", f"全年执行数（{unit}）")
    return Table("funds", (*head, "预算执行率"), rows)


def funds_text(results: YearResults) -> Text:
    """One sentence: the execution rate and its score, or why there is none."""
    f = results.scoring.funds
    unit = _unit(results)
    if f.rate is None:
        return Text(
            f"全年执行数 {money(f.actual, None, unit)}；预算数未填报，预算执行率无法计算，"
            f"该项（{grouped(f.weight)}分）不计分。"
        )
    score = NOT_SCORED if f.score is None else money_number(f.score, 2)
    return Text(
        f"全年预算数 {money(f.budget, None, unit)}，全年执行数 {money(f.actual, None, unit)}，"
        f"预算执行率 **{pct(f.rate)}**，得分 {score}（分值 {grouped(f.weight)}）。"
    )


def spending_by_type(results: YearResults) -> Table:
    """Each 预算类型: its total as stated or summed, with what is missing said."""
    unit = _unit(results)
    rows = []
    for budget_type, spent in results.figures.spending.types.items():
        if spent is None:
            rows.append((budget_type, NOT_GIVEN, NOT_GIVEN, "本年未填报该预算类型"))
            continue
        total = spent.total
        rows.append(
            (
                budget_type,
                _money(results, total.budget, total.budget_decimals),
                _money(results, total.actual, total.actual_decimals),
                _amount_note(total),
            )
        )
    return Table("types", ("预算类型", f"预算数（{unit}）", f"执行数（{unit}）", "说明"), rows)


def _amount_note(amount: Amount) -> str:
    notes = []
    if amount.missing_budget:
        notes.append("未填预算数：" + "、".join(amount.missing_budget))
    if amount.missing_actual:
        notes.append("未填执行数：" + "、".join(amount.missing_actual))
    if amount.note:
        notes.append(amount.note)
    return "；".join(notes)


def spending_structure(results: YearResults) -> Table:
    """一般公共预算支出 by part (人员、公用、项目) with its share of the total."""
    unit = _unit(results)
    rows = [
        (p.part, p.category, _money(results, p.budget), _money(results, p.actual), _pct(p.share))
        for p in results.figures.spending.structure
    ]
    head = ("支出", "支出类别", f"预算数（{unit}）", f"执行数（{unit}）", "占一般公共预算支出")
    return Table("structure", head, rows)


def spending_items(results: YearResults) -> Table:
    """Every 支出项目 (basic items and projects) of every 预算类型, with its execution rate."""
    unit = _unit(results)
    rates = {(b.budget_type, b.category, b.label): b.rate for b in results.figures.spending.lines}
    rows = []
    for budget_type, spent in results.figures.spending.types.items():
        if spent is None:
            continue
        for category, items in spent.items.items():
            for a in items:
                rows.append(
                    (
                        budget_type,
                        category or NOT_GIVEN,
                        a.label,
                        _money(results, a.budget, a.budget_decimals),
                        _money(results, a.actual, a.actual_decimals),
                        _pct(rates.get((budget_type, category, a.label))),
                        _pct(a.share),
                    )
                )
    head = ("预算类型", "支出类别", "支出项目", f"预算数（{unit}）", f"执行数（{unit}）")
    return Table("items", (*head, "执行率", "占本类型支出"), rows)


def economic_classes(results: YearResults) -> Table:
    """基本支出 by economic class (人员经费、公用经费) and the items each holds."""
    unit = _unit(results)
    rows = []
    for budget_type, spent in results.figures.spending.types.items():
        for group, a in (spent.basic_groups if spent else {}).items():
            members = [i.label for c in spent.items.values() for i in c if i.group == group] or [
                u.label for u in a.uses
            ]
            rows.append(
                (
                    budget_type,
                    group,
                    "、".join(members) or NOT_GIVEN,
                    _money(results, a.budget, a.budget_decimals),
                    _money(results, a.actual, a.actual_decimals),
                )
            )
    head = ("预算类型", "经济分类", "包括", f"预算数（{unit}）", f"执行数（{unit}）")
    return Table("economic", head, rows)


def sangong(results: YearResults) -> Table:
    """三公经费 as stated (an empty table when the year has no such sheet)."""
    unit = _unit(results)
    spend = results.figures.spending
    items = list(spend.sangong) + ([spend.sangong_total] if spend.sangong_total else [])
    rows = [
        (
            a.label,
            _money(results, a.budget, a.budget_decimals),
            _money(results, a.actual, a.actual_decimals),
        )
        for a in items
    ]
    head = ("项目", f"预算数（{unit}）", f"执行数（{unit}）")
    return Table("sangong", head, rows, empty="本年度没有「三公经费」工作表。")


# --------------------------------------------------------------------------- income, yoy


def income(results: YearResults) -> Table:
    """收入 by source, this year and last, with each source's share."""
    unit = _unit(results)
    inc = results.figures.income
    lines = [] if inc is None else [*([inc.total] if inc.total else []), *inc.parts]
    if inc is not None and inc.carried_over is not None:
        lines.append(inc.carried_over)
    rows = [
        (
            line.label,
            _money(results, line.current, line.current_decimals),
            _money(results, line.previous, line.previous_decimals),
            _pct(line.share),
            line.note,
        )
        for line in lines
    ]
    head = ("收入", f"本年（{unit}）", f"上年（{unit}）", "占收入合计", "说明")
    return Table("income", head, rows, empty="收入情况未填报。")


def income_text(results: YearResults) -> Text:
    if results.figures.income is None:
        return Text("本年度没有填报收入表（「收入」工作表）：收入情况未填报。")
    return Text("收入按来源列出如下。")


def yoy(results: YearResults) -> Table:
    """The main figures against last year's (same unit), with the change and its rate, each at
    the precision its source stated (`formats.yoy_numbers`, the report's own cells)."""
    year = results.figures.year
    unit = _unit(results)
    rows = [
        (f"{r.label}（{unit if r.unit == '万元' else r.unit}）", *yoy_numbers(r, unit))
        for r in results.yoy or []
    ]
    head = ("指标", f"{year - 1}年", f"{year}年", "增减", "增减率")
    return Table("yoy", head, rows, empty="本年不作同比。")


def yoy_text(results: YearResults) -> Text:
    if results.yoy is None:
        year = results.figures.year
        return Text(
            f"没有同一单位 {year - 1} 年度的清洗结果，本年不作同比（先生成 {year - 1} 年度即可）。"
        )
    return Text(f"与{results.figures.year - 1}年相比（同一单位的上年数据）：")


# --------------------------------------------------------------------------- activities, services


def activities_totals(results: YearResults) -> Table:
    """The year's activities counted once each (summary listings with their members)."""
    totals = results.figures.activities.totals
    if totals is None:
        return Table("activities_totals", ("指标", "本年"), [("活动", NOT_GIVEN)])

    def total(value: Any, unit: str) -> str:
        return (count_text(value, unit) or NOT_GIVEN) + _partial(value)

    rows = [
        ("活动（项）", f"{totals.events}项"),
        ("场次", total(totals.sessions, "场")),
        ("线下参与", total(totals.offline, "人次")),
        ("线上参与", total(totals.online, "人次")),
        ("赠书", total(totals.books, "册")),
        ("资料", total(totals.materials, "份")),
    ]
    return Table("activities_totals", ("指标", "本年"), rows)


def _partial(value: Any) -> str:
    unknown = getattr(value, "unknown_parts", 0)
    return f"（其中{unknown}项未填报）" if unknown else ""


def activities_by_category(results: YearResults) -> Table:
    rows = [
        (r.category, f"{r.listings}", f"{r.sessions}", _n(r.offline), _n(r.online))
        for r in results.figures.activities.by_category
    ]
    head = ("活动类别", "次数", "场次", "线下参与（人次）", "线上参与（人次）")
    return Table("categories", head, rows)


def services(results: YearResults) -> Table:
    """Satisfaction surveys, digital services and holdings: the service outputs as stated."""
    fig = results.figures
    rows = []
    for s in fig.satisfaction:
        sample = (
            "" if s.get("sample") is None else f"（样本{s['sample']}份，满意{s['satisfied']}份）"
        )
        rows.append(("满意度", s.get("survey") or NOT_GIVEN, _pct(s.get("rate")) + sample))
    for d in fig.digital:
        for row in d.get("rows", []):
            value = row.get("value")
            shown = NOT_GIVEN if value is None else f"{grouped(value)}{row.get('unit') or ''}"
            what = "：".join(x for x in (d.get("service"), row.get("indicator")) if x)
            rows.append(("数字服务", what, shown if row.get("indicator") else row.get("note", "")))
    h = fig.holdings
    if h is not None:
        rows.append(("馆藏", f"{h.year}年末藏量", f"{grouped(h.holdings)}册"))
        rows.append(("馆藏", f"{h.year}年新增", _n(h.added, "册")))
    return Table("services", ("类别", "项目", "本年"), rows)


# --------------------------------------------------------------------------- targets, checks


def _working(row: IndicatorRow) -> str:
    """How an indicator's score was reached, in words (the rules are `score_text`'s)."""
    if row.score == NOT_SCORED:
        return "未计分"
    quantitative = row.target[:1] in ("≥", "≤", "=")
    if row.met:
        return "达到年度指标值，得全部分值" + ("（大幅超额完成）" if row.over_achieved else "")
    if quantitative:
        return "未达到年度指标值，按完成比例计分（分值 × 完成值 ÷ 指标值）"
    return "定性指标，按评价所在档次在分值的区间内计分"


def targets(results: YearResults) -> Table:
    """Each indicator: target, result, 分值, 得分 and how the score was reached."""
    view = scoring_view(results.scoring, amount_unit=_unit(results))
    rows = [
        (
            r.level1,
            r.level2,
            r.level3,
            r.target,
            r.actual,
            r.weight,
            r.score,
            _working(r),
            r.reason or "",
        )
        for r in view.rows
    ]
    head = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
    head = (*head, "计分", "偏差原因分析及改进措施")
    return Table("targets", head, rows, empty="未填报绩效目标，没有可列的指标。")


def score_text(results: YearResults) -> Text:
    """The total, the grade and the rules the scores follow, or why there is no total."""
    s = results.scoring
    view = scoring_view(s, amount_unit=_unit(results))
    if not s.targets_given:
        head = "本单位未填报绩效目标：绩效自评表只列资金情况，未计算总分。"
    elif s.total is None:
        head = f"未计算总分：{unscored_text(s) or '有指标未计分'}。"
    else:
        head = f"自评总分 **{view.total}** 分（满分 {view.weight_total}），等级 **{view.grade}**。"
    return Text(f"{head}\n\n计分方法：{rules_text(s)}")


def checks(results: YearResults) -> Table:
    """数据核对: each figure a source states against the one computed (✓ agrees, ⚠ differs)."""
    frame = checks_table(results.checks)
    rows = frame.itertuples(index=False)
    return Table("checks", list(frame.columns), rows, empty="没有可核对的声明数。")


def checks_text(results: YearResults) -> Text:
    bad = sum(1 for c in results.checks if not c.ok)
    if not results.checks:
        return Text("本年度的数据中没有可核对的声明数。")
    if not bad:
        return Text(f"{OK} 全部 {len(results.checks)} 项核对一致。")
    return Text(f"{WARN} {len(results.checks)} 项核对中有 {bad} 项不一致，请逐项查看说明。")


# --------------------------------------------------------------------------- charts


#: The parts of the year's charts, in the order 02 shows them.
CHART_PARTS = ("支出", "活动", "馆藏")


def charts(results: YearResults, *, draw: bool = True) -> dict[str, list[Chart | Text]]:
    """The report's charts of the year by part (支出, 活动, 馆藏), drawn once; a chart the data
    gives no value for is the sentence that says so. `draw=False` (the batch, whose executed 02
    nobody reads: 03 draws the same charts into the report) gives every part empty, saving
    2–3 s of a year's build."""
    if not draw:
        return {part: [] for part in CHART_PARTS}
    ctx = build_context(results)
    parts = {
        "支出": ctx.spending_figures,
        "活动": ctx.activity_figures,
        "馆藏": ctx.holdings_figures,
    }
    return {
        part: [Text(f.note) if isinstance(f, NoChart) else Chart(f.title, f.png) for f in figures]
        for part, figures in parts.items()
    }
