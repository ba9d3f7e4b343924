"""The report's context: the figures of a year, formatted (strings, chart PNGs) for the builder.

`selfeval.present.build` turns this `ReportContext` into the format-neutral document; nothing
here knows HTML or Word. The context is typed (frozen dataclasses, issue #25) so that a builder
reads `ctx.spending.shares`: a misspelt or missing field fails loudly (AttributeError, and a type
checker sees it) instead of reading None from a dict. Charts are drawn once, at print
resolution, and serve every format. Amounts are shown in the unit's own 金额单位 (万元 or 元) at
the precision the source stated, on the charts too; a figure the data lacks is 「未填报」 in every
table and chart description, and is never drawn as a bar: the chart marks it 「未填报」. Which
charts a year has: `_spending_figures`, `_indicator_figures`, `_yoy_figures` (a reviewer's) and
the service charts, each only when it shows more than a sentence does (`charts.MIN_VALUES`,
`charts.MIN_PAIRS`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from selfeval.contract import sheets as sc
from selfeval.figures.activities import (
    Activities,
    CategoryGroup,
    Listing,
    MemberRef,
    YearTotals,
)
from selfeval.figures.department import DepartmentFigures
from selfeval.figures.holdings import Holdings
from selfeval.figures.income import Income
from selfeval.figures.spending import BUDGET_TYPES, GENERAL, Amount, BudgetTypeSpending, Spending
from selfeval.figures.tasks import AnnualTasks
from selfeval.figures.typos import Typo
from selfeval.figures.year import YoyRow
from selfeval.present import charts
from selfeval.present.checks_view import checks_table
from selfeval.present.formats import (
    NOT_GIVEN,
    cn_date,
    count_text,
    money,
    money_number,
    pct,
    yoy_numbers,
)
from selfeval.present.scoring_view import ScoringView, scoring_view
from selfeval.results import YearResults
from selfeval.rules import is_missing, plain_str
from selfeval.scoring import Deviation, ScoreResult

# --------------------------------------------------------------------------- the typed context


@dataclass(frozen=True)
class ChartFigure:
    """A chart drawn once at print resolution, with what states it in words and as a table."""

    key: str
    title: str
    png: bytes
    #: The chart's figures in one sentence (the image's alternative text).
    alt: str
    #: The 底稿's data table of the chart (a chart that brings its own table leaves them empty).
    headers: list[str]
    rows: list[list[str]]
    source: str


@dataclass(frozen=True)
class NoChart:
    """A chart left out because the data gives none of its values: the 底稿 says why."""

    key: str
    note: str


#: A chart of the report, or the 底稿's sentence saying why there is none.
ReportFigure = ChartFigure | NoChart


@dataclass(frozen=True)
class SpendingView:
    """What sections 二 to 五 state of spending, by 预算类型 (`types`, None: not given)."""

    #: The 一般公共预算 (None: the year does not give it).
    general: BudgetTypeSpending | None
    #: Share (percent) of each 一般公共预算 part and category.
    shares: dict[str, float | None]
    #: Whether any line states a 预算数 / a 年初预算数 (else those columns are left out).
    any_budget: bool
    any_original: bool
    types: dict[str, BudgetTypeSpending | None]


@dataclass(frozen=True)
class ActivityWords:
    """The source's words for a measure over all listings (宣传资料), else the plain word."""

    books_verb: str
    materials_name: str


@dataclass(frozen=True)
class ListingView:
    """One listing of the 活动 sheet as the report words it: dates in Chinese, counts with
    their units (「200人次」, empty when not given)."""

    event_id: str
    name: str
    date: str
    timeframe: str
    period: str
    place: str
    offline: str
    online: str
    sessions: str
    books: str
    materials: str
    effect: str
    note: str
    books_verb: str
    materials_name: str
    #: Other categories that list the same activity (counted once in the year's totals).
    also_in: list[str]
    #: The listings a summary row stands for, each as 「10月29日讲座」 (or its event id).
    members: list[str]
    source: str

    def measure(self, name: str) -> str:
        """The text of a measure by its key (offline, online, sessions, books, materials)."""
        return _measure(self, name)


