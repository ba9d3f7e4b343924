"""Which unit-years a project has (data/raw/<YYYY>/ and data/raw/<unit>/<YYYY>/), which of them
can be built from (raw_problem), and which the command line asks for: what the batch is given.
The year rule itself is `rules.year_problem`'s; this module only applies it to folders."""

from __future__ import annotations

import os
from pathlib import Path

from selfeval.config import Roots
from selfeval.rules import (
    YEAR_EXPECTED,
    folder_key,
    is_year_folder,
    unit_folder_problem,
    visible,
    year_problem,
)
from selfeval.run.plan import Key


def discover(raw_root: Path) -> tuple[list[Key], list[str]]:
    """Unit-years with a raw folder, and one message per entry that was ignored (naming it).

    ``data/raw/<YYYY>/`` is a year of the single unit (unit ""); ``data/raw/<unit>/<YYYY>/`` a
    year of unit `<unit>`. Symlinked folders and unit folders whose name is refused
    (`rules.unit_folder_problem`, spellings of one name) are listed: their build is refused by
    `raw_problem`, so that the refusal is said and the batch fails rather than the folder being
    silently skipped. Names are shown escaped (`rules.visible`).
    """
    keys: list[Key] = []
    ignored: list[str] = []
    if not raw_root.is_dir():
        return keys, ignored
    for entry in sorted(raw_root.iterdir()):
        name = entry.name
        if name.startswith((".", "~$")):
            continue
        if name.isdigit() and entry.is_dir():  # ２０２４ is meant as a year: say why it is not
            problem = year_problem(name)
            if problem:
                ignored.append(f"忽略 data/raw/{visible(name)}：{problem}，{YEAR_EXPECTED}")
            else:
                keys.append(Key("", int(name)))
            continue
        found = _unit_years(entry, name, ignored) if entry.is_dir() else []
        if found:
            keys += found
            continue
        problem = unit_folder_problem(name) if entry.is_dir() else None
        why = f"单位目录名不可用：{problem}" if problem else NOT_A_FOLDER
        ignored.append(f"忽略 data/raw/{visible(name)}：{why}")
    return keys, ignored


#: Said of an entry of data/raw/ that is neither a year nor a unit with years.
NOT_A_FOLDER = "不是年度目录（如 2024）或单位目录（如 图书馆/2024）"


def _unit_years(folder: Path, unit: str, ignored: list[str]) -> list[Key]:
    keys = []
    if folder.is_symlink():  # listed, refused by raw_problem with where it points
        return [Key(unit, int(e.name)) for e in sorted(folder.iterdir()) if is_year_folder(e.name)]
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "~$")) or not entry.is_dir():
            continue
        problem = year_problem(entry.name)
        if problem:
            where = f"data/raw/{visible(unit)}/{visible(entry.name)}"
            ignored.append(f"忽略 {where}：{problem}，{YEAR_EXPECTED}")
        else:
            keys.append(Key(unit, int(entry.name)))
    return keys


def unit_folder_refusal(raw_root: Path, unit: str) -> str | None:
    """Why unit folder data/raw/<unit>/ is not built (its name, or a second spelling of it)."""
    problem = unit_folder_problem(unit)
    if problem:
        return (
            f"单位目录 data/raw/{visible(unit)} 的名称不可用：{problem}。请改名后重新生成"
            " / unit folder name refused"
        )
    key = folder_key(unit)
    names = os.listdir(raw_root) if raw_root.is_dir() else []
    twins = [n for n in names if n != unit and folder_key(n) == key]
    if twins:
        return (
            f"单位目录 data/raw/{visible(unit)} 与 data/raw/{visible(twins[0])}"
            " 是同一名称的两种写法（Unicode 组合方式 NFC/NFD 或大小写不同，看起来相同，"
            "在 Windows 和 macOS 上是同一个目录），两者都不生成：请合并为一个目录"
            " / two spellings of one unit folder"
        )
    return None


def discover_years(raw_root: Path) -> tuple[list[int], list[str]]:
    """Years of the single-unit layout (data/raw/<YYYY>/), and ignored entries' messages."""
    keys, ignored = discover(raw_root)
    return [k.year for k in keys if not k.unit], ignored


def raw_dir(roots: Roots, key: Key) -> Path:
    return roots.raw / key.rel


def raw_problem(roots: Roots, key: Key) -> str | None:
    """Why a unit-year's raw folder cannot be built from (missing, or a symlink), or None.

    A symlinked year or unit folder is refused, as the reading layer refuses symlinked data
    files: what a report is built from must be inside the project's data folder, and be what
    the stamp hashes. The message says where the link points; nothing points at a failed/
    folder, since no notebook ran.
    """
    if key.unit:
        refused = unit_folder_refusal(roots.raw, key.unit)
        if refused:
            return refused
    shown = f"data/raw/{key.rel}"
    for path in (roots.raw / key.unit, raw_dir(roots, key)) if key.unit else (raw_dir(roots, key),):
        if path.is_symlink():
            target = os.readlink(path)
            where = path.relative_to(roots.raw).as_posix()
            return (
                f"data/raw/{where} 是符号链接（指向 {target}），不予读取：请把数据文件复制到"
                f" {shown}/ 中 / data/raw/{where} is a symlink to {target}, refused"
            )
    if not raw_dir(roots, key).is_dir():
        return f"找不到原始数据目录 / raw folder missing: {shown}"
    return None


def shown_paths(key: Key, previous_dir: Path | None, roots: Roots) -> dict[str, str]:
    """What report.ipynb's parameters show: the project-relative places the year ends up in,
    not the staging folders it was built in (which carry a random token)."""
    shown = {
        "raw_dir": f"data/raw/{key.rel}",
        "processed_dir": f"data/processed/{key.rel}",
        "output_dir": f"outputs/{key.rel}",
    }
    if previous_dir is not None:
        shown["previous_processed_dir"] = f"data/processed/{key.prev.rel}"
    return shown


def select(
    found: list[Key], years: list[int] | None, units: list[str] | None
) -> tuple[list[Key], list[str]]:
    """The unit-years asked for, and a message per asked unit or year that is not there.

    A year asked for that no unit has is still tried in the single-unit layout (it then fails
    with "raw folder missing", as before); an asked unit with no year folder is said.
    """
    notes: list[str] = []
    chosen = [k for k in found if (not units or k.unit in units) and (not years or k.year in years)]
    if units:
        have = {k.unit for k in found}
        for unit in units:
            if unit not in have:
                notes.append(f"data/raw/{unit}/ 下没有年度数据 / no such unit: {unit}")
    if years:
        for year in years:
            if not any(k.year == year for k in chosen) and not units:
                chosen.append(Key("", year))
    return sorted(set(chosen)), notes


def check_years(values: list[str]) -> tuple[list[int], list[str]]:
    """Years given on the command line (`rules.year_problem`); a message per bad one."""
    good, bad = [], []
    for value in values:
        text = str(value).strip()
        if year_problem(text):
            bad.append(f"年度「{visible(text)}」无效：{YEAR_EXPECTED}")
        else:
            good.append(int(text))
    return good, bad
