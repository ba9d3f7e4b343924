"""Build the report of every year found under data/raw/ (sequential placeholder of the batch)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from selfeval import config

YEAR_DIR = re.compile(r"^\d{4}$")


def discover_years(raw_root: Path) -> tuple[list[int], list[str]]:
    """Years with a raw folder, and the names of other entries that were ignored."""
    years: list[int] = []
    ignored: list[str] = []
    if raw_root.is_dir():
        for entry in sorted(raw_root.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and YEAR_DIR.match(entry.name):
                years.append(int(entry.name))
            else:
                ignored.append(entry.name)
    return years, ignored


def build(years: list[int] | None = None, jobs: int | None = None, force: bool = False) -> int:
    """Build the given years (default: all found); returns the exit status."""
    raw_root = config.raw_root()
    found, ignored = discover_years(raw_root)
    for name in ignored:
        print(f"忽略 data/raw/{name}：不是四位年份目录 / ignored, not a year folder")
    todo = years or found
    if not todo:
        print("data/raw/ 下还没有任何年度数据（例如 data/raw/2024/），没有需要生成的报告。")
        print("No year under data/raw/ yet: nothing to build.")
        return 0
    print("年度构建尚未实现 / the yearly build is not implemented yet", file=sys.stderr)
    return 1