@dataclass(frozen=True)
class CategorySummary:
    """Per-category figures as listed: one stated value keeps its wording (4000多份)."""

    listings: int
    sessions: int
    #: 场次 said only when some listing states it (else it is the number of listings).
    sessions_stated: bool
    #: The measures every listing states: only these a category's summary sentence sums.
    complete: list[str]
    #: The unit's own figures for the category (声明数), as it wrote them: 6场, 2800册.
    stated: dict[str, str]
    books_verb: str
    materials_name: str
    offline: str
    online: str
    books: str
    materials: str
    #: How many listings the 线下参与人次 rests on, when not all state it (a 底稿 note).
    offline_basis: str = ""

    def measure(self, name: str) -> str:
        """The text of a measure by its key (offline, online, books, materials)."""
        return _measure(self, name)


#: The measures a listing or a category states, by key.
MEASURES = ("offline", "online", "sessions", "books", "materials")


def _measure(view: ListingView | CategorySummary, name: str) -> str:
    """A measure's text by key; a key outside `MEASURES` is an error, never an empty text."""
    if name not in MEASURES or not hasattr(view, name):
        raise KeyError(f"no measure {name!r} (measures: {', '.join(MEASURES)})")
    return getattr(view, name)


@dataclass(frozen=True)
class ActivityCategory:
    """One 活动类别 of section 六: its summary figures and its listings, in sheet order."""

    category: str
    summary: CategorySummary
    listings: list[ListingView]


@dataclass(frozen=True)
class Subsection:
    """A subsection of section 六: a fixed `key` (活动, 服务评价 …), 「custom」 for the unit's
    own 文字说明 章节 (`text_key`), or 同比."""

    key: str
    title: str
    text_key: str = ""


@dataclass(frozen=True)
class ReportContext:
    """Everything the report's blocks need for one year, formatted (`build_context`).

    Every field is required: a context built without one is a TypeError, a builder reading a
    field that is not here an AttributeError. Mappings keyed by the data's own names (单位概况
    items, 文字说明 章节, 预算类型) stay mappings."""

    year: int
    unit_name: str
    #: How the report states amounts: 万元 or 元.
    amount_unit: str
    title: str
    #: The 填报日期 as 「2025年1月20日」 (None: not given) and as a timestamp.
    data_date: str | None
    data_day: pd.Timestamp | None
    #: 单位概况 items by name, and those the overview does not state in its own sentences.
    unit: Mapping[str, str]
    unit_extra: Mapping[str, str]
    #: 文字说明 by 章节: {"paragraphs": [...], "title": ..., "custom": ...}.
    texts: Mapping[str, dict]
    income: Income | None
    spending: SpendingView
    sangong: list[Amount]
    sangong_total: Amount | None
    budget_types: tuple[str, ...]
    spending_figures: list[ReportFigure]
    subsections: list[Subsection]
    categories: list[ActivityCategory]
    totals: YearTotals | None
    words: ActivityWords
    #: Events without a start date (in the yearly totals, not in the months).
    undated: int
    activity_figures: list[ReportFigure]
    satisfaction: list[dict]
    digital: list[dict]
    holdings: Holdings | None
    holdings_figures: list[ReportFigure]
    indicator_figures: list[ReportFigure]
    yoy_figures: list[ReportFigure]
    summary: dict
    #: Headline figures against the previous year (None: no comparable year).
    yoy: list[YoyRow] | None
    previous_year: int
    #: The unit's 绩效自评表 (None only in a context made without one, e.g. in tests).
    scoring: ScoreResult | None
    targets_given: bool
    deviations: list[Deviation]
    #: The 数据核对 appendix table (`checks_view.checks_table`).
    reconciliation: pd.DataFrame
    #: The 自评表s as the tables show them (`scoring_view.scoring_view`).
    scoring_view: ScoringView
    project_views: list[ScoringView]
    report_format: str
    #: 「<unit><year>年度填报数据」: where every chart's and table's figures come from.
    source: str
    #: A 主管部门's department as a whole (None for any other unit).
    department: DepartmentFigures | None
    #: What the frame requires of a 报送稿 and the data lacks (the year is then a 草稿).
    missing: list[str]
    #: The approved 申报表's 年度主要任务 (None: no 申报表 lists them).
    tasks: AnnualTasks | None = None
    #: Suspected typos in the unit's text (the 审核底稿's; the 报送稿 keeps the unit's words).
    typos: tuple[Typo, ...] = ()


