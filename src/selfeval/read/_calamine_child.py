"""The child side of `selfeval.read.legacy`: python-calamine reads one .xls/.xlsb/.ods workbook.

Run as ``python -I _calamine_child.py MEMORY CPU_SECONDS MAX_SHEETS MAX_ROWS MAX_CELLS`` with the
workbook's bytes on stdin; writes one pickle to stdout: ``{"sheets": [(title, rows, merges)]}``
or ``{"error": message, "code": code}``. It limits itself first (address space, CPU time, no
core file), before calamine sees a byte: on a hostile file calamine allocates until the
allocator fails and then aborts the whole process, which here is only this child. Standard
library and python-calamine only, so that it starts quickly and imports nothing of the project.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
import resource
import sys
from typing import Any


def _limit(memory: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _column_letter(idx: int) -> str:
    out = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        out = chr(65 + rem) + out
    return out


def read(data: bytes, max_sheets: int, max_rows: int, max_cells: int) -> dict[str, Any]:
    """Every worksheet as rows of Python values from A1, with its merged ranges."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = [m for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        if len(metas) > max_sheets:
            return {"error": f"工作簿有超过 {max_sheets} 张工作表", "code": "too_many_sheets"}
        sheets = []
        cells = 0
        for meta in metas:
            sh = wb.get_sheet_by_name(meta.name)
            height, width = sh.total_height, sh.total_width
            if height > max_rows + 1:
                return {
                    "error": f"工作表「{meta.name}」超过 {max_rows:,} 行",
                    "code": "too_many_rows",
                }
            cells += height * width
            if cells > max_cells:
                return {"error": f"工作簿的单元格超过 {max_cells:,} 个", "code": "too_many_cells"}
            merges = [
                f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}"
                for (r0, c0), (r1, c1) in (sh.merged_cell_ranges or [])
            ]
            sheets.append((meta.name, sh.to_python(skip_empty_area=False), merges))
        wb.close()
    except CalamineError as exc:
        return {"error": f"无法读取（{type(exc).__name__}: {str(exc)[:150]}）"}
    except MemoryError:
        return {"error": "读取时内存不足", "code": "legacy_too_large"}
    return {"sheets": sheets}


def _check_types(result: dict[str, Any]) -> None:
    """Only the value types the parent's unpickler accepts leave the child."""
    allowed = (str, int, float, bool, type(None), dt.datetime, dt.date, dt.time, dt.timedelta)
    for _title, rows, _merges in result.get("sheets", []):
        for row in rows:
            for value in row:
                if not isinstance(value, allowed):
                    raise TypeError(type(value).__name__)


if __name__ == "__main__":
    memory, cpu, max_sheets, max_rows, max_cells = (int(a) for a in sys.argv[1:6])
    _limit(memory, cpu)
    result = read(sys.stdin.buffer.read(), max_sheets, max_rows, max_cells)
    _check_types(result)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=5))
