"""``make template YEAR=…``: an input workbook for a new year, pre-filled from the latest year."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from selfeval import read
from selfeval.clean.values import norm_key
from selfeval.contract import sheets as sc
from selfeval.read.published import target_form
from selfeval.rules import FUNDS_KEY, check_year, is_year_folder
from selfeval.template_final_accounts import write_final_accounts_template

FORMULA_TRIGGERS = ("=", "+", "-", "@")
MAX_ROWS = 1000  # rows covered by drop-down validation
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')
#: Most UTF-8 bytes of the 单位名称 part of the template's file name: a name is at most 255 bytes
#: (ext4; NTFS counts UTF-16 units, never more), and the year, 「年度绩效自评数据.xlsx」 and the
#: temporary ``.<name>.tmp`` add 50 bytes.
NAME_PART_MAX_BYTES = 120


def set_text_cell(cell: Any, value: Any) -> None:
    """Write a value; text that Excel would read as a formula is stored as quoted plain text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


def latest_raw(raw_root: Path, year: int) -> tuple[int | None, read.RawInput | None]:
    """The latest year before ``year`` whose 单位概况 can be read, and its raw input."""
    for candidate in reversed(raw_years(raw_root)):
        if candidate >= year:
            continue
        raw = read.find_raw_files(raw_root / str(candidate))
        if unit_items(raw):
            return candidate, raw
    return None, None


def _columns(sheet: read.RawSheet, headers: list[str]) -> list[int | None]:
    keys = [norm_key(h) for h in sheet.headers]
    return [keys.index(norm_key(h)) if norm_key(h) in keys else None for h in headers]


def unit_items(raw: read.RawInput) -> list[tuple[str, str]]:
    sheet = raw.sheets.get("单位概况")
    if sheet is None or sheet.unreadable:
        return []
    i, j = _columns(sheet, ["项目", "内容"])
    if i is None or j is None:
        return []
    items = []
    for _number, values in sheet.rows:
        item, value = read.trim_name(values[i] or ""), values[j]
        if item and item != "填报日期" and value is not None:
            items.append((item, str(value).strip()))
    return items


def holdings_rows(raw: read.RawInput) -> list[list[Any]]:
    """馆藏 rows as the source wrote them, in the template's column order."""
    sheet = raw.sheets.get("馆藏")
    if sheet is None or sheet.unreadable:
        return []
    headers = [c.display() for c in sc.SHEETS_BY_NAME["馆藏"].columns]
    idx = _columns(sheet, headers)
    if idx[0] is None or idx[1] is None:
        return []
    return [[values[i] if i is not None else None for i in idx] for _n, values in sheet.rows]


#: The 绩效目标 columns next year's sheet takes over: what was approved, never the results.
TARGET_KEYS = ("project", "level1", "level2", "level3", "direction", "target", "unit", "weight")


def target_rows(raw: read.RawInput) -> list[list[Any]]:
    """This year's approved targets as next year's 绩效目标 rows, in the template's column order:
    the 申报表's indicators when the year has one (what was approved), else the year's own
    绩效目标 rows without their results (实际值, 评价, 得分, 偏差原因, 改进措施) and without the
    预算执行率 row. A starting point the clerk corrects once next year's targets are approved."""
    columns = sc.SHEETS_BY_NAME["绩效目标"].columns
    forms, _problems = target_form.parse(raw.published.get(target_form.KIND, []))
    if len(forms) == 1:
        values = [
            {
                "level1": i.level1,
                "level2": i.level2,
                "level3": i.level3,
                "direction": i.direction,
                "target": i.value,
                "unit": i.unit,
                "weight": i.weight,
            }
            for i in forms[0].indicators
        ]
        return [[row.get(c.key) for c in columns] for row in values]
    sheet = raw.sheets.get("绩效目标")
    if sheet is None or sheet.unreadable:
        return []
    idx = dict(zip(TARGET_KEYS, _columns(sheet, [_header(k) for k in TARGET_KEYS]), strict=True))
    if idx["level3"] is None:
        return []
    rows = []
    for _n, values in sheet.rows:
        kept = {k: values[i] if i is not None and i < len(values) else None for k, i in idx.items()}
        if kept["level3"] is None or FUNDS_KEY in (kept["level1"], kept["level3"]):
            continue
        rows.append([kept.get(c.key) for c in columns])
    return rows


