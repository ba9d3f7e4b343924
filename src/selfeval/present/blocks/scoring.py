"""附表: the 绩效自评表 in the national form (财预〔2020〕10号 附1) as ONE table, cell for cell —
the header block, 年度资金情况 by source, 年度总体目标, the indicators with their merged 一级/二级
cells, 总分 and grade — for the unit as a whole (always: its funds block stands without 绩效目标)
and for each project; the rules applied go to the 审核底稿.

The form's blocks share one grid, so that a column reads down: the funds block's 分值 (10) sits
in the indicators' 分值 column and 10 + the indicators' 分值 is the 总分's 分值 below them; the
indicators' 得分 spans two grid columns, under which the funds block has its 执行率 and 得分.
"""

from __future__ import annotations

from selfeval.present.context import ReportContext
from selfeval.present.document import (
    Align,
    Block,
    Cell,
    Column,
    Heading,
    Note,
    Paragraph,
    Row,
    Scope,
    Table,
)
from selfeval.present.formats import NOT_GIVEN, cn_number
from selfeval.present.layout import text_em
from selfeval.present.scoring_view import IndicatorRow, ScoringView
from selfeval.scoring import TABLE_COLUMNS

FUNDS_HEADERS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
#: The grid: the blocks' labels, the eight indicator columns with 得分 over two grid columns.
GRID = ("block", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
        "执行率", "得分", "偏差原因分析及改进措施")  # fmt: skip
#: Widths in characters: wide enough for the national labels on one line (「社会效益指标」,
#: 「服务对象满意度指标」), so a label is never broken over two lines and so over two pages.
LEVEL1_EM = (4.0, 5.0)
LEVEL2_EM = (4.0, 9.0)
FIXED_EM = {"block": 4.0, "分值": 2.5, "执行率": 3.5, "得分": 3.0}
#: The text columns' narrowest (their headers, the funds' amounts above 三级指标 and 年度指标值):
#: what is left of the width goes to them as their longest text needs (`_share`).
TEXT_MIN_EM = {"三级指标": 5.5, "年度指标值": 5.0, "实际完成值": 5.0, "偏差原因分析及改进措施": 8.0}
#: Characters of the table's size the landscape text block holds beside each column's padding
#: (243 mm = 689 pt = 65.6 characters of 10.5 pt; a character of padding per column and some
#: room for how Word and LibreOffice break lines).
LANDSCAPE_EM = 54.0


def _label_em(labels: list[str], bounds: tuple[float, float]) -> float:
    low, high = bounds
    return min(high, max([low, *(text_em(t) for t in labels)]))


def _share(room: float, mins: dict[str, float], needs: dict[str, float]) -> dict[str, float]:
    """`room` characters over the text columns: each its minimum, then the rest raised evenly
    ("water-filling") until a column holds its longest text on one line; what no column needs
    widens 偏差原因, the form's widest text. Fewer wrapped lines, a shorter form."""
    em = dict(mins)
    spare = room - sum(mins.values())
    open_ = sorted((k for k in mins if needs[k] > mins[k]), key=lambda k: needs[k] - mins[k])
    while open_ and spare > 1e-9:
        step = min(spare / len(open_), needs[open_[0]] - em[open_[0]])
        for k in open_:
            em[k] += step
        spare -= step * len(open_)
        open_ = [k for k in open_ if needs[k] - em[k] > 1e-9]
    em["偏差原因分析及改进措施"] += max(0.0, spare)
    return em