REPORT_TITLE = "{unit}{year}年度整体支出绩效自评报告"
#: Default headings of section 六's fixed subsections (文字说明 标题 overrides them).
SUBSECTION_DEFAULTS = {
    "活动": "开展文化活动情况",
    "服务评价": "服务评价情况",
    "数字服务": "数字服务情况",
    "馆藏建设": "馆藏建设情况",
    "基层服务": "基层服务情况",
}
#: 单位概况 items the overview states in its own sentences (or that only steer the build).
OVERVIEW_ITEMS = ("单位名称", *sc.UNIT_ITEM_KINDS)


def _listing(item: Listing) -> ListingView:
    def member(ref: MemberRef) -> str:
        return f"{cn_date(ref.start_date)}{ref.name}" if ref.start_date else ref.event_id

    return ListingView(
        event_id=item.event_id,
        name=item.name,
        date=cn_date(item.start_date, item.end_date),
        timeframe=item.timeframe,
        period=item.period,
        place=item.place,
        offline=count_text(item.counts["offline"], "人次"),
        online=count_text(item.counts["online"], "人次"),
        sessions=count_text(item.counts["sessions"], "场"),
        books=count_text(item.counts["books"], "册"),
        materials=count_text(item.counts["materials"], "份"),
        effect=item.effect,
        note=item.note,
        books_verb=item.books_verb or DEFAULT_BOOKS_VERB,
        materials_name=item.materials_name or "资料",
        also_in=item.also_in,
        members=[member(m) for m in item.members],
        source=item.source,
    )


#: The unit of a 声明数 度量 when the row gives none.
_STATED_UNITS = {"次数": "次", "场次": "场", "赠书册数": "册", "资料份数": "份"}
_STATED_UNITS |= {"线下参与人次": "人次", "线上参与人次": "人次"}


def common_words(items: list[Listing], measure: str, field: str, default: str) -> str:
    """The source's word for a measure over several listings: the one most listings stating
    the measure use (宣传资料 of 宣传资料, 宣传资料, 安全资料 …), else the plain word — on a tie,
    or when most name none, a sum borrows no listing's noun."""
    ranked = Counter(getattr(i, field) for i in items if i.counts[measure].known).most_common(2)
    if not ranked or not ranked[0][0] or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return default
    return ranked[0][0]


def _category_line(group: CategoryGroup) -> CategorySummary:
    """Per-category figures as listed: one stated value keeps its wording (4000多份)."""
    counts: dict[str, str] = {}
    offline_basis = ""
    units = {"offline": "人次", "online": "人次", "books": "册", "materials": "份"}
    for measure, unit in units.items():
        m = group.measures[measure]
        if m.single is not None:
            counts[measure] = count_text(m.single, unit)
        elif m.total is not None:
            counts[measure] = count_text(m.total, unit)
        else:
            counts[measure] = ""
        if measure == "offline" and m.known and m.known < m.listed:
            offline_basis = f"本类线下参与人次据{m.known}次活动的记录（共{m.listed}次）。"
    return CategorySummary(
        listings=group.listings,
        sessions=group.sessions,
        sessions_stated=any(item.counts["sessions"].known for item in group.items),
        complete=[m for m, v in group.measures.items() if v.listed and v.known == v.listed],
        stated={
            name: f"{plain_str(f.value)}{f.unit or _STATED_UNITS.get(name, '')}"
            for name, f in group.stated.items()
        },
        books_verb=common_words(group.items, "books", "books_verb", DEFAULT_BOOKS_VERB),
        materials_name=common_words(group.items, "materials", "materials_name", "资料"),
        offline_basis=offline_basis,
        **counts,
    )


