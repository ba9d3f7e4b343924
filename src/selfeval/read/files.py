"""A year folder's raw input: one workbook (.xlsx/.xlsm, or .xls/.xlsb/.ods) or one CSV per sheet,
each file read once (`selfeval.read.source`) into `RawInput`; beside them, any number of
workbooks that `selfeval.read.published` recognises as tables the unit already has (决算 tables,
绩效目标申报表), kept as laid out in ``RawInput.published``.

Symlinks are refused, never followed: the year folder and the data files in it must be the
analyst's own files under ``data/raw/<年份>/``, so that no report is ever built from content
outside the project's data folder (a 活动.csv linked to /etc/passwd). The message says that it
is a symlink and where it points, the same from the batch and from ``selfeval clean --year``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selfeval.contract.limits import LEGACY_MAX_FILE_BYTES, MAX_CSV_BYTES, MAX_FILE_BYTES
from selfeval.errors import InputError, InternalError, problem
from selfeval.read.csv import CsvBudget, read_csv_bytes
from selfeval.read.grid import Grid
from selfeval.read.legacy import LEGACY_SUFFIXES, read_legacy_bytes
from selfeval.read.published import recognise
from selfeval.read.sheet import RawInput, RawSheet, trim_name
from selfeval.read.source import SYMLINK_EXPECTED, file_problem, read_source, symlink_message
from selfeval.read.xlsx import read_workbook_bytes

WORKBOOK_SUFFIXES = frozenset([".xlsx", ".xlsm", *LEGACY_SUFFIXES])
DATA_SUFFIXES = WORKBOOK_SUFFIXES | {".csv"}


def _list_folder(raw_dir: Path, result: RawInput) -> tuple[list[Path], list[Path]]:
    """Workbooks and CSVs of a year folder; symlinks become problems, other files `ignored`."""
    workbooks: list[Path] = []
    csvs: list[Path] = []
    for entry in sorted(raw_dir.iterdir()):
        name = entry.name
        if name.startswith((".", "~$")):
            continue
        suffix = entry.suffix.lower()
        if entry.is_symlink():
            if suffix in DATA_SUFFIXES:
                result.problems.append(
                    file_problem("symlink", name, symlink_message(entry), SYMLINK_EXPECTED)
                )
                if suffix == ".csv":
                    _refused_sheet(entry, result)
            else:
                result.ignored.append(name)
            continue
        if not entry.is_file():
            continue
        if suffix in WORKBOOK_SUFFIXES:
            workbooks.append(entry)
        elif suffix == ".csv":
            csvs.append(entry)
        else:
            result.ignored.append(name)
    return workbooks, csvs


def _folder_problem(raw_dir: Path) -> str | None:
    """Why a year folder cannot be read at all, or None."""
    if raw_dir.is_symlink():
        return f"年度数据目录 {raw_dir} {symlink_message(raw_dir)}"
    if not raw_dir.is_dir():
        return f"找不到年度数据目录 {raw_dir}"
    return None


def find_raw_files(raw_dir: Path) -> RawInput:
    """Decide whether a year folder holds one workbook or CSVs, and read it."""
    raw_dir = Path(raw_dir)
    result = RawInput(kind="")
    folder = raw_dir.name
    refused = _folder_problem(raw_dir)
    if refused is not None:
        expected = SYMLINK_EXPECTED if raw_dir.is_symlink() else ""
        result.problems.append(
            problem(folder, None, None, None, refused, expected=expected, show_value=False)
        )
        return result
    workbooks, csvs = _list_folder(raw_dir, result)
    own = _sort_workbooks(workbooks, result)
    shape = _shape_problem([path for path, _ in own], csvs, bool(result.problems or result.files))
    if shape is not None:
        message, expected = shape
        result.problems.append(problem(folder, None, None, None, message, expected=expected))
        return result
    published = list(result.files)
    if not own and not csvs:
        result.kind = "published" if published else ""
        return result
    if own:
        result.kind = "xlsx"
        path, read = own[0]
        result.files = [path, *published]
        _adopt(read, result)
    else:
        result.kind = "csv"
        result.files = csvs
        budget = CsvBudget()
        for path in csvs:
            with _reading(path):
                data = read_source(path, MAX_CSV_BYTES, result)
                if data is None:
                    _refused_sheet(path, result)
                else:
                    read_csv_bytes(data, path.name, result, budget)
        result.files = [*csvs, *published]
    return result


def _sort_workbooks(workbooks: list[Path], result: RawInput) -> list[tuple[Path, RawInput]]:
    """Read each workbook once, merged ranges kept; one that `read.published` recognises goes to
    ``result.published`` (its file to ``result.files``), the others are returned as read, for
    the caller to take as the unit's own."""
    own: list[tuple[Path, RawInput]] = []
    for path in workbooks:
        read = RawInput(kind="xlsx")
        with _reading(path):
            _read_workbook(path, read, keep_merged=True)
        grids = [
            Grid.from_rows(raw.file, raw.sheet, _grid_rows(raw), raw.merges)
            for raw in read.sheets.values()
        ]
        kind = recognise(grids) if grids else None
        if kind is None:
            own.append((path, read))
            continue
        result.published.setdefault(kind, []).extend(grids)
        result.files.append(path)
        result.digests.update(read.digests)
        # Its merged cells are its layout, not a problem.
        result.problems.extend(p for p in read.problems if getattr(p, "code", "") != "merged_cells")
    return own


