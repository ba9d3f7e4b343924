"""A year folder's raw input: one .xlsx workbook or one CSV per sheet, read into `RawInput`."""

from __future__ import annotations

from pathlib import Path

from selfeval.errors import problem
from selfeval.read.csv import read_csv_sheet
from selfeval.read.sheet import RawInput
from selfeval.read.xlsx import read_workbook


def find_raw_files(raw_dir: Path) -> RawInput:  # noqa: C901 - each folder shape, in turn
    """Decide whether a year folder holds one workbook or CSVs, and read it."""
    raw_dir = Path(raw_dir)
    result = RawInput(kind="")
    folder = raw_dir.name
    if not raw_dir.is_dir():
        result.problems.append(
            problem(folder, None, None, None, f"找不到年度数据目录 {raw_dir}", show_value=False)
        )
        return result
    workbooks: list[Path] = []
    csvs: list[Path] = []
    for entry in sorted(raw_dir.iterdir()):
        name = entry.name
        if name.startswith((".", "~$")) or not entry.is_file():
            continue
        suffix = entry.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            workbooks.append(entry)
        elif suffix == ".csv":
            csvs.append(entry)
        elif suffix == ".xls":
            result.problems.append(
                problem(
                    name,
                    None,
                    None,
                    None,
                    "是旧版 .xls 格式，无法读取",
                    expected="请在 Excel 中另存为 .xlsx 工作簿",
                )
            )
        else:
            result.ignored.append(name)
    if workbooks and csvs:
        names = "、".join(p.name for p in workbooks + csvs)
        result.problems.append(
            problem(
                folder,
                None,
                None,
                None,
                f"目录中同时有工作簿和 CSV 文件（{names}）",
                expected="只保留一个 .xlsx 工作簿，或只保留每张表一个 CSV 文件",
            )
        )
        return result
    if len(workbooks) > 1:
        names = "、".join(p.name for p in workbooks)
        result.problems.append(
            problem(
                folder,
                None,
                None,
                None,
                f"目录中有多个工作簿（{names}）",
                expected="每个年度目录只放一个 .xlsx 工作簿",
            )
        )
        return result
    if not workbooks and not csvs:
        if not result.problems:
            result.problems.append(
                problem(
                    folder,
                    None,
                    None,
                    None,
                    "目录中没有数据文件",
                    expected="一个 .xlsx 工作簿，或每张表一个 <表名>.csv 文件",
                )
            )
        return result
    if workbooks:
        result.kind = "xlsx"
        result.files = workbooks
        read_workbook(workbooks[0], result)
    else:
        result.kind = "csv"
        result.files = csvs
        for path in csvs:
            read_csv_sheet(path, result)
    return result
