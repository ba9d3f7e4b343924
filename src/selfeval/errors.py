"""Every exception of the package, and `Problem`: one per offending input cell.

Input problems are collected into one `InputError` per year (all at once, never only the
first); build failures name the year and the stage (`BuildError`).

Every exception here derives from `SelfevalError`, so that "one of ours" is one `except`. Those
whose message is written for the user (in Chinese, naming the file, folder or setting to fix)
derive from `UserFacingError`: a command or a batch ends on one with its message alone, no
traceback (`run.batch.build`, `cli.main`), and IPython shows the message instead of a traceback.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def _show(value: Any) -> str:
    """Short display form of an offending value."""
    if value is None:
        return "（空）"
    text = str(value)
    if text == "":
        return "（空）"
    return text if len(text) <= 60 else text[:57] + "…"


@dataclass(frozen=True)
class Problem:
    """One problem found in the raw input, located as precisely as the source allows.

    Attributes:
        file: File name (no folder), e.g. ``活动.csv`` or ``数据.xlsx``.
        sheet: Sheet name (for CSV the file stem), or ``None`` for a whole-file problem.
        row: Excel row number (header = 1), or ``None``.
        column: Column header as the contract names it, or ``None``.
        value: The offending value as read, or ``None``.
        expected: What would be accepted, in Chinese.
        message: The problem, in Chinese.
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    expected: str = ""
    message: str = ""
    has_value: bool = field(default=False, compare=False)
    #: The Excel cell, e.g. ``E3`` (column letter and row), when both are known.
    cell: str | None = None

    def location(self) -> str:
        """Where the problem is, e.g. ``数据.xlsx 工作表「活动」第5行「开始日期」``."""
        parts = [self.file]
        if self.sheet is not None and self.file != f"{self.sheet}.csv":
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        loc = " ".join(parts)
        if self.column is not None:
            loc += f"「{self.column}」"
        if self.cell:
            loc += f"（{self.cell}）"
        return loc

    def __str__(self) -> str:
        text = f"{self.location()}: "
        if self.has_value:
            text += f"{_show(self.value)} "
        text += self.message
        if self.expected:
            text += f"（应为：{self.expected}）"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the formatted Chinese text under ``text``."""
        data = asdict(self)
        data.pop("has_value")
        if data["cell"] is None:
            data.pop("cell")
        if data["value"] is not None and not isinstance(data["value"], int | float | str | bool):
            data["value"] = str(data["value"])
        data["text"] = str(self)
        return data


def problem(
    file: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    message: str,
    *,
    expected: str = "",
    value: Any = None,
    show_value: bool | None = None,
    cell: str | None = None,
) -> Problem:
    """Build a `Problem`; the value is shown unless ``show_value`` is False."""
    if show_value is None:
        show_value = value is not None
    return Problem(
        file, sheet, row, column, value, expected, message, has_value=show_value, cell=cell
    )


class SelfevalError(Exception):
    """Root of every exception the package raises itself."""


class UserFacingError(SelfevalError):
    """An error whose message is for the user: Chinese, one root cause, naming what to fix.

    A command ends on it by printing the message alone (exit status 1); in JupyterLab and in
    papermill's saved notebook IPython shows ``_render_traceback_()`` instead of a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


#: Table cells read left to right (JupyterLab aligns output tables' cells right by default).
_LEFT = ' style="text-align: left"'


