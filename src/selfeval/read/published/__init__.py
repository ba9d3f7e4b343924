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

from selfeval.contract.sheets import SHEETS
from selfeval.read.grid import Grid
from selfeval.read.published import final_accounts, target_form

#: (kind, recogniser): the recogniser is given every sheet of one workbook.
Recogniser = Callable[[Sequence[Grid]], bool]
RECOGNISERS: tuple[tuple[str, Recogniser], ...] = (
    (target_form.KIND, target_form.recognise),
    (final_accounts.KIND, final_accounts.recognise),
)


def is_units_own(grids: Sequence[Grid]) -> bool:
    """A workbook with the unit's required sheets (单位概况) is the unit's own, whatever tables
    were pasted into it: taken as a published table, its own sheets would silently go unread; read
    as the unit's, its merged cells say where the pasted table is."""
    own = {sheet.name for sheet in SHEETS if sheet.required}
    return any(grid.sheet.strip() in own for grid in grids)


def recognise(grids: Sequence[Grid]) -> str | None:
    """The kind of published table a workbook's sheets are, or None for the unit's own."""
    if is_units_own(grids):
        return None
    for kind, accepts in RECOGNISERS:
        if accepts(grids):
            return kind
    return None
