"""Hostile and unlucky files (issue 17): each one, read through `find_raw_files` in a child
process limited to 500 MB of address space and 15 s of CPU time, ends in exactly one clear
problem naming the file (and sheet, and for a cell its row, column and value).

The bounds are asserted by the limits themselves, not by measuring: a reader that needs more
memory dies of MemoryError and one that needs more time is killed by SIGXCPU, and either fails
the test. The wall-clock timeout only guards against a hang. A real 20,000-row workbook still
reads under the same limits.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import hostile_corpus as corpus
import openpyxl
import pytest

MEMORY = 500 * (1 << 20)
CPU_SECONDS = 15
HANG_SECONDS = 180

_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from selfeval.read import BadCell, Percent, find_raw_files

    raw = find_raw_files(Path(sys.argv[1]))
    def where(p):
        return {"code": getattr(p, "code", ""), "text": str(p), "file": p.file,
                "sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value}
    pending = [where(v.pending) for s in raw.sheets.values() for _n, values in s.rows
               for v in values if type(v) is BadCell and v.pending is not None]
    first = {}
    for name, s in raw.sheets.items():
        if s.rows:
            first[name] = [repr(v) if isinstance(v, Percent) else str(v) for v in s.rows[0][1]]
    print(json.dumps({
        "problems": [where(p) for p in raw.problems],
        "pending": pending,
        "rows": {name: len(s.rows) for name, s in raw.sheets.items()},
        "first": first,
    }, ensure_ascii=False))
    """
)
#: Problems of one cell: located by sheet, Excel row, column and value.
CELL_CODES = {
    "column_out_of_range",
    "bad_shared_index",
    "bad_number",
    "number_too_large",
    "bad_date",
    "text_too_long",
    "bad_bool",
}


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def read_limited(folder: Path) -> dict:
    """`find_raw_files(folder)` in a child within MEMORY and CPU_SECONDS; its summary."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        preexec_fn=_limits,
        check=False,
    )
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        pytest.fail(f"reader killed by {name} (CPU limit {CPU_SECONDS} s, memory 500 MB)")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _one_problem(summary: dict) -> dict:
    found = summary["problems"] + summary["pending"]
    assert len(found) == 1, json.dumps(found, ensure_ascii=False, indent=1)
    return found[0]


#: Cases that take seconds to generate and read (millions of cells or XML elements): slow tier.
SLOW_CASES = {"many_cells", "many_elements"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow) if n in SLOW_CASES else n
        for n in sorted(corpus.HOSTILE)
    ],
)
def test_hostile_workbook_is_one_clear_problem(name, tmp_path):
    generate, code = corpus.HOSTILE[name]
    folder = tmp_path / "2024"
    folder.mkdir()
    generate(folder / f"{name}.xlsx")
    found = _one_problem(read_limited(folder))
    assert found["code"] == code, found
    assert found["file"] == f"{name}.xlsx" and f"{name}.xlsx" in found["text"]
    if name in ("zip_bomb", "zip_ratio", "huge_rows"):  # a worksheet part: named by its sheet
        assert "工作表「活动」" in found["text"], found
    if code in CELL_CODES:
        assert (found["sheet"], found["row"]) == ("活动", 2), found
        assert found["column"] and found["value"] is not None and "单元格 " in found["text"]


@pytest.mark.parametrize("name", sorted(corpus.CSV_HOSTILE))
def test_hostile_csv_is_one_clear_problem(name, tmp_path):
    generate, code = corpus.CSV_HOSTILE[name]
    folder = tmp_path / "2024"
    folder.mkdir()
    generate(folder / "活动.csv")
    summary = read_limited(folder)
    found = _one_problem(summary)
    sheet = None if code == "file_too_large" else "活动"  # refused before it is a sheet
    assert (found["code"], found["file"], found["sheet"]) == (code, "活动.csv", sheet), found
    if code in ("csv_error", "text_too_long"):
        assert found["row"] == 2, found
    if code == "text_too_long":
        assert found["column"] == "说明" and found["value"][:3] in ("字字字", "xxx")


@pytest.mark.parametrize("name", sorted(corpus.LEGACY_HOSTILE))
def test_hostile_legacy_workbook_is_one_clear_problem(name, tmp_path):
    generate, code = corpus.LEGACY_HOSTILE[name]
    folder = tmp_path / "2024"
    folder.mkdir()
    generate(folder / name)
    summary = read_limited(folder)
    found = _one_problem(summary)
    assert (found["code"], found["file"]) == (code, name), found
    assert "另存为 .xlsx" in found["text"]
    assert summary["rows"] == {}


@pytest.mark.slow
def test_twenty_thousand_rows_read_within_the_same_limits(tmp_path):
    """A real workbook (openpyxl, shared strings as Excel writes them): 20,000 x 15 cells with
    dates and a percent-formatted 满意度 column."""
    folder = tmp_path / "2024"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "活动"
    ws.append(["序号", "活动名称", "类别", "开始日期", "结束日期", "地点", "人次", "场次",
               "预算数（万元）", "执行数（万元）", "满意度（%）", "负责人", "备注", "线上",
               "编号"])  # fmt: skip
    for i in range(20_000):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 365)
        ws.append([i + 1, f"活动{i}号：社区阅读分享会", "讲座", day, day, f"第{i % 40}分馆",
                   10 + i % 4000, 1 + i % 20, 12.5, 12.25, 0.9892, "张三",
                   "无" if i % 3 else None, i % 2 == 0, f"A{i:06d}"])  # fmt: skip
        ws.cell(row=i + 2, column=11).number_format = "0.00%"
    wb.save(folder / "大.xlsx")
    summary = read_limited(folder)
    assert summary["problems"] == [] and summary["pending"] == []
    assert summary["rows"] == {"活动": 20_000}
    first = summary["first"]["活动"]
    assert first[3] == "2024-01-01 00:00:00" and first[6] == "10"
    assert first[10] == "Percent(value=Decimal('98.92'), decimals=2)"