class InputError(UserFacingError):
    """The raw input of a year has problems; carries every `Problem` found, not only the first."""

    def __init__(self, problems: list[Problem], year: int | None = None):
        self.problems = list(problems)
        self.year = year
        super().__init__(self.report())

    def _head(self) -> str:
        head = f"{self.year} 年度的输入数据" if self.year is not None else "输入数据"
        return f"{head}有 {len(self.problems)} 个问题"

    def report(self) -> str:
        """All problems as Chinese lines, preceded by a count."""
        lines = [f"{self._head()} / input problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The problems as a table a clerk reads: where (file, sheet, row, column), the value,
        what is wrong and what to write instead; every text escaped (cells are data)."""
        head = ("文件", "工作表", "行", "列", "取值", "问题", "应填写")
        rows = []
        for p in self.problems:
            sheet = p.sheet if p.sheet is not None and p.file != f"{p.sheet}.csv" else ""
            column = (p.column or "") + (f"（{p.cell}）" if p.cell else "")
            cells = (
                p.file,
                sheet,
                "" if p.row is None else str(p.row),
                column,
                _show(p.value) if p.has_value else "",
                p.message,
                p.expected,
            )
            rows.append(
                "<tr>" + "".join(f"<td{_LEFT}>{html.escape(c)}</td>" for c in cells) + "</tr>"
            )
        return (
            f'<div class="selfeval-problems"><p><strong>{html.escape(self._head())}</strong>'
            "，请在原始数据中逐条改正后重新运行：</p>"
            '<table class="selfeval-problems"><thead><tr>'
            + "".join(f"<th{_LEFT}>{h}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></div>"
        )

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback (JupyterLab, papermill's saved notebook):
        the problem table as a rich output, then one line; the cell still fails, so papermill
        records the error and a batch stops. The cleaner's source path is nobody's business.
        IPython asks twice per failure (the traceback, then the execution's error info): the
        table is shown once."""
        try:
            # Only ever called inside IPython; the ground layer does not import it otherwise.
            from IPython.display import display

            if not getattr(self, "_table_shown", False):
                display({"text/html": self._repr_html_(), "text/plain": self.report()}, raw=True)
                self._table_shown = True
            return [f"{type(self).__name__}: {self._head()}（见上表） / input problems, see above"]
        except ImportError:  # pragma: no cover - IPython calls this, so it is there
            return [f"{type(self).__name__}: {self.report()}"]


class InternalError(RuntimeError, SelfevalError):
    """A failure of the program, not of the data, while reading or cleaning one file or sheet.

    The message says where (file, sheet) and that it is not an input problem, so the build
    summary locates it; the original exception is chained (``raise … from``) for the analyst.
    """

    def __init__(self, file: str, sheet: str | None, cause: BaseException):
        self.file, self.sheet, self.cause = file, sheet, cause
        where = f"「{file}」" + (f"的工作表「{sheet}」" if sheet else "")
        super().__init__(
            f"处理{where}时程序内部出错（{type(cause).__name__}: {cause}）；这不是填报数据的"
            f"问题，请把该文件交给维护人员 / internal error while processing {file}"
            + (f" (sheet {sheet})" if sheet else "")
        )


class StageOrderError(RuntimeError, UserFacingError):
    """A notebook ran before the stage that writes its input (02 or 03 before 01 for a year).

    In JupyterLab the analyst sees only the message, in Chinese, with what to run: IPython shows
    an exception's ``_render_traceback_()`` lines instead of a traceback.
    """


class FolderRefused(OSError, UserFacingError):
    """A folder the product was asked to write holds what it did not write, or overlaps another.

    An OSError, so that the batch reports it like any folder it cannot swap in (the year fails,
    nothing is touched); in JupyterLab and papermill's saved notebook the message is shown
    instead of a traceback.
    """


class ProjectMismatch(RuntimeError, UserFacingError):
    """The running code belongs to another project folder than the one the command runs in.

    A project copied with ``cp -a`` keeps a .venv whose editable install points at the
    original tree: its code, notebooks and data folders would be the original's.
    """


class ParseError(ValueError, SelfevalError):
    """A cell value that cannot be read; args[0] is the message, args[1] what is expected."""


class FrameError(ValueError, UserFacingError):
    """A report frame file (selfeval/frames/*.toml) that cannot be used; the message names the
    file (or folder), the line where TOML gives one, and the key. A notebook shows only it."""


class MemberResultsError(ValueError, UserFacingError):
    """A 主管部门's input from a member (units.json, a unit's stored results.json) without the
    stored shape a department sum reads; the message names the unit, the file and each key."""


class PackFormError(ValueError, UserFacingError):
    """A rule pack's 自评表 layout (selfeval/packs/*.toml, its [form]) that cannot be used; the
    message names the file and the place (block, row, cell) and what is allowed there."""


class UnsafeParameterError(ValueError, SelfevalError):
    """A parameter for papermill was refused before any kernel started."""


class BuildError(RuntimeError, SelfevalError):
    """A year's build failed at one stage; the message names the year and the stage.

    When the cause is the input (an `InputError` raised by the notebook), a clerk reads the list
    of problems first, as the cleaner wrote it; where the executed notebook was kept for
    debugging comes after, on its own line, for the analyst.
    """

    def __init__(
        self,
        year: int,
        stage: str,
        detail: str,
        failed_notebook: Path | None = None,
        *,
        input_problems: bool = False,
    ):
        self.year = year
        self.stage = stage
        self.detail = detail
        self.failed_notebook = failed_notebook
        self.input_problems = input_problems
        if input_problems:
            text = detail
        else:
            text = (
                f"{year} 年度报告在「{stage}」阶段失败：{detail}"
                f" / year {year} failed at stage {stage!r}"
            )
        if failed_notebook:
            text += (
                f"\n（供分析人员调试：「{stage}」阶段执行到出错处的笔记本见 {failed_notebook}"
                " / the notebook executed up to the error, for debugging）"
            )
        super().__init__(text)


# ---------------------------------------------------------------------------------------------
# Running builds: the batch, the kernel, the PDF converter, the cluster


class ChangedDuringBuild(RuntimeError, SelfevalError):
    """A raw file changed while its year was being built: the build is not what it read."""


class LockError(RuntimeError, UserFacingError):
    """The batch lock cannot be taken for a reason a person must fix (message says which)."""


class KernelSetupError(RuntimeError, SelfevalError):
    """Code run silently in the kernel (preload, reset) failed, or the kernel did not answer."""


class PdfError(RuntimeError, SelfevalError):
    """A conversion failed; the message carries the converter's own output."""


class ConverterMissing(PdfError):
    """No LibreOffice on this machine; the message says how to install it."""


class SchedulerUnavailable(RuntimeError, UserFacingError):
    """No scheduler answered at the given address within the connect timeout."""


class SchedulerLost(RuntimeError, UserFacingError):
    """The scheduler went away during the batch; committed unit-years are listed."""


class WorkersOutOfDate(RuntimeError, UserFacingError):
    """Some workers run other code than the client; nothing was submitted."""


class ResultRejected(RuntimeError, SelfevalError):
    """A worker's result did not match its hashes, its key or our code version."""


class UnsafePath(ValueError, SelfevalError):
    """A relative path in a task's files would escape its folder."""


class ClusterSettingError(ValueError, UserFacingError):
    """A scheduler address or a cluster setting that cannot be used; said before connecting."""


class SchedulerUnresponsive(RuntimeError, UserFacingError):
    """The scheduler stopped answering during the batch (frozen, or its host unreachable)."""


class NoWorkers(RuntimeError, UserFacingError):
    """The scheduler had no worker for the cluster timeout; lost tasks are named."""
