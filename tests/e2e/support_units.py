"""A project of several units for the batch and cluster tests: synthetic years per unit folder,
each unit with its own 单位名称, one of them the 主管部门 of the others."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from selfeval.read.csv import decode_csv_bytes
from selfeval.synthetic import UNIT_NAME, write_synthetic_years

#: folder -> the unit's own name (what the overview shows)
UNITS = {"library": "示例区合成图书馆", "museum": "示例区合成文管所", "culture": "示例区合成文化馆"}
DEPARTMENT = ("bureau", "示例区合成文化旅游局")


def set_unit_items(folder: Path, items: dict[str, str]) -> None:
    """Set (or add) rows of a CSV year folder's 单位概况, in the file's own encoding."""
    path = next(folder.glob("单位概况*.csv"))
    text, encoding = decode_csv_bytes(path.read_bytes())
    rows = list(csv.reader(io.StringIO(text)))
    left = dict(items)
    for row in rows[1:]:
        if row and row[0] in left:
            row[1] = left.pop(row[0])
    rows += [[k, v] for k, v in left.items()]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def write_units(raw: Path, years: list[int], department: bool = False, activities: int = 4):
    """data/raw/<unit>/<year>/ for every unit (and the 主管部门 when asked); returns folders."""
    folders = []
    for seed, (unit, name) in enumerate(UNITS.items()):
        for folder in write_synthetic_years(
            raw / unit, years, activities_per_year=activities, seed=seed + 1
        ):
            set_unit_items(folder, {"单位名称": name})
            folders.append(folder)
    if department:
        unit, name = DEPARTMENT
        for folder in write_synthetic_years(raw / unit, years, activities_per_year=activities):
            set_unit_items(
                folder,
                {"单位名称": name, "下属单位": "、".join([*UNITS, "示例区不存在的单位"])},
            )
            folders.append(folder)
    assert UNIT_NAME not in str(folders)
    return folders


def tree(root: Path) -> dict[str, bytes]:
    """Every file below `root` by relative path (hidden files aside), for byte comparisons."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }
