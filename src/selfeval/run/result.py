"""What a batch ends with: its result (a plan per unit-year, the index's failure, the exit
status) and what the command line prints of it. Local and cluster batches end alike."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from selfeval.config import Roots
from selfeval.run.plan import FAILED, YearPlan, rel_path
from selfeval.run.progress import (
    draft_lines,
    pdf_failures,
    pdf_lines,
    summary_table,
    warning_lines,
)


@dataclass
class BatchResult:
    """Outcome of one batch: a plan per unit-year (status, time, error) and an index failure."""

    plans: list[YearPlan]
    index_error: str | None = None

    @property
    def exit_status(self) -> int:
        """0 when every year is built or unchanged, its PDF converted or LibreOffice absent,
        and the index was written; else 1."""
        failed = any(p.status == FAILED for p in self.plans)
        return 1 if failed or self.index_error or pdf_failures(self.plans) else 0


def finish(plans: list, roots: Roots, index: bool) -> BatchResult:
    """The batch's result, its plans in key order, after writing the index page (a failed index
    is said, not raised: the reports stand)."""
    result = BatchResult(sorted(plans, key=lambda p: p.key))
    if index:
        # here: the index page's modules are not needed by a batch asked for no index
        from selfeval.run.site import write_index_if_changed

        try:
            write_index_if_changed(roots)
        except Exception as exc:  # the reports stand; say the index failed
            result.index_error = f"{type(exc).__name__}: {exc}"
    return result


def print_result(result: BatchResult, roots: Roots, index: bool) -> None:
    """The summary table, each year's warnings, drafts and PDFs, and the index page."""
    print(summary_table(result.plans, roots))
    for line in warning_lines(result.plans, roots):
        print(line)
    for line in draft_lines(result.plans, roots):
        print(line)
    for line in pdf_lines(result.plans, roots):
        print(line)
    if result.index_error:
        print(f"索引页生成失败 / index page failed: {result.index_error}", file=sys.stderr)
    elif index:
        print(f"索引页 / index: {rel_path(roots.outputs / 'index.html')}")