def _columns(v: ScoringView) -> tuple[Column, ...]:
    em = dict(FIXED_EM)
    em["一级指标"] = _label_em([r.level1 for r in v.rows], LEVEL1_EM)
    em["二级指标"] = _label_em([r.level2 for r in v.rows], LEVEL2_EM)
    texts = {
        "三级指标": [r.level3 for r in v.rows],
        "年度指标值": [r.target for r in v.rows],
        "实际完成值": [r.actual for r in v.rows],
        "偏差原因分析及改进措施": [_reason(r) for r in v.rows],
    }
    # a character to spare: Word and LibreOffice set digits wider than `text_em` counts them
    needs = {k: max([0.0, *(text_em(t) + 1.0 for t in ts)]) for k, ts in texts.items()}
    em |= _share(LANDSCAPE_EM - sum(em.values()), TEXT_MIN_EM, needs)
    align = {"block": Align.CENTER, "一级指标": Align.CENTER, "二级指标": Align.CENTER}
    align |= dict.fromkeys(("分值", "执行率", "得分"), Align.RIGHT)
    # A weight is the column's characters plus one for its padding; the label columns are
    # never squeezed below their labels by wide amounts elsewhere.
    labels = {"一级指标", "二级指标"}
    return tuple(
        Column(align.get(name, Align.LEFT), em[name] + 1.0, em[name] if name in labels else 0.0)
        for name in GRID
    )


def _reason(r: IndicatorRow) -> str:
    """The 偏差原因分析及改进措施 cell: the unit's words; a deviation whose cause the unit did not
    write is a cell the data lacks — blank in the 报送稿, 「未填报」 in the 审核底稿 (whose
    warnings name the indicator)."""
    if r.missing_reason and not r.reason:
        return NOT_GIVEN
    return r.reason


def _head(text: str, colspan: int = 1) -> Cell:
    return Cell(text, colspan=colspan, scope=Scope.COL)


def _header_rows(v: ScoringView) -> tuple[Row, ...]:
    h = v.header
    return (
        Row((Cell(h.label, colspan=2, scope=Scope.ROW), Cell(h.name, colspan=8))),
        Row(
            (
                Cell("主管部门", colspan=2, scope=Scope.ROW),
                Cell(h.department, colspan=3),
                Cell("实施单位", colspan=2, scope=Scope.ROW),
                Cell(h.implementer, colspan=3),
            )
        ),
    )


def _funds_rows(v: ScoringView) -> list[Row]:
    unit = "（元）" if v.unit == "元" else f"（{v.unit}）"
    rows = [
        Row(
            (
                Cell(f"年度资金\n情况\n{unit}", rowspan=1 + len(v.funds), scope=Scope.ROWGROUP),
                _head("", colspan=2),
                *(_head(t) for t in FUNDS_HEADERS),
                Cell("", rowspan=1 + len(v.funds)),
            ),
            kind="funds-head",
            keep_with_next=True,  # the block's label spans its rows: one page for all of them
        )
    ]
    for n, r in enumerate(v.funds):
        first = n == 0
        amounts = (r.original_budget, r.budget, r.actual)
        scored = (r.weight, r.rate, r.score) if first else ("—", "—", "—")
        cells = (
            Cell(r.label, colspan=2, scope=Scope.ROW),
            *(Cell(a, align=Align.RIGHT) for a in amounts),
            *(Cell(s) for s in scored),
        )
        kind = "funds budget-missing" if first and v.unscored_funds else "funds"
        rows.append(Row(cells, kind=kind, keep_with_next=n + 1 < len(v.funds)))
    return rows


def _goal_rows(v: ScoringView) -> list[Row]:
    return [
        Row(
            (
                Cell("年度总体\n目标", rowspan=2, scope=Scope.ROWGROUP),
                _head("预期目标", colspan=5),
                _head("实际完成情况", colspan=4),
            ),
            kind="goal-head",
            keep_with_next=True,
        ),
        Row(
            (
                Cell(v.goal, colspan=5, align=Align.LEFT),
                Cell(v.achieved, colspan=4, align=Align.LEFT),
            ),
            kind="goal",
        ),
    ]