#: What the 审核底稿 says in place of a chart of which no value is known.
#: How books given are said when the unit names no verb of its own (赠书方式).
DEFAULT_BOOKS_VERB = "赠送"
#: A category's figure that only some of its listings state (the chart draws no bar for it).
PARTLY_GIVEN = "部分未填报"
ALL_NOT_GIVEN = {"activities_by_category": "各类活动参与人次均未填报，未绘制图表。"}


def _figure(
    key: str, title: str, fig: Any, alt: str, headers: list[str], rows: list[list[str]], source
) -> ChartFigure:
    png = charts.png_bytes(fig, charts.REPORT_DPI)
    charts.release(fig)  # drawn once, never again: its memory goes now, not at some later GC
    return ChartFigure(key, title, png, alt, headers, rows, source)


def _frame(rows: list) -> pd.DataFrame:
    """The rows of a figures table as the charts take them."""
    return pd.DataFrame([asdict(r) for r in rows])


def _n(value: int | None, unit: str = "") -> str:
    """A count of a chart's table: the number, or 未填报."""
    return NOT_GIVEN if value is None else f"{value}{unit}"


def _participants_text(acts: Activities) -> dict[str, dict[str, str]]:
    """Each category's 线下 and 线上 participants as the text words them: one listing's figure
    as the unit wrote it (约300), a sum of approximate figures as a clerk states it (约300 +
    约330 + 3600 → 4200余, never 4230); 未填报 when no listing states it."""
    out: dict[str, dict[str, str]] = {}
    for group in acts.groups:
        words = {}
        for key in ("offline", "online"):
            m = group.measures.get(key)
            count = None if m is None else (m.single if m.single is not None else m.total)
            words[key] = count_text(count) or NOT_GIVEN
            if key == "offline" and m is not None and 0 < m.known < m.listed:
                # a sum over some listings is no category's figure; 线上 left blank is an
                # activity held only on site, not a figure missing
                words["offline_partial"] = f"{words[key]}（{m.listed}次中{m.known}次填报）"
                words[key] = PARTLY_GIVEN
        out[group.category] = words
    return out


def _category_figure(acts: Activities, title: str, source: str) -> dict:
    """Participants and sessions per category; a category without a figure has no bar, and a
    bar's label is the figure as the text words it. A figure only some of a category's listings
    state has no bar either (「部分未填报」): the text states no such sum (issue #30), and a bar
    of some listings would read as the category's."""
    said = _participants_text(acts)

    def text(r: Any, key: str) -> str:
        value = getattr(r, key)
        return NOT_GIVEN if value is None else said.get(r.category, {}).get(key, str(value))

    def people(r: Any, key: str) -> str:
        said_here = text(r, key)
        return said_here if said_here in (NOT_GIVEN, PARTLY_GIVEN) else f"{said_here}人次"

    frame = _frame(acts.by_category)
    for key in ("offline", "online"):
        frame[key] = [
            None if text(r, key) == PARTLY_GIVEN else getattr(r, key) for r in acts.by_category
        ]
    frame["offline_text"] = [text(r, "offline") for r in acts.by_category]
    frame["online_text"] = [text(r, "online") for r in acts.by_category]
    return _figure(
        "activities_by_category",
        title,
        charts.activities_by_category(frame, title, source),
        "；".join(
            f"{r.category}：{r.listings}次、{r.sessions}场，线下{people(r, 'offline')}，"
            f"线上{people(r, 'online')}"
            for r in acts.by_category
        ),
        ["活动类别", "次数", "场次", "线下参与（人次）", "线上参与（人次）"],
        [
            [
                r.category,
                str(r.listings),
                str(r.sessions),
                said.get(r.category, {}).get("offline_partial") or text(r, "offline"),
                text(r, "online"),
            ]
            for r in acts.by_category
        ],
        source,
    )


