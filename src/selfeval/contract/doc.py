"""`docs/data-contract.md`: its sheet tables and processed-table tables, generated from the
contract (`selfeval.contract.sheets`) and the pandera models (`selfeval.contract.models`).

`python -m selfeval.contract.doc` rewrites the generated blocks; a test keeps them in step.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandera.pandas as pa

from selfeval.contract.limits import LIMITS
from selfeval.contract.models import PROCESSED
from selfeval.contract.sheets import SHEETS, ColumnSpec
from selfeval.contract.target_form import BEGIN as FORM_BEGIN
from selfeval.contract.target_form import END as FORM_END
from selfeval.contract.target_form import target_form_markdown

GENERATED_BEGIN = "<!-- BEGIN GENERATED: sheets (python -m selfeval.contract.doc) -->"
GENERATED_END = "<!-- END GENERATED: sheets -->"


def _kind_doc(col: ColumnSpec) -> str:
    return {
        "text": "文字",
        "prose": "文字",
        "int": "整数",
        "count": "数量",
        "amount": "金额",
        "number": "数值",
        "date": "日期",
        "enum": "枚举",
        "percent": "百分数",
        "ids": "编号列表",
    }[col.kind]


def contract_markdown() -> str:
    """Chinese Markdown tables of every sheet, generated from `SHEETS` (kept in the doc)."""
    out: list[str] = [GENERATED_BEGIN, ""]
    for sheet in SHEETS:
        flag = "必需" if sheet.required else "选填"
        out.append(f"### {sheet.name}（{flag}，输出 `{sheet.table}.parquet`）")
        out.append("")
        out.append(sheet.doc)
        out.append("")
        out.append("| 列 | 必需列 | 必填值 | 类型 | 可选值 | 说明 |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for col in sheet.columns:
            header = col.display()
            if col.has_unit:
                header = f"{col.header}（万元）或（元）"
            enum = "、".join(col.enum) if col.enum else ""
            required = "是" if col.required else "否"
            needs_value = "是" if col.needs_value else "否"
            out.append(
                f"| {header} | {required} | {needs_value} | {_kind_doc(col)} | {enum} "
                f"| {col.doc_for()} |"
            )
        out.append("")
    out.append(GENERATED_END)
    return "\n".join(out)


def parse_contract_tables(markdown: str) -> dict[str, dict]:
    """Read the sheet tables back out of the Markdown (used by the doc test)."""
    sheets: dict[str, dict] = {}
    current: dict | None = None
    start = markdown.index(GENERATED_BEGIN)
    block = markdown[start : markdown.index(GENERATED_END, start)]
    for line in block.splitlines():
        m = re.match(r"^### (\S+?)（(必需|选填)", line)
        if m:
            current = {"required": m.group(2) == "必需", "columns": {}}
            sheets[m.group(1)] = current
            continue
        if current is not None and line.startswith("| ") and not line.startswith("| 列 "):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0].startswith("---"):
                continue
            current["columns"][cells[0]] = {
                "required": cells[1] == "是",
                "needs_value": cells[2] == "是",
                "enum": tuple(cells[4].split("、")) if cells[4] else (),
            }
    return sheets


PROCESSED_BEGIN = "<!-- BEGIN GENERATED: processed (python -m selfeval.contract.doc) -->"
PROCESSED_END = "<!-- END GENERATED: processed -->"

_TABLE_TITLES = {s.table: s.name for s in SHEETS}


def _dtype_doc(dtype: object) -> str:
    text = str(dtype)
    if text.startswith("string") or text == "str":
        return "文字"
    return {
        "int64": "整数",
        "Int64": "整数（可空）",
        "float64": "数值",
        "bool": "是/否",
        "datetime64[ns]": "日期",
    }.get(text, text)


def _checks_doc(column: pa.Column) -> str:
    out = []
    for check in column.checks:
        stats = check.statistics
        if "allowed_values" in stats:
            out.append("、".join(str(v) or "（空）" for v in stats["allowed_values"]))
        elif "min_value" in stats:
            out.append(f"≥ {stats['min_value']}")
        elif "max_value" in stats:
            out.append(f"≤ {stats['max_value']}")
    return "；".join(out)


def processed_markdown() -> str:
    """Chinese Markdown tables of the processed tables, generated from the pandera models."""
    out: list[str] = [PROCESSED_BEGIN, ""]
    for table, model in PROCESSED.items():
        out.append(f"#### `{table}.parquet`（{_TABLE_TITLES.get(table, table)}）")
        out.append("")
        out.append("| 列 | 类型 | 可为空 | 取值 |")
        out.append("| --- | --- | --- | --- |")
        for name, column in model.columns.items():
            nullable = "是" if column.nullable else "否"
            out.append(
                f"| `{name}` | {_dtype_doc(column.dtype)} | {nullable} | {_checks_doc(column)} |"
            )
        out.append("")
    out.append(PROCESSED_END)
    return "\n".join(out)


def _replace_block(text: str, begin: str, end: str, block: str) -> str:
    start, stop = text.index(begin), text.index(end) + len(end)
    return text[:start] + block + text[stop:]


def parse_processed_tables(markdown: str) -> dict[str, dict[str, bool]]:
    """Processed tables of the doc: table -> {column: nullable} (used by the doc test)."""
    tables: dict[str, dict[str, bool]] = {}
    current: dict[str, bool] | None = None
    start = markdown.index(PROCESSED_BEGIN)
    for line in markdown[start : markdown.index(PROCESSED_END, start)].splitlines():
        m = re.match(r"^#### `(\w+)\.parquet`", line)
        if m:
            current = tables[m.group(1)] = {}
        elif current is not None and line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            current[cells[0].strip("`")] = cells[2] == "是"
    return tables


LIMITS_BEGIN = "<!-- BEGIN GENERATED: limits (python -m selfeval.contract.doc) -->"
LIMITS_END = "<!-- END GENERATED: limits -->"


def limits_markdown() -> str:
    """The readers' limits (`selfeval.contract.limits.LIMITS`) as a Chinese Markdown table."""
    out = [LIMITS_BEGIN, "", "| 适用于 | 限制 | 上限 | 说明 |", "| --- | --- | --- | --- |"]
    out += [f"| {x.scope} | {x.what} | {x.shown} | {x.why} |" for x in LIMITS]
    out += ["", LIMITS_END]
    return "\n".join(out)


def update_doc(path: Path) -> bool:
    """Rewrite the generated parts of the data-contract doc; True if it changed."""
    text = path.read_text(encoding="utf-8")
    new = _replace_block(text, GENERATED_BEGIN, GENERATED_END, contract_markdown())
    new = _replace_block(new, PROCESSED_BEGIN, PROCESSED_END, processed_markdown())
    new = _replace_block(new, LIMITS_BEGIN, LIMITS_END, limits_markdown())
    new = _replace_block(new, FORM_BEGIN, FORM_END, target_form_markdown())
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    doc = Path(__file__).resolve().parents[3] / "docs" / "data-contract.md"
    changed = update_doc(doc)
    print(f"{doc}: {'已更新' if changed else '无变化'}")
    sys.exit(0)
