"""绩效目标: indicators, directions, target and actual values, weights, assessments.

Targets are read the way units publish them: 「≥360天」, 「≥10万人次」, 「95%」 (a leading ≥ ≤ ＞ ＜
gives the direction, which must agree with 方向 when both are given; 万 and 亿 multiply). 一级/二级
指标 may be blank (a plain list of targets), and so may 分值 (the indicator is listed, not scored).

The 绩效自评表's rules on the sheet are checked here, in 01, so that no later stage finds an input
error: the weights (every indicator's 分值 plus the 预算执行率's make 100, for the unit and for each
project), qualitative scores inside the band of their 评价, quantitative targets with a number.

With an approved 绩效目标申报表 in the year folder (`selfeval.read.published.target_form`), its
indicators are the unit's rows, their 年度指标值, 方向, 单位 (and 分值 where the form gives them)
as approved; the clerk's sheet then only adds the results (实际值, 评价, 得分, 偏差原因, 改进措施),
matched by 三级指标 (`clean_targets_with_form`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from selfeval.clean.binder import BoundSheet, Context, frame
from selfeval.clean.values import NUM, norm_key, to_halfwidth
from selfeval.contract import sheets as sc
from selfeval.errors import InputError, Problem, problem
from selfeval.packs import rules_for
from selfeval.read.grid import Grid
from selfeval.read.published.target_form import FormCell, Indicator, TargetForm, parse
from selfeval.rules import (
    EPS,
    FUNDS_KEY,
    FUNDS_WEIGHT,
    QUALITATIVE,
    QUALITATIVE_BANDS,
    as_text,
    band_text,
    in_band,
    is_missing,
    number_str,
    plain_str,
)

#: Everything (预算执行率 and indicators) adds to this.
TOTAL_POINTS = 100.0
_OPERATORS = {"≥": "≥", ">=": "≥", ">": "≥", "≤": "≤", "<=": "≤", "<": "≤", "=": "="}
_VALUE = re.compile(r"^(?P<op>≥|≤|>=|<=|>|<|=)?\s*(?P<rest>.*)$")
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
#: A direction in words around the one number (「不超过5%」「3天以内」「95%以上」): targets are
#: written so in 申报表 as often as with ≥/≤, and a 「5%以内」 read as ≥ scores a 2% as 40%.
_WORDS_BEFORE = (
    ("不低于", "≥"),
    ("不少于", "≥"),
    ("不小于", "≥"),
    ("大于等于", "≥"),
    ("达到", "≥"),
    ("不高于", "≤"),
    ("不超过", "≤"),
    ("不大于", "≤"),
    ("小于等于", "≤"),
    ("控制在", "≤"),
)
_WORDS_AFTER = re.compile(r"^[^\d]{0,4}?(?:及|或)?(以上|以下|以内)")
_AFTER_OPS = {"以上": "≥", "以下": "≤", "以内": "≤"}
_ASSESSMENTS = {norm_key(a): a for a in sc.ASSESSMENTS}
_ASSESSMENTS.update({norm_key(k): v for k, v in sc.ASSESSMENT_SHORT.items()})
_SHEET = "绩效目标"
_COLUMNS = {
    "project": "str",
    "level1": "str",
    "level2": "str",
    "level3": "str",
    "direction": "str",
    "target": "float64",
    "target_text": "str",
    "actual": "float64",
    "actual_text": "str",
    "unit": "str",
    "original_target": "str",
    "adjusted_target": "str",
    "core": "str",
    "not_applicable": "str",
    "weight": "float64",
    "assessment": "str",
    "score": "float64",
    "deviation_reason": "str",
    "measures": "str",
}


def parse_indicator_value(text: str | None) -> tuple[float | None, str | None]:
    """(number, direction) of a target or actual as written: 「≥10万人次」 → (100000, ≥).

    The number is the one number of the text (none or several: None), times 万/亿 written right
    after it; the direction is that of a leading ≥ ≤ ＞ ＜ (＞ counts as ≥, ＜ as ≤), else of
    words right before the number (不低于, 不超过, 控制在 …) or after it and its unit (以上,
    以下, 以内).
    """
    if text is None:
        return None, None
    t = to_halfwidth(text).strip()
    m = _VALUE.match(t)
    op = _OPERATORS.get(m.group("op") or "") if m else None
    found = list(re.finditer(NUM, t))
    if len(found) != 1:
        return None, op
    number = float(found[0].group(0).replace(",", ""))
    after = t[found[0].end() : found[0].end() + 1]
    if op is None:
        before = t[: found[0].start()].rstrip()
        words = _WORDS_AFTER.match(t[found[0].end() :])
        op = next((o for w, o in _WORDS_BEFORE if before.endswith(w)), None)
        op = op or (_AFTER_OPS[words.group(1)] if words else None)
    return number * _MULTIPLIERS.get(after, 1), op


def funds_weight(ctx: Context) -> float:
    """The 预算执行率's points: the unit's setting (单位概况 预算执行率分值), else its rule
    pack's (「自评表格式」; 10 nationally, 0 for 江西's form)."""
    try:
        return rules_for(ctx.settings).execution_weight
    except (ValueError, InputError):  # reported where 单位概况 is cleaned
        return FUNDS_WEIGHT


def _assessment(sh: BoundSheet, number: int, values: list[Any]) -> str | None:
    raw = sh.get(values, "assessment")
    if raw is None:
        return None
    found = _ASSESSMENTS.get(norm_key(str(raw)))
    if found is None:
        sh.err(
            number,
            "assessment",
            "不是可选的值",
            value=raw,
            expected="、".join(sc.ASSESSMENTS) + "（也可写 达成、部分达成、未达成）",
        )
    return found


def _direction(sh: BoundSheet, number: int, values: list[Any], target_text: str | None):
    """(direction, ok): 方向 as given, else from the target's sign, else by whether it has a
    number (定性 when not, ≥ when it has)."""
    given = sh.enum(number, values, "direction", sc.DIRECTIONS)
    if sh.get(values, "direction") is not None and given is None:
        return None, False
    target, op = parse_indicator_value(target_text)
    if given is not None and op is not None and given not in (op, QUALITATIVE):
        sh.err(
            number,
            "direction",
            f"与目标值「{target_text}」的「{op}」不一致",
            value=given,
            expected=f"方向填「{op}」，或不填",
        )
        return None, False
    if given is not None:
        return given, True
    if op is not None:
        return op, True
    return (QUALITATIVE if target is None else "≥"), True


def _quantitative_problems(sh, number, values, target_text, actual_text) -> bool:
    ok = True
    target, _ = parse_indicator_value(target_text)
    actual, _ = parse_indicator_value(actual_text)
    if target_text is not None and target is None:
        sh.err(
            number,
            "target",
            "定量指标的目标值须是一个数字",
            value=target_text,
            expected="一个数字，如 95、95%、≥360天 或 ≥10万人次",
        )
        ok = False
    if actual_text is not None and actual is None:
        sh.err(
            number,
            "actual",
            "定量指标的实际值须是一个数字",
            value=actual_text,
            expected="一个数字，未知时留空",
        )
        ok = False
    # A 得分 entered for a quantitative indicator is the unit's own: the report keeps it (the
    # 审核底稿 sets the program's beside it when they differ, `selfeval.scoring`).
    return ok


def _assessment_missing(sh: BoundSheet, number: int) -> None:
    """A 定性 indicator with no 评价: its grade is its result, so the row cannot be scored."""
    sh.err(
        number,
        "assessment",
        "定性指标须填写评价",
        show_value=False,
        expected="、".join(sc.ASSESSMENTS),
    )


def _target_row(sh: BoundSheet, ctx: Context, number: int, values: list[Any]) -> dict | None:
    ok = all([sh.required(number, values, k) for k in ("level3", "target")])
    target_text = sh.text(number, values, "target")
    actual_text = sh.text(number, values, "actual")
    direction, direction_ok = _direction(sh, number, values, target_text)
    weight, _ = sh.number(number, values, "weight")
    if sh.get(values, "weight") is not None and weight is None:
        ok = False
    assessment = _assessment(sh, number, values)
    score, _ = sh.number(number, values, "score")
    ok = ok and direction_ok and not (sh.get(values, "assessment") and assessment is None)
    if direction == QUALITATIVE:
        if assessment is None and sh.get(values, "assessment") is None:
            _assessment_missing(sh, number)
            ok = False
    elif direction is not None:
        ok = _quantitative_problems(sh, number, values, target_text, actual_text) and ok
    if not ok:
        return None
    return {
        "project": sh.text(number, values, "project", prose=True),
        "level1": sh.text(number, values, "level1", prose=True),
        "level2": sh.text(number, values, "level2", prose=True),
        "level3": sh.text(number, values, "level3", prose=True),
        "direction": direction,
        "target": parse_indicator_value(target_text)[0],
        "target_text": target_text,
        "actual": parse_indicator_value(actual_text)[0],
        "actual_text": actual_text,
        "unit": sh.text(number, values, "unit"),
        "original_target": sh.text(number, values, "original_target"),
        "adjusted_target": sh.text(number, values, "adjusted_target"),
        "core": sh.enum(number, values, "core", sc.YES_NO),
        "not_applicable": sh.enum(number, values, "not_applicable", sc.YES_NO),
        "weight": weight,
        "assessment": assessment,
        "score": score,
        "deviation_reason": sh.text(number, values, "deviation_reason", prose=True),
        "measures": sh.text(number, values, "measures", prose=True),
        **sh.src(number, values),
    }


def clean_targets(sh: BoundSheet, ctx: Context) -> pd.DataFrame:
    records = []
    before = len(ctx.problems)
    for number, values in sh.raw.rows:
        rec = _target_row(sh, ctx, number, values)
        if rec is not None:
            records.append(rec)
    table = frame(records, _COLUMNS)
    # weights add up only over rows that could be read
    if len(ctx.problems) == before and not sh.rejected():
        ctx.problems.extend(target_problems(table, funds_weight(ctx)))
    return table


# ---------------------------------------------------------------------------------------------
# With the approved 申报表

#: Columns of rows from a 申报表: the 指标值's cell, and the clerk's row its results came from.
_FORM_COLUMNS = {**_COLUMNS, "src_cell": "str", "result_src": "str"}


def form_spec(spec: sc.SheetSpec) -> sc.SheetSpec:
    """The 绩效目标 sheet beside a 申报表: 目标值 comes from the form, so its column may be left
    out (a project's rows, which the form does not cover, still need one: `_target_row`)."""
    columns = tuple(
        replace(c, required=False, needs_value=False) if c.key == "target" else c
        for c in spec.columns
    )
    return replace(spec, columns=columns)


def clean_targets_with_form(
    grids: Sequence[Grid], sh: BoundSheet | None, ctx: Context
) -> tuple[pd.DataFrame, TargetForm | None]:
    """The year's 绩效目标 when an approved 申报表 is in the year folder: its indicators, in its
    order, with the results the clerk's sheet (when there is one) gives for them.

    A clerk's indicator that the form does not list is a problem: its results would otherwise be
    dropped silently, and the usual cause is a 三级指标 written differently from the form. A
    clerk's 目标值 or 分值 that disagrees with the form's is a warning (⚠, both cells named): the
    approved form is what the year is evaluated against, so the report states the form's value;
    the clerk's copy is most likely outdated, and only a reviewer can tell.
    """
    forms, problems = parse(grids)
    ctx.problems.extend(problems)
    if len(forms) > 1:
        names = "、".join(f"{f.file}「{f.sheet}」" for f in forms)
        ctx.problems.append(
            problem(
                forms[1].file,
                forms[1].sheet,
                None,
                None,
                f"一个年度只能有一份绩效目标申报表，这里有{len(forms)}份：{names}",
                expected="只保留本年度批复的那一份",
            )
        )
    if len(forms) != 1:
        return frame([], _FORM_COLUMNS), None
    form = forms[0]
    _form_problems(form, ctx)
    before = len(ctx.problems)
    records = [r for r in (_form_record(i, ctx) for i in form.indicators) if r is not None]
    others = _merge_results(form, records, sh, ctx) if sh is not None else []
    table = frame(records + others, _FORM_COLUMNS)
    if len(ctx.problems) == before and not (sh is not None and sh.rejected()):
        ctx.problems.extend(target_problems(table, funds_weight(ctx)))
    return table, form


def _form_problems(form: TargetForm, ctx: Context) -> None:
    """The form as a whole: of this year, with indicators, each listed once; of this unit (⚠)."""
    where = problem(form.file, form.sheet, None, None, "").location()
    if form.year is not None and form.year != ctx.year:
        ctx.problems.append(
            problem(
                form.file,
                form.sheet,
                None,
                None,
                f"这是{form.year}年度的绩效目标申报表，不是{ctx.year}年度的",
                expected=f"换成{ctx.year}年度批复的申报表，或放入{form.year}年度的目录",
            )
        )
    if not form.indicators:
        ctx.problems.append(
            problem(
                form.file,
                form.sheet,
                None,
                "三级指标",
                "申报表的绩效指标表头下没有指标",
                expected="批复的各项绩效指标，每行一项",
            )
        )
    seen: dict[str, FormCell] = {}
    for ind in form.indicators:
        first = seen.setdefault(norm_key(ind.level3), ind.cell)
        if first is not ind.cell:
            ctx.problems.append(
                ind.cell.problem(
                    "三级指标",
                    f"与第{first.row}行的三级指标相同",
                    value=ind.level3,
                    expected="每项指标只列一行（实际完成值按三级指标对应）",
                )
            )
    name = ctx.settings.get("单位名称")
    if form.unit_name and name and norm_key(form.unit_name) != norm_key(str(name)):
        ctx.warn(
            f"{where}的单位名称「{form.unit_name}」与单位概况的「{name}」不同，请确认是本单位的申报表",
            file=form.file,
            sheet=form.sheet,
        )


def _form_record(ind: Indicator, ctx: Context) -> dict | None:
    """A 绩效目标 row from an approved indicator: the same direction rule as the clerk's sheet
    (指标性质 where given, else the 指标值's ≥/≤, else 定性 when it has no number)."""
    if ind.value is None:
        ctx.problems.append(
            ind.cell.problem("指标值", "申报表中该指标的指标值为空", expected="批复的年度指标值")
        )
        return None
    target, op = parse_indicator_value(ind.value)
    if ind.direction is not None and op is not None and ind.direction not in (op, QUALITATIVE):
        ctx.problems.append(
            ind.cell.problem(
                "指标值",
                f"与指标性质「{ind.direction}」不一致",
                value=ind.value,
                expected=f"指标性质与指标值的「{op}」相同",
            )
        )
        return None
    direction = ind.direction or op or (QUALITATIVE if target is None else "≥")
    if direction != QUALITATIVE and target is None:
        ctx.problems.append(
            ind.cell.problem(
                "指标值",
                "定量指标的指标值须是一个数字",
                value=ind.value,
                expected="一个数字，如 95、95%、≥360天；不是数字的指标，指标性质填「定性」",
            )
        )
        return None
    return {
        "project": None,
        "level1": ind.level1,
        "level2": ind.level2,
        "level3": ind.level3,
        "direction": direction,
        "target": target,
        "target_text": ind.value,
        "unit": ind.unit,
        "weight": ind.weight,
        "src_file": ind.cell.file,
        "src_sheet": ind.cell.sheet,
        "src_row": ind.cell.row,
        "src_cell": ind.cell.ref,
    }


def _merge_results(
    form: TargetForm, records: list[dict], sh: BoundSheet, ctx: Context
) -> list[dict]:
    """Add each clerk's row's results to its indicator; return the rows the form does not cover
    (the 预算执行率 row, a project's indicators), read by the sheet's own rules."""
    by_name = {norm_key(r["level3"]): r for r in records}
    listed = {norm_key(i.level3) for i in form.indicators}
    others: list[dict] = []
    matched: dict[str, int] = {}
    for number, values in sh.raw.rows:
        level3 = sh.text(number, values, "level3", prose=True)
        level1 = sh.text(number, values, "level1", prose=True)
        if sh.text(number, values, "project", prose=True) or FUNDS_KEY in (level1, level3):
            record = _target_row(sh, ctx, number, values)
            if record is not None:
                others.append(record)
            continue
        if not sh.required(number, values, "level3"):
            continue
        name = norm_key(str(level3))
        if name not in listed:
            known = "、".join(i.level3 for i in form.indicators)
            sh.err(
                number,
                "level3",
                f"申报表（{form.file}）中没有这项指标",
                value=level3,
                expected=f"申报表的三级指标之一：{known}",
            )
        elif name in matched:
            sh.err(
                number,
                "level3",
                f"与第{matched[name]}行是同一项指标",
                value=level3,
                expected="每项指标只填一行",
            )
        else:
            matched[name] = number
            if name in by_name:  # else the form's row has a problem of its own
                _add_results(sh, ctx, number, values, by_name[name])
    return others


def _add_results(
    sh: BoundSheet, ctx: Context, number: int, values: list[Any], record: dict
) -> None:
    actual_text = sh.text(number, values, "actual")
    weight, _ = sh.number(number, values, "weight")
    assessment = _assessment(sh, number, values)
    score, _ = sh.number(number, values, "score")
    if record["direction"] == QUALITATIVE:
        stated = actual_text is not None or score is not None
        if stated and sh.get(values, "assessment") is None:
            _assessment_missing(sh, number)
    else:
        _quantitative_problems(sh, number, values, None, actual_text)
    _disagreements(sh, ctx, number, values, record, weight)
    record.update(
        actual=parse_indicator_value(actual_text)[0],
        actual_text=actual_text,
        weight=record["weight"] if record["weight"] is not None else weight,
        assessment=assessment,
        score=score,
        deviation_reason=sh.text(number, values, "deviation_reason", prose=True),
        measures=sh.text(number, values, "measures", prose=True),
        internal_note=sh.text(number, values, "internal_note", prose=True),
        result_src=problem(sh.raw.file, sh.raw.sheet, number, None, "").location(),
    )


def _disagreements(
    sh: BoundSheet,
    ctx: Context,
    number: int,
    values: list[Any],
    record: dict,
    weight: float | None,
) -> None:
    """A 目标值 or 分值 the clerk copied that is not the form's: ⚠, naming both cells."""
    form_cell = problem(
        record["src_file"],
        record["src_sheet"],
        record["src_row"],
        None,
        "",
        cell=record["src_cell"],
    ).location()
    clerk_target = sh.text(number, values, "target")
    if clerk_target is not None:
        target, op = parse_indicator_value(clerk_target)
        if record["direction"] == QUALITATIVE:
            differs = norm_key(clerk_target) != norm_key(record["target_text"])
        else:
            differs = (
                target is None
                or abs(target - record["target"]) > EPS * max(1.0, abs(record["target"]))
                or (op is not None and op != record["direction"])
            )
        if differs:
            ctx.warn(
                f"{_clerk_cell(sh, number, 'target')}的目标值「{clerk_target}」与申报表"
                f"（{form_cell}）批复的指标值「{record['target_text']}」不同；报告按申报表填写",
                file=sh.raw.file,
                sheet=sh.raw.sheet,
                row=number,
            )
    if weight is not None and record["weight"] is not None and abs(weight - record["weight"]) > EPS:
        ctx.warn(
            f"{_clerk_cell(sh, number, 'weight')}的分值{number_str(weight)}与申报表"
            f"（{form_cell}所在行）的分值{number_str(record['weight'])}不同；报告按申报表计分",
            file=sh.raw.file,
            sheet=sh.raw.sheet,
            row=number,
        )


def _clerk_cell(sh: BoundSheet, number: int, key: str) -> str:
    return problem(sh.raw.file, sh.raw.sheet, number, sh.header.get(key, key), "").location()


#: The processed 年度主要任务 (``tasks.parquet``): amounts in 万元 like every amount.
_TASK_COLUMNS = {"name": "str", "content": "str", "amount": "float64", "amount_decimals": "Int64"}


def task_table(form: TargetForm, ctx: Context) -> pd.DataFrame | None:
    """The form's 年度主要任务 with their 预算金额 (None when it lists none): the report states
    them with the approved targets, so a reader sees what the money was meant for.

    A 预算金额 is held in 万元 at the two decimals the form prints in its own unit (120.5 万元 is
    120.50; 1,205,000 元 is 120.500000 万元), so a report in either 金额单位 restates it exactly.
    A form that names no unit is read in 万元, the national form's, and the 底稿 says so."""
    if not form.tasks:
        return None
    unit = form.amount_unit or "万元"
    if form.amount_unit is None and any(t.amount is not None for t in form.tasks):
        ctx.warn(
            f"{form.file}「{form.sheet}」的年度主要任务未写明预算金额的单位，按万元读取",
            file=form.file,
            sheet=form.sheet,
        )
    shift = sc.AMOUNT_UNITS[unit]
    records = [
        {
            "name": t.name,
            "content": t.content,
            "amount": None if t.amount is None else round(t.amount / 10**shift, 2 + shift),
            "amount_decimals": None if t.amount is None else 2 + shift,
            "src_file": t.cell.file,
            "src_sheet": t.cell.sheet,
            "src_row": t.cell.row,
            "src_cell": t.cell.ref,
        }
        for t in form.tasks
    ]
    out = frame(records, _TASK_COLUMNS)
    out["src_cell"] = pd.Series([r["src_cell"] for r in records], dtype="str")
    return out


def goal_texts(texts: pd.DataFrame | None, form: TargetForm) -> pd.DataFrame | None:
    """文字说明 with the form's 年度总体目标 as its 总体目标 when the clerk wrote none (the clerk's
    own wording, where given, is kept: it may say more than the approved one-liner)."""
    if form.goal is None or form.goal_cell is None:
        return texts
    if texts is not None and (texts["section"] == "总体目标").any():
        return texts
    cell = form.goal_cell
    row = {
        "section": "总体目标",
        "custom": False,
        "title": None,
        "content": form.goal,
        "order": 1,
        "src_file": cell.file,
        "src_sheet": cell.sheet,
        "src_row": cell.row,
    }
    columns = {
        "section": "str",
        "custom": "bool",
        "title": "str",
        "content": "str",
        "order": "int64",
    }
    goal = frame([row], columns)
    if texts is None:
        return goal
    return pd.concat([goal, texts.assign(order=texts["order"] + 1)], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# The 绩效自评表's rules


def _num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def is_funds_row(row: pd.Series) -> bool:
    """The row that carries the 预算执行率's 偏差原因 (not an indicator)."""
    return FUNDS_KEY in {as_text(row.get("level1")), as_text(row.get("level3"))}


def _src(row: pd.Series) -> dict[str, Any]:
    return {
        "file": as_text(row.get("src_file")) or _SHEET,
        "sheet": as_text(row.get("src_sheet")) or _SHEET,
        "row": int(row["src_row"]) if not is_missing(row.get("src_row")) else None,
    }


def _problem(row: pd.Series | None, column: str, value: Any, expected: str, message: str):
    where = _src(row) if row is not None else {"file": _SHEET, "sheet": _SHEET, "row": None}
    return problem(
        where["file"],
        where["sheet"],
        where["row"],
        column,
        message,
        expected=expected,
        value=value,
        show_value=True,
    )


def _weight_problems(indicators: pd.DataFrame, funds_rows: pd.DataFrame, points: float, whose: str):
    """Every indicator's 分值 plus the 预算执行率's make 100 (checked when every 分值 is given)."""
    problems: list[Problem] = []
    for _, row in funds_rows.iterrows():
        weight = _num(row.get("weight"))
        if weight is not None and abs(weight - points) > EPS:
            problems.append(
                _problem(
                    row,
                    "分值",
                    number_str(weight),
                    f"预算执行率分值为{number_str(points)}（单位概况「预算执行率分值」）",
                    f"预算执行率的分值应为{number_str(points)}，填写的是{number_str(weight)}",
                )
            )
    weights = indicators["weight"]
    if problems or indicators.empty or weights.isna().any():
        return problems  # without every 分值 the table is listed, not scored (scoring warns)
    total = float(weights.astype(float).sum())
    expected_total = TOTAL_POINTS - points
    if abs(total - expected_total) > 1e-6:
        sums = indicators.assign(w=weights.astype(float)).groupby(
            indicators["level1"].fillna("（未分级）"), sort=False
        )["w"]
        detail = "，".join(f"{k}{number_str(float(v))}" for k, v in sums.sum().items())
        problems.append(
            _problem(
                indicators.iloc[0],
                "分值",
                number_str(total),
                f"各指标分值合计应为{number_str(expected_total)}"
                f"（预算执行率另占{number_str(points)}，合计100）",
                f"{whose}绩效目标各指标分值合计为{number_str(total)}（{detail}），"
                f"应为{number_str(expected_total)} / weights add to {number_str(total)}, "
                f"expected {number_str(expected_total)}",
            )
        )
    return problems


def _qualitative_problems(row: pd.Series, weight: float | None) -> list[Problem]:
    assessment = as_text(row.get("assessment"))
    assessment = sc.ASSESSMENT_SHORT.get(assessment, assessment)
    score = _num(row.get("score"))
    name = as_text(row.get("level3"))
    if not assessment:
        return []  # an approved indicator with no result yet: 未填报 (the clerk's rows need one)
    if assessment not in QUALITATIVE_BANDS:
        return [
            _problem(
                row,
                "评价",
                assessment,
                "、".join(sc.ASSESSMENTS),
                f"定性指标「{name}」的评价无效 / invalid assessment",
            )
        ]
    if weight is None:
        return []  # listed, not scored
    band = band_text(assessment, weight)
    if score is None:
        return [
            _problem(
                row,
                "得分",
                "",
                f"{assessment}的得分在{band}之间 / a score in {band}",
                f"定性指标「{name}」缺少得分 / score missing",
            )
        ]
    if not in_band(assessment, score, weight):
        return [
            _problem(
                row,
                "得分",
                plain_str(score),
                f"{assessment}的得分在{band}之间（分值{plain_str(weight)}）",
                f"定性指标「{name}」评价为{assessment}，得分{plain_str(score)}"
                f"不在{band}之内 / score outside the band of its assessment",
            )
        ]
    return []


def target_problems(targets: pd.DataFrame, points: float = FUNDS_WEIGHT) -> list[Problem]:
    """Every problem of the 绩效目标 rows against the 绩效自评表's rules, for the unit as a whole
    and for each project (`project` column): weights, qualitative bands, numeric targets."""
    if targets.empty:
        return []
    targets = targets.reset_index(drop=True)
    if "project" not in targets.columns:
        targets = targets.assign(project=None)
    problems: list[Problem] = []
    for project, rows in targets.groupby(targets["project"].fillna(""), sort=False):
        is_funds = rows.apply(is_funds_row, axis=1).astype(bool)
        whose = f"项目「{project}」的" if project else ""
        found = _weight_problems(rows[~is_funds], rows[is_funds], points, whose)
        problems += found
        if found:
            continue
        for _, row in rows[~is_funds].iterrows():
            weight = _num(row.get("weight"))
            if as_text(row.get("direction")) == QUALITATIVE:
                problems += _qualitative_problems(row, weight)
            elif _num(row.get("target")) is None:
                problems.append(
                    _problem(
                        row,
                        "年度指标值",
                        as_text(row.get("target_text")),
                        "定量指标须有数值型年度指标值 / a numeric target",
                        f"定量指标「{as_text(row.get('level3'))}」缺少年度指标值 / target missing",
                    )
                )
    return problems