def _activity_figures(acts: Activities, source: str) -> list[ReportFigure]:
    """Service charts, each only when it compares at least `charts.MIN_VALUES` values the data
    gives: with fewer, the sentences of the report say all a chart would."""
    figures: list[ReportFigure] = []
    if not acts.groups:
        return figures
    title = "各类活动参与人次与场次"
    said = _participants_text(acts)
    known = [  # a category's figure that every listing of it states (see _category_figure)
        r
        for r in acts.by_category
        if any(
            getattr(r, key) is not None and said.get(r.category, {}).get(key) != PARTLY_GIVEN
            for key in ("offline", "online")
        )
    ]
    if not known:  # an empty axis would say nothing; the 底稿 says why there is no chart
        figures.append(NoChart("activities_by_category", ALL_NOT_GIVEN["activities_by_category"]))
    elif len(known) >= charts.MIN_VALUES:
        figures.append(_category_figure(acts, title, source))
    active = [r for r in acts.by_month if r.events > 0]
    if len(active) >= charts.MIN_VALUES:
        title = "各月开展活动数"
        figures.append(
            _figure(
                "activities_by_month",
                title,
                charts.activities_by_month(_frame(acts.by_month), title, source),
                # 次: listings held, as 「全年开展…3次」 counts them; never 项, distinct events the
                # data cannot tell apart (two sessions of one lecture are two 次, not two 项)
                "；".join(f"{r.month}月{r.events}次" for r in active)
                + (f"；另有{acts.undated}次活动未填日期，未计入" if acts.undated else ""),
                ["月份", "活动（次）", "线下参与（人次）"],
                [[f"{r.month}月", str(r.events), _n(r.offline)] for r in active],
                source,
            )
        )
    if len(acts.books) >= charts.MIN_VALUES:
        title = "赠书去向（册）"
        figures.append(
            _figure(
                "books_by_destination",
                title,
                charts.books_by_destination(_frame(acts.books), title, source),
                "；".join(f"{r.destination}{r.books}册" for r in acts.books),
                ["赠书去向", "赠书（册）"],
                [[r.destination, str(r.books)] for r in acts.books],
                source,
            )
        )
    return figures


def _budget_rows(spend: Spending) -> list[tuple[str, Any]]:
    """(label, line) of the budget chart: every 预算类型 that states a budget somewhere, its
    items (人员支出, each project …) and, when it has several, its total. Uses (所属项目) stay in
    the table."""
    rows: list[tuple[str, Any]] = []
    for budget_type, typed in spend.types.items():
        if typed is None:
            continue
        items = [a for ls in typed.items.values() for a in ls]
        lines = [*items, *typed.categories.values(), typed.total]
        if not any(line.budget is not None for line in lines):
            continue
        rows += [(a.label, a) for a in items]
        if len(items) != 1:
            rows.append((f"{budget_type}合计", typed.total))
    return rows


def _spending_figures(spend: Spending, year: int, source: str, unit: str) -> list[ReportFigure]:
    """预算数 against 执行数 with 执行率, by project and by 预算类型, when a budget is known and
    there are at least `charts.MIN_PAIRS` lines. The structure of spending is no chart: the
    table's 占比 column states it."""
    rows = _budget_rows(spend)
    if len(rows) < charts.MIN_PAIRS:
        return []

    def shown(value: float | None, decimals: int | None) -> str:
        return "" if value is None else money_number(value, decimals, unit)

    scale = 10000 if unit == "元" else 1  # the chart's axis is in the report's unit
    frame = pd.DataFrame(
        {
            "label": [label for label, _ in rows],
            "budget": [math.nan if a.budget is None else a.budget * scale for _, a in rows],
            "actual": [math.nan if a.actual is None else a.actual * scale for _, a in rows],
            "budget_text": [shown(a.budget, a.budget_decimals) for _, a in rows],
            "actual_text": [shown(a.actual, a.actual_decimals) for _, a in rows],
            "rate_text": ["" if a.rate is None else pct(a.rate) for _, a in rows],
        }
    )
    title = f"{year}年预算数与执行数（{unit}）"
    return [
        _figure(
            "budget_vs_actual",
            title,
            charts.budget_vs_actual(frame, title, source, unit),
            "；".join(
                f"{label}预算{money(a.budget, a.budget_decimals, unit)}、"
                f"执行{money(a.actual, a.actual_decimals, unit)}"
                + (f"，执行率{pct(a.rate)}" if a.rate is not None else "")
                for label, a in rows
            ),
            ["项目", f"预算数（{unit}）", f"执行数（{unit}）", "执行率"],
            [
                [
                    label,
                    money_number(a.budget, a.budget_decimals, unit),
                    money_number(a.actual, a.actual_decimals, unit),
                    pct(a.rate),
                ]
                for label, a in rows
            ],
            source,
        )
    ]