def _targets_note(year: int, source_year: int) -> str:
    return (
        f"「绩效目标」已按 {source_year} 年度批复的绩效目标预填（不含实际值和评价），"
        f"请按 {year} 年度批复的目标修改；把 {year} 年度的绩效目标申报表放入本目录时，"
        "指标和目标值以申报表为准，本表只需填写实际值、偏差原因和改进措施。"
    )


def _header(key: str) -> str:
    return sc.SHEETS_BY_NAME["绩效目标"].column(key).header


def latestunit_items(raw_root: Path, year: int) -> tuple[int | None, list[tuple[str, str]]]:
    """单位概况 (项目, 内容) pairs of the latest year before ``year`` that has a readable sheet."""
    source_year, raw = latest_raw(raw_root, year)
    return source_year, (unit_items(raw) if raw else [])


def _instructions(year: int, source_year: int | None, targets: bool = False) -> list[list[str]]:
    rows = [
        ["填表说明"],
        [f"本工作簿用于填报 {year} 年度部门整体支出绩效自评数据。"],
        ["每张表第1行是表头，请勿修改、合并或插入空行；列的顺序可以调整，多出的列会被忽略。"],
        [
            "金额列表头须注明单位：（万元）或（元），按表头的单位填写：万元列不要写「元」或"
            "千分位（68,500 是元的写法），元列不要写「万元」。"
            "数量可写「约300」「近百」「400余」「4000多」。"
        ],
        [
            "没有的填 0 或「无」；不知道、没有统计的请留空（报告中显示「未填报」，不会当作 0）。"
            "执行率超过 150% 时请在该行「说明」中写明原因。"
        ],
        [f"日期可写 {year}-02-18、{year}/2/18、{year}年2月18日 或 2月18日，须在 {year} 年内。"],
        [
            "只有「单位概况」的「单位名称」必填；标注“选填”的表可以整张留空，没有的项目不必填写。"
            "带下拉框的列只能填下拉框中的值。"
        ],
        ["「说明」列会出现在报告中；「内部备注」列只给填表人和审核人看，报告中不显示。"],
        [
            "同一活动列在多个类别下时，各行填写相同的「编号」；汇总行在「包含」中写所汇总活动的编号。"
        ],
    ]
    if source_year is not None:
        rows.append([f"「单位概况」和「馆藏」已按 {source_year} 年度数据预填，请核对更新。"])
        if targets:
            rows.append([_targets_note(year, source_year)])
    rows.append([])
    rows.append(["表", "列", "必需列", "类型/可选值", "说明"])
    for sheet in sc.SHEETS:
        flag = "必需" if sheet.required else "选填"
        rows.append([f"{sheet.name}（{flag}）", "", "", "", sheet.doc])
        for col in sheet.columns:
            kind = "、".join(col.enum) if col.enum else ""
            rows.append(
                ["", col.display(), "是" if col.required else "否", kind, col.doc_for(year)]
            )
    return rows


