"""Tables a unit already has, in the layouts in which they are published or approved: its 部门决算
tables and its 绩效目标申报表. A clerk drops such a workbook into ``data/raw/<年份>/`` beside (or
instead of) the unit's own sheets; it is recognised by its tables' titles and headings, not by its
file name, and read as laid out (`selfeval.read.grid.Grid`, merged cells kept).

`RECOGNISERS` lists the kinds in order: a workbook is of the first kind whose recogniser accepts
its sheets, and a workbook no recogniser accepts is the unit's own (read as tables, merged cells
refused). A new published layout is a module here with its recogniser added to the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from selfeval.read.grid import Grid

#: (kind, recogniser): the recogniser is given every sheet of one workbook.
Recogniser = Callable[[Sequence[Grid]], bool]
RECOGNISERS: tuple[tuple[str, Recogniser], ...] = ()


def recognise(grids: Sequence[Grid]) -> str | None:
    """The kind of published table a workbook's sheets are, or None for the unit's own."""
    for kind, accepts in RECOGNISERS:
        if accepts(grids):
            return kind
    return None