#: Under a chart whose rows have units of their own (no common axis).
OWN_SCALE = "各行按本行数值分别绘制（单位不同，不作跨行比较），数值见标注"


def _indicator_figures(scoring: Any, source: str) -> list[ReportFigure]:
    """目标值 against 完成值 of the quantitative indicators (at least `charts.MIN_PAIRS` with a
    target): each row on its own scale, the figures written as the 自评表 writes them."""
    rows = [
        r
        for r in scoring.indicators
        if r.get("target_value") is not None and r.get("direction") != "定性"
    ]
    if len(rows) < charts.MIN_PAIRS:
        return []
    frame = pd.DataFrame(
        {
            "label": [r["三级指标"] for r in rows],
            "first": [r["target_value"] for r in rows],
            "second": [math.nan if r["actual_value"] is None else r["actual_value"] for r in rows],
            "first_text": [r["年度指标值"] for r in rows],
            "second_text": [r["实际完成值"] if r["actual_value"] is not None else "" for r in rows],
        }
    )
    title = "绩效指标年度指标值与实际完成值"
    return [
        _figure(
            "indicators",
            title,
            charts.paired_rows(frame, title, source, ("年度指标值", "实际完成值"), OWN_SCALE),
            "；".join(
                f"{r['三级指标']}：年度指标值{r['年度指标值']}，"
                f"实际完成值{r['实际完成值'] or NOT_GIVEN}"
                for r in rows
            ),
            ["三级指标", "年度指标值", "实际完成值"],
            [[r["三级指标"], r["年度指标值"], r["实际完成值"] or NOT_GIVEN] for r in rows],
            source,
        )
    ]


def _yoy_figures(yoy: list | None, year: int, unit: str, source: str) -> list[ReportFigure]:
    """Last year against this year (at least `charts.MIN_PAIRS` figures), each row on its own
    scale; the comparison table becomes the chart's data (the 底稿's), as the chart states
    every figure of it."""
    if not yoy or len(yoy) < charts.MIN_PAIRS:
        return []

    cells = [yoy_numbers(r, unit) for r in yoy]  # the table's own figures, with their units
    units = [unit if r.unit == "万元" else r.unit for r in yoy]
    frame = pd.DataFrame(
        {
            "label": [r.label for r in yoy],
            "first": [r.previous for r in yoy],
            "second": [r.current for r in yoy],
            "first_text": [c[0] + u for c, u in zip(cells, units, strict=True)],
            "second_text": [
                c[1] + u + ("" if c[3] == "—" else f"（{c[3]}）")
                for c, u in zip(cells, units, strict=True)
            ],
        }
    )
    title = f"主要指标{year - 1}年与{year}年对比"
    figure = _figure(
        "yoy",
        title,
        charts.paired_rows(frame, title, source, (f"{year - 1}年", f"{year}年"), OWN_SCALE),
        "；".join(
            f"{label}{year - 1}年{a}，{year}年{b}"
            for label, a, b in zip(
                frame["label"], frame["first_text"], frame["second_text"], strict=True
            )
        ),
        [],
        [],
        source,
    )
    return [figure]


def _holdings_figure(holding: Holdings | None, source: str) -> list[ReportFigure]:
    if holding is None or len(holding.series) < charts.MIN_VALUES:
        return []  # two year-ends are one sentence: 「2021年末为3590册……」
    title = "历年年末馆藏（册）"
    series = holding.series
    return [
        _figure(
            "holdings_over_years",
            title,
            charts.holdings_over_years(_frame(series), title, source),
            "；".join(f"{r.year}年末{r.holdings}册" for r in series),
            ["年度", "年末藏量（册）"],
            [[f"{r.year}年", str(r.holdings)] for r in series],
            source,
        )
    ]