def _indicator_row(r: IndicatorRow, keep: bool) -> Row:
    cells = []
    if r.level1_span:
        cells.append(Cell(r.level1, rowspan=r.level1_span))
    if r.level2_span:
        cells.append(Cell(r.level2, rowspan=r.level2_span))
    cells += [Cell(r.level3), Cell(r.target), Cell(r.actual)]
    cells += [Cell(r.weight), Cell(r.score, colspan=2), Cell(_reason(r))]
    flags = (("indicator", True), ("not-met", not r.met), ("over-achieved", r.over_achieved))
    kind = " ".join(k for k, on in flags if on)
    return Row(tuple(cells), kind=kind, keep_with_next=keep)


def _kept(rows: list[IndicatorRow]) -> list[bool]:
    """Whether each indicator row is kept on the page of the next: every row of a merged 二级指标
    group but its last, so a page never breaks inside the group its label names."""
    return [not following.level2_span for following in rows[1:]] + [False] * bool(rows)


def _indicator_rows(v: ScoringView) -> list[Row]:
    head = Row(
        (
            Cell("绩效指标", rowspan=1 + len(v.rows), scope=Scope.ROWGROUP),
            *(_head(t) for t in TABLE_COLUMNS[:6]),
            _head(TABLE_COLUMNS[6], colspan=2),
            _head(TABLE_COLUMNS[7]),
        ),
        kind="indicators-head",
        keep_with_next=True,
    )
    rows = [_indicator_row(r, k) for r, k in zip(v.rows, _kept(v.rows), strict=True)]
    total = Row(
        (
            Cell("总分", colspan=6, scope=Scope.ROW),
            Cell(v.weight_total),
            Cell(v.total, colspan=2),
            Cell(f"自评等级：{v.grade}"),
        ),
        total=True,
        kind="total",
    )
    return [head, *rows, total]


def form_table(v: ScoringView, year: int) -> Table:
    """The 自评表 of one view (`selfeval.present.scoring_view`) as one table."""
    body = _funds_rows(v) + _goal_rows(v)
    if v.rows:
        body += _indicator_rows(v)
    return Table(
        caption=f"{v.title}（{year}年度）",
        columns=_columns(v),
        header=_header_rows(v),
        body=tuple(body),
        notes=(Note(v.funds_note),) if v.funds_note else (),
        kind="scoring",
        wide=True,
        numbered=False,  # the form's own title; the 附表's heading numbers it
    )


def self_evaluation(v: ScoringView, year: int) -> list[Block]:
    """One 自评表 in the national form, from its view (`selfeval.present.scoring_view`)."""
    blocks: list[Block] = []
    # What the unit still has to explain is the reviewer's list, not part of the form.
    blocks += [Note(f"需补充说明：{w}", review=True) for w in v.warnings]
    blocks.append(form_table(v, year))
    if v.funds_derivation:
        blocks.append(Note(v.funds_derivation, review=True))
    sources = [f"{r.level3}：{r.source}" for r in v.rows if r.source]
    if sources:
        blocks.append(Note("绩效指标来源：" + "；".join(sources) + "。", review=True))
    blocks += [Note(n, review=True) for n in v.stated_notes]
    if v.unscored_reason and not v.total_stated:
        blocks.append(Paragraph.of(f"{v.unscored_reason}。", kind="unscored"))
    blocks.append(Note(v.rules, review=True))
    return blocks


def scoring_table(ctx: ReportContext, anchor: str) -> list[Block]:
    """附表：部门整体支出绩效自评表."""
    return self_evaluation(ctx.scoring_view, ctx.year)


def project_tables(ctx: ReportContext, anchor: str) -> list[Block]:
    """附表：项目支出绩效自评表, one per project with targets (nothing when there is none)."""
    blocks: list[Block] = []
    for i, v in enumerate(ctx.project_views, 1):
        blocks.append(Heading(2, f"（{cn_number(i)}）{v.header.name}", f"{anchor}-{i}"))
        blocks += self_evaluation(v, ctx.year)
    return blocks