def write_template(  # noqa: C901, PLR0912 - one workbook, sheet after sheet
    dest_dir: Path,
    year: int,
    unit_items: list[tuple[str, str]] | None = None,
    source_year: int | None = None,
    holdings_rows: list[list[Any]] | None = None,
    target_rows: list[list[Any]] | None = None,
) -> Path:
    """Write ``<单位名称><year>年度绩效自评数据.xlsx`` into ``dest_dir``; refuses to overwrite.
    Beside it, the empty nine 决算 tables (`selfeval.template_final_accounts`).

    Args:
        dest_dir: The new year's raw folder.
        year: The new report year.
        unit_items: 单位概况 (项目, 内容) pairs to pre-fill.
        source_year: The year those come from (named in 填表说明).
        holdings_rows: Earlier years' 馆藏 rows to pre-fill (年度, 年末藏量, 本年新增, 说明).
        target_rows: The source year's approved 绩效目标 (`target_rows`), in column order.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    unit_items = list(unit_items or [])
    values = dict(unit_items)
    check_year(year)
    path = Path(dest_dir) / template_name(values.get("单位名称", ""), year)
    if path.exists():
        raise FileExistsError(f"{path} 已存在，不覆盖 / refusing to overwrite")
    if Path(dest_dir).is_dir():
        existing = [
            p.name
            for p in Path(dest_dir).iterdir()
            if p.suffix.lower() in (".xlsx", ".csv") and not p.name.startswith("~$")
        ]
        if existing:
            raise FileExistsError(
                f"{dest_dir} 已有数据文件（{'、'.join(existing)}），不再生成模板 / folder has data"
            )

    wb = Workbook()
    guide = wb.active
    guide.title = "填表说明"
    for r, row in enumerate(_instructions(year, source_year, bool(target_rows)), start=1):
        for c, value in enumerate(row, start=1):
            set_text_cell(guide.cell(row=r, column=c), value)
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["E"].width = 60
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in sc.SHEETS:
        ws = wb.create_sheet(sheet.name)
        for idx, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=idx, value=col.display())
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center")
            letter = get_column_letter(idx)
            ws.column_dimensions[letter].width = max(12, 2 * len(col.display()) + 2)
            options = col.enum
            if sheet.table == "unit":
                options = ()
            if options:
                dv = DataValidation(
                    type="list",
                    formula1='"' + ",".join(options) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="请从下拉框选择",
                    error="可选值：" + "、".join(options),
                )
                dv.add(f"{letter}2:{letter}{MAX_ROWS}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        if sheet.table == "unit":
            ws.column_dimensions["B"].width = 80
            order = list(sc.UNIT_REQUIRED_ITEMS) + [
                i for i in sc.UNIT_OPTIONAL_ITEMS if i != "填报日期"
            ]
            order += [i for i, _ in unit_items if i not in order]
            order.append("填报日期")
            for r, item in enumerate(order, start=2):
                set_text_cell(ws.cell(row=r, column=1), item)
                if item in values:
                    set_text_cell(ws.cell(row=r, column=2), values[item])
        prefill = {"holdings": holdings_rows, "targets": target_rows}.get(sheet.table)
        if prefill:
            for r, row in enumerate(prefill, start=2):
                for c, value in enumerate(row, start=1):
                    set_text_cell(ws.cell(row=r, column=c), value)
    _save_new(wb, path)
    write_final_accounts_template(path.parent, year, values.get("单位名称", ""))
    return path


def template_name(unit_name: str, year: int) -> str:
    """``<单位名称><year>年度绩效自评数据.xlsx``: the name without what a file system or Excel
    refuses (separators, Windows' reserved characters, control characters, a leading formula
    sign or dot) and cut to NAME_PART_MAX_BYTES, so that a long 单位名称 still gives a file."""
    safe = _UNSAFE_FILENAME.sub("", unit_name)
    safe = "".join(c for c in safe if c.isprintable()).lstrip("".join(FORMULA_TRIGGERS) + ".")
    while len(safe.encode("utf-8", "surrogateescape")) > NAME_PART_MAX_BYTES:
        safe = safe[:-1]
    return f"{safe}{year}年度绩效自评数据.xlsx"


def _save_new(wb: Any, path: Path) -> None:
    """Save `wb` as `path` through a temporary file; on any failure nothing is left behind,
    not even the year folder this call created (an empty year folder would be read as a year
    and make the next `make template` skip it)."""
    missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for folder in missing:  # deepest first; only what is still empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def raw_years(raw_root: Path) -> list[int]:
    if not raw_root.is_dir():
        return []
    return sorted(int(p.name) for p in raw_root.iterdir() if p.is_dir() and is_year_folder(p.name))