def _subsections(results: YearResults, listing_groups: list) -> list[Subsection]:
    """Section 六's subsections: the fixed ones that have data or prose, then the unit's own
    (文字说明 章节 outside the fixed keys) in sheet order, then the comparison with last year."""
    fig = results.figures
    texts = fig.texts
    has_data = {
        "活动": bool(listing_groups),
        "服务评价": bool(fig.satisfaction),
        "数字服务": bool(fig.digital),
        "馆藏建设": fig.holdings is not None,
        "基层服务": False,
    }
    out = []
    for key, default in SUBSECTION_DEFAULTS.items():
        entry = texts.get(key, {})
        if entry.get("paragraphs") or has_data[key] or entry.get("title"):
            out.append(Subsection(key, entry.get("title") or default))
    for key, entry in texts.items():
        if entry.get("custom"):
            out.append(Subsection("custom", entry.get("title") or key, text_key=key))
    if results.yoy is not None:
        out.append(Subsection("同比", "主要指标与上年对比"))
    return out


def build_context(results: YearResults) -> ReportContext:
    """Everything the report's blocks need for one year, from its stored results."""
    fig = results.figures
    year = fig.year
    unit_name = fig.unit_name
    unit = fig.amount_unit
    source = f"{unit_name}{year}年度填报数据"
    acts = fig.activities
    every = [item for g in acts.groups for item in g.items]
    listing_groups = [
        ActivityCategory(g.category, _category_line(g), [_listing(item) for item in g.items])
        for g in acts.groups
    ]
    scoring = results.scoring
    department = fig.unit.get("主管部门", "")

    def view(result: Any) -> ScoringView:
        return scoring_view(
            result,
            unit_name=unit_name,
            department=department,
            texts=fig.texts,
            amount_unit=unit,
        )

    deviations = [d for r in (scoring, *results.projects) for d in r.deviations]
    spend = fig.spending
    data_date = _data_date(fig.data_date)
    return ReportContext(
        year=year,
        unit_name=unit_name,
        amount_unit=unit,
        title=REPORT_TITLE.format(unit=unit_name, year=year),
        data_date=data_date,
        data_day=None if data_date is None else pd.Timestamp(fig.data_date),
        unit=fig.unit,
        unit_extra={k: v for k, v in fig.unit.items() if k not in OVERVIEW_ITEMS},
        texts=fig.texts,
        income=fig.income,
        spending=SpendingView(
            general=spend.types.get(GENERAL),
            shares=spend.shares,
            any_budget=spend.any_budget,
            any_original=spend.any_original,
            types=spend.types,
        ),
        sangong=spend.sangong,
        sangong_total=spend.sangong_total,
        budget_types=BUDGET_TYPES,
        spending_figures=_spending_figures(spend, year, source, unit),
        subsections=_subsections(results, listing_groups),
        categories=listing_groups,
        totals=acts.totals,
        words=ActivityWords(
            books_verb=common_words(every, "books", "books_verb", DEFAULT_BOOKS_VERB),
            materials_name=common_words(every, "materials", "materials_name", "资料"),
        ),
        undated=acts.undated,
        activity_figures=_activity_figures(acts, source),
        satisfaction=fig.satisfaction,
        digital=fig.digital,
        holdings=fig.holdings,
        holdings_figures=_holdings_figure(fig.holdings, source),
        indicator_figures=_indicator_figures(scoring, source) if scoring.targets_given else [],
        yoy_figures=_yoy_figures(results.yoy, year, unit, source),
        summary=fig.summary,
        yoy=results.yoy,
        previous_year=year - 1,
        scoring=scoring,
        targets_given=scoring.targets_given,
        deviations=deviations,
        reconciliation=checks_table(results.checks, fig.amount_unit),
        scoring_view=view(scoring),
        project_views=[view(p) for p in results.projects],
        report_format=fig.unit.get("报告格式", ""),
        source=source,
        department=results.department,
        missing=list(results.missing),
        tasks=fig.tasks,
        typos=tuple(fig.typos),
    )


def _data_date(value: Any) -> str | None:
    if value is None or is_missing(value) or value == "":
        return None
    stamp = pd.Timestamp(value)
    return f"{stamp.year}年{stamp.month}月{stamp.day}日"