def _grid_rows(raw: RawSheet) -> list[tuple[int, list]]:
    """A sheet's rows from Excel row 1 (the reader keeps row 1 apart as headers)."""
    first = [] if raw.header_row_blank and not raw.headers else [(1, list(raw.headers))]
    return first + [(number, list(values)) for number, values in raw.rows]


def _adopt(read: RawInput, result: RawInput) -> None:
    """Take the unit's own workbook as read: a sheet with merged cells is unreadable as a table
    (its merges are already problems), so its kept rows are dropped."""
    merged = set()
    for name, raw in read.sheets.items():
        if raw.merges:
            merged.add(raw.sheet)
            raw = RawSheet(raw.file, raw.sheet, [], [], unreadable=True)
        result.sheets[name] = raw
    # an unreadable sheet's one problem is its merged cells, not the cells it no longer reads
    result.problems.extend(
        p
        for p in read.problems
        if p.sheet not in merged or getattr(p, "code", "") == "merged_cells"
    )
    result.digests.update(read.digests)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Name the file when reading it fails for a reason that is not a problem of its data."""
    try:
        yield
    except (InputError, InternalError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:
        raise InternalError(path.name, None, exc) from exc


def _refused_sheet(path: Path, result: RawInput) -> None:
    """A CSV that is there but refused: its sheet is unreadable, not missing (the cleaner must
    not add 「缺少文件」 to the problem that says why it was refused)."""
    sheet = trim_name(path.stem)
    result.sheets.setdefault(sheet, RawSheet(path.name, sheet, [], [], unreadable=True))


def _shape_problem(
    workbooks: list[Path], csvs: list[Path], has_problems: bool
) -> tuple[str, str] | None:
    """(message, expected) when the folder holds no readable set of files."""
    if workbooks and csvs:
        names = "、".join(p.name for p in workbooks + csvs)
        return (
            f"目录中同时有工作簿和 CSV 文件（{names}）",
            "只保留一个 .xlsx 工作簿，或只保留每张表一个 CSV 文件",
        )
    if len(workbooks) > 1:
        names = "、".join(p.name for p in workbooks)
        return f"目录中有多个工作簿（{names}）", "每个年度目录只放一个 .xlsx 工作簿"
    if not workbooks and not csvs and not has_problems:
        return "目录中没有数据文件", "一个 .xlsx 工作簿，或每张表一个 <表名>.csv 文件"
    return None


def _read_workbook(path: Path, result: RawInput, keep_merged: bool = False) -> None:
    if path.suffix.lower() in LEGACY_SUFFIXES:
        data = read_source(path, LEGACY_MAX_FILE_BYTES, result)
        if data is not None:
            read_legacy_bytes(data, path.name, result, keep_merged)
        return
    data = read_source(path, MAX_FILE_BYTES, result)
    if data is not None:
        read_workbook_bytes(data, path.name, result, keep_merged)
