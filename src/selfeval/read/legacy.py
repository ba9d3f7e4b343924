"""Old and other spreadsheet formats (.xls, .xlsb, .ods), read with python-calamine in a child
process with a memory limit, a CPU limit and a timeout.

Finance staff with old Excel or WPS still send .xls. calamine is the maintained reader for these
formats, but it is not safe in-process: on a hostile file it allocates until the allocator fails
and then *aborts the process* (SIGABRT, not a Python exception) — an 841-byte .ods with
``number-rows-repeated`` does it. So `_calamine_child` runs it in a child that limits itself
before reading; whatever goes wrong there becomes one problem naming the file.

Why a child process here, below `selfeval.run` (whose layer otherwise owns processes): this is a
memory fence around one library call, not orchestration. It is synchronous, bounded by
`LEGACY_TIMEOUT`, stays in the caller's process group (a cancelled batch takes it along), and
limits its own CPU time, so an orphan cannot outlive its parent for long. Living in `read`
means every way of cleaning a year (notebook 01, ``selfeval clean``, tests) reads .xls the same
way; the import-linter contract names this one module as its only exception.

The child gets the file's bytes on stdin (the bytes that were hashed, never a second open of the
file) and sends back plain values in a pickle that is loaded with a restricted unpickler.

calamine shows no number formats: a percent cell arrives as the bare fraction (0.9892 for
98.92%) and a text-formatted number as a number; sheets are marked ``formats_known=False`` so
that the cleaner can refuse to guess. It shows no merged ranges for .ods.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from selfeval.contract.limits import (
    LEGACY_CPU_SECONDS,
    LEGACY_MEMORY,
    LEGACY_TIMEOUT,
    MAX_ABS_NUMBER,
    MAX_CELL_TEXT,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PROBLEMS_PER_SHEET,
    MAX_ROWS,
    MAX_SHEETS,
    MiB,
)
from selfeval.read.sheet import BadCell, RawInput, RawSheet, ReadProblem, is_blank, trim_name
from selfeval.read.xlsx import column_letter, merge_problems

LEGACY_SUFFIXES = frozenset([".xls", ".xlsb", ".ods"])
CHILD = Path(__file__).with_name("_calamine_child.py")
_RESAVE = "用 Excel 或 WPS 打开并另存为 .xlsx 工作簿"


def read_legacy_bytes(data: bytes, name: str, into: RawInput, keep_merged: bool = False) -> None:
    """Read an .xls/.xlsb/.ods workbook's bytes into ``into`` through the limited child
    (``keep_merged``: as `selfeval.read.xlsx.read_workbook_bytes`)."""
    result = _run_child(data)
    if "error" in result:
        into.problems.append(
            ReadProblem(
                name,
                None,
                None,
                None,
                None,
                _RESAVE,
                result["error"],
                code=result.get("code", "legacy_unreadable"),
            )
        )
        return
    for title, grid, merges in result["sheets"]:
        sheet = trim_name(title)
        if sheet in into.sheets:
            into.problems.append(
                ReadProblem(
                    name, sheet, None, None, None, "", "有两张工作表名称去掉空格后相同",
                    code="duplicate_sheet",
                )
            )  # fmt: skip
            continue
        if merges:
            into.sheets[sheet] = RawSheet(name, sheet, [], [], unreadable=True)
            if keep_merged:  # the rows and ranges, for a published table (`read.grid`)
                kept, _cell_problems = to_raw_sheet(name, sheet, grid)
                raw = into.sheets[sheet]
                raw.headers, raw.rows, raw.merges = kept.headers, kept.rows, tuple(merges)
                raw.formats_known = kept.formats_known
            into.problems.extend(merge_problems(name, sheet, merges))
            continue
        raw, problems = to_raw_sheet(name, sheet, grid)
        into.sheets[sheet] = raw
        into.problems.extend(problems)


def _run_child(data: bytes) -> dict[str, Any]:
    argv = [
        sys.executable,
        "-I",
        str(CHILD),
        *(str(n) for n in (LEGACY_MEMORY, LEGACY_CPU_SECONDS, MAX_SHEETS, MAX_ROWS, MAX_CELLS)),
    ]
    env = {"PATH": os.environ.get("PATH", ""), "RUST_BACKTRACE": "0", "LC_ALL": "C.UTF-8"}
    try:
        done = subprocess.run(
            argv, input=data, capture_output=True, timeout=LEGACY_TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {
            "error": f"读取超过 {LEGACY_TIMEOUT} 秒仍未完成（文件过大或已损坏）",
            "code": "legacy_timeout",
        }
    except OSError as exc:
        return {"error": f"无法启动读取进程（{exc.strerror}）"}
    if done.returncode != 0:
        return _failure(done.returncode, done.stderr)
    try:
        return _SafeUnpickler(io.BytesIO(done.stdout)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        return {"error": f"读取进程的输出无效（{type(exc).__name__}）"}


def _failure(returncode: int, stderr: bytes) -> dict[str, Any]:
    """The one problem for a child that died or failed."""
    signum = -returncode if returncode < 0 else None
    if signum in (signal.SIGXCPU, signal.SIGKILL):
        return {
            "error": f"读取所用 CPU 时间超过 {LEGACY_CPU_SECONDS} 秒（文件过大或是恶意构造的）",
            "code": "legacy_timeout",
        }
    tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    if signum == signal.SIGABRT or "MemoryError" in tail[0] or "memory allocation" in tail[0]:
        return {
            "error": f"读取时所需内存超过 {LEGACY_MEMORY // MiB} MB（文件过大或是恶意构造的）",
            "code": "legacy_too_large",
        }
    return {"error": f"无法读取（{tail[0][:200] or f'退出状态 {returncode}'}）"}


class _SafeUnpickler(pickle.Unpickler):
    """Loads only plain values and the datetime types (never a callable)."""

    _ALLOWED = frozenset(
        [("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"),
         ("datetime", "timedelta")]
    )  # fmt: skip

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _bad_problem(
    where: tuple[str, str, int, list[str]], col: int, code: str, message: str, value: str
) -> ReadProblem:
    """A located cell problem; ``where`` is (file, sheet, row number, headers)."""
    file, sheet, number, headers = where
    column = headers[col] if number > 1 and col < len(headers) and headers[col] else None
    expected = (
        "绝对值小于 10^15 的数值；编号等长数字请设为文本格式后填写"
        if code == "number_too_large"
        else _RESAVE
    )
    return ReadProblem(
        file,
        sheet,
        number,
        column or f"{column_letter(col)}列",
        value,
        expected,
        f"{message}（单元格 {column_letter(col)}{number}）",
        has_value=True,
        code=code,
    )


def to_raw_sheet(
    file: str, sheet: str, grid: list[list[Any]]
) -> tuple[RawSheet, list[ReadProblem]]:
    """calamine's dense grid (from A1) -> `RawSheet`, with the .xlsx reader's value checks."""
    problems: list[ReadProblem] = []
    headers: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    header_row_blank = True
    for number, cells in enumerate(grid, start=1):
        values = _row_values(file, sheet, number, cells, headers, problems)
        if not values:
            continue
        if number == 1:
            headers = ["" if is_blank(v) else trim_name(str(v)) for v in values]
            header_row_blank = all(h == "" for h in headers)
            while headers and headers[-1] == "":
                headers.pop()
            continue
        if all(is_blank(v) for v in values):
            continue
        if len(values) < len(headers):
            values.extend([None] * (len(headers) - len(values)))
        rows.append((number, values))
    raw = RawSheet(file, sheet, headers, rows, header_row_blank, formats_known=False)
    return raw, problems[:MAX_PROBLEMS_PER_SHEET]


def _row_values(
    file: str,
    sheet: str,
    number: int,
    cells: list[Any],
    headers: list[str],
    problems: list[ReadProblem],
) -> list[Any]:
    where = (file, sheet, number, headers)
    values: list[Any] = []
    for col, v in enumerate(cells):
        if v == "" or v is None:
            v = None
        elif type(v) is float:
            v = _number(v, where, col, problems)
        elif type(v) is dt.date:
            v = dt.datetime(v.year, v.month, v.day)
        elif type(v) is str and len(v) > MAX_CELL_TEXT:
            shown = v[:57] + "…"
            message = f"文字有 {len(v):,} 个字符，超过上限 {MAX_CELL_TEXT:,}"
            problems.append(_bad_problem(where, col, "text_too_long", message, shown))
            v = BadCell(shown, "text_too_long")
        if v is not None and col >= MAX_COLUMNS:
            message = f"超出读取范围（只读前 {MAX_COLUMNS} 列）"
            problems.append(_bad_problem(where, col, "column_out_of_range", message, str(v)[:60]))
            continue
        values.append(v)
    while values and values[-1] is None:
        values.pop()
    return values


def _number(
    v: float, where: tuple[str, str, int, list[str]], col: int, problems: list[ReadProblem]
) -> Any:
    """int for an integral float; a `BadCell` for NaN, infinity or a number of 16+ digits."""
    if -MAX_ABS_NUMBER < v < MAX_ABS_NUMBER:
        return int(v) if v.is_integer() else v
    if v != v or v in (float("inf"), float("-inf")):
        message = "不是有效的数值（NaN 或无穷大）"
        problems.append(_bad_problem(where, col, "bad_number", message, str(v)))
        return BadCell(str(v), "bad_number")
    shown = f"{v:.15g}"
    message = "数值过大（超过 15 位数字，Excel 无法精确保存）"
    return BadCell(
        shown, "number_too_large", _bad_problem(where, col, "number_too_large", message, shown)
    )
