"""A sheet as it is laid out: every non-blank cell by its Excel row and column, merged ranges kept.

The unit's own sheets are tables (a header row, one record per row), and the readers refuse merged
cells there because a merge hides values. The tables a unit already has in a published layout
(its 决算 tables, its approved 绩效目标申报表) are forms instead: a title row, a 编制单位/金额单位
row, headers merged over two or three rows, label cells merged down a block. `Grid` keeps such a
sheet as it is, so that a parser can find a heading by its text, read the value under it, and
name the Excel cell (「表3 第7行 C列」) that each figure came from.

It is built from what the bounded readers already read (`selfeval.read.xlsx`,
`selfeval.read.legacy` with ``keep_merged=True``): no second pass over the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from selfeval.read.sheet import TRIM_CHARS, is_blank

_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
#: Rows at the top of a sheet in which its title is looked for.
TITLE_ROWS = 5


def column_letters(col: int) -> str:
    """Excel letters of a 1-based column (1 -> A, 27 -> AA)."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(row: int, col: int) -> str:
    """「C7」 for row 7, column 3 (both 1-based)."""
    return f"{column_letters(col)}{row}"


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """(first_row, first_col, last_row, last_col) of 「B2:D3」 or 「B2」; None if not a range."""
    m = _RANGE.match(ref.strip().upper())
    if m is None:
        return None
    c0, r0 = _column_number(m.group(1)), int(m.group(2))
    c1 = _column_number(m.group(3)) if m.group(3) else c0
    r1 = int(m.group(4)) if m.group(4) else r0
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


@dataclass(frozen=True)
class Grid:
    """One sheet of a published table: non-blank cells by (Excel row, column), both 1-based, and
    its merged ranges as (first_row, first_col, last_row, last_col)."""

    file: str
    sheet: str
    cells: Mapping[tuple[int, int], Any]
    merges: tuple[tuple[int, int, int, int], ...] = ()
    _origin: dict[tuple[int, int], tuple[int, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for r0, c0, r1, c1 in self.merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self._origin[(r, c)] = (r0, c0)

    @classmethod
    def from_rows(
        cls,
        file: str,
        sheet: str,
        rows: Sequence[tuple[int, Sequence[Any]]],
        merges: Sequence[str] = (),
    ) -> Grid:
        """From rows of values with their Excel row numbers (column A first) and merged ranges
        as Excel writes them (「A1:F1」)."""
        cells = {
            (number, col): value
            for number, values in rows
            for col, value in enumerate(values, start=1)
            if not is_blank(value)
        }
        ranges = tuple(r for r in (parse_range(m) for m in merges) if r is not None)
        return cls(file, sheet, cells, ranges)

    @property
    def n_rows(self) -> int:
        """The last row that holds a value or a merged range."""
        last = [r for r, _ in self.cells] + [m[2] for m in self.merges]
        return max(last, default=0)

    @property
    def n_cols(self) -> int:
        last = [c for _, c in self.cells] + [m[3] for m in self.merges]
        return max(last, default=0)

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range holding (row, col), or (row, col) itself."""
        return self._origin.get((row, col), (row, col))

    def value(self, row: int, col: int) -> Any:
        """What the cell shows: inside a merged range, the range's value (Excel keeps it in the
        top-left cell only); None when blank."""
        return self.cells.get(self.origin(row, col))

    def text(self, row: int, col: int) -> str:
        """The cell's value as trimmed text ("" when blank), for matching headings and labels."""
        value = self.value(row, col)
        if is_blank(value):
            return ""
        return str(value).strip(TRIM_CHARS)

    def row_texts(self, row: int) -> list[str]:
        """The texts of a row, column A first, a merged range's text once (at its origin)."""
        out = []
        for col in range(1, self.n_cols + 1):
            out.append(self.text(row, col) if self.origin(row, col)[1] == col else "")
        return out

    def ref(self, row: int, col: int) -> str:
        """「C7」: the cell a figure came from, for the 审核底稿 and messages."""
        return cell_ref(row, col)

    def texts(self) -> Iterator[tuple[int, int, str]]:
        """Every non-blank text cell as (row, col, text), row by row."""
        for (row, col), value in sorted(self.cells.items()):
            if isinstance(value, str) and not is_blank(value):
                yield row, col, value.strip(TRIM_CHARS)

    def title(self) -> str:
        """The sheet's title: the first non-blank text in its first `TITLE_ROWS` rows, with the
        spaces that typesetters put between characters (「收 入 支 出 决 算 总 表」) removed."""
        for row, _col, text in self.texts():
            if row > TITLE_ROWS:
                break
            return re.sub(r"\s+", "", text)
        return ""
