"""What a batch prints: a tqdm bar on a terminal (plain lines otherwise), the summary table of
unit-years, the warnings of each built year, and what became of each year's PDF."""

from __future__ import annotations

import shutil
import sys

from selfeval.config import Roots
from selfeval.present.draft import DRAFT_MARK, MISSING_TEXT
from selfeval.run.plan import BUILT, FAILED, FAILED_DIR, N_STAGES, STATUS_ZH, YearPlan, rel_path
from selfeval.store import load_json


class Progress:
    """tqdm bar on a terminal, plain one-line messages otherwise."""

    def __init__(self, total_years: int, tty: bool | None = None) -> None:
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.bar = None
        self.current: dict[int, str] = {}
        if self.tty and total_years:
            from tqdm import tqdm  # a terminal only: no bar, no import (the no-op path)

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked
            self.bar = tqdm(
                total=total_years * N_STAGES,
                unit="步",
                desc="生成报告",
                leave=True,
                ncols=shutil.get_terminal_size((100, 20)).columns,  # a 0-column pty shows nothing
            )

    def stage(self, year: object, stage: str, index: int) -> None:
        if self.bar is not None:
            if index:
                self.bar.update(1)
            self.current[year] = stage
            self._postfix()
        else:
            print(f"[{year}] 开始 {stage} / stage {index + 1}/{N_STAGES}", flush=True)

    def finished(self, plan: YearPlan) -> None:
        if self.bar is not None:
            self.bar.update(max(0, N_STAGES - plan.stages_seen + 1) if plan.stages_seen else 0)
            self.current.pop(plan.key, None)
            self._postfix()
            self.bar.write(_one_line(plan))
        else:
            print(_one_line(plan), flush=True)

    def _postfix(self) -> None:
        self.bar.set_postfix_str(" ".join(f"{k}:{s}" for k, s in sorted(self.current.items())))

    def skipped(self) -> None:
        """A year counted as possibly rebuilt turned out unchanged."""
        if self.bar is not None:
            self.bar.update(N_STAGES)

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text)
        else:
            print(text, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _one_line(plan: YearPlan) -> str:
    text = f"[{plan.key}] {STATUS_ZH[plan.status]} {plan.status} ({plan.seconds:.1f}s)"
    if plan.error:
        text += f": {plan.error}"
    return text


def missing_items(plan: YearPlan, roots: Roots) -> list[str]:
    """What a built year's 报送稿 lacks (summary.json's `missing`), in plain Chinese; a year
    with any is a 草稿, not a report ready to send."""
    if plan.status == FAILED:
        return []
    summary = load_json(roots.processed / plan.key.rel / "summary.json") or {}
    return [MISSING_TEXT.get(item, item) for item in summary.get("missing") or []]


def _status(plan: YearPlan, roots: Roots) -> str:
    label = f"{STATUS_ZH[plan.status]} {plan.status}"
    if not missing_items(plan, roots):
        return label
    return "草稿 draft" if plan.status == BUILT else f"{label}（草稿 draft）"


def draft_lines(plans: list[YearPlan], roots: Roots) -> list[str]:
    """One line per 草稿: what its 报送稿 lacks."""
    lines = []
    for plan in plans:
        items = missing_items(plan, roots)
        if items:
            lines.append(
                f"[{plan.key}] 草稿（{DRAFT_MARK}），报送稿尚缺：{'；'.join(items)}"
                " / draft: the report lacks required items"
            )
    return lines


def summary_table(plans: list[YearPlan], roots: Roots) -> str:
    """The end-of-batch table: year, status, time, output path, first error line.

    A failure that kept nothing (no notebook ran: a missing or refused raw folder) shows no
    path rather than a failed/ folder that does not exist.
    """
    rows = [("年度 year", "状态 status", "用时 time", "输出 output", "错误 error")]
    for plan in plans:
        out = roots.outputs / plan.key.rel
        path = out / FAILED_DIR if plan.status == FAILED else out / "report.html"
        rows.append(
            (
                str(plan.key),
                _status(plan, roots),
                f"{plan.seconds:.1f}s",
                rel_path(path) if path.exists() else "—",
                plan.error.splitlines()[0] if plan.error else "",
            )
        )
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def warning_lines(plans: list[YearPlan], roots: Roots) -> list[str]:
    """Warnings of each year that has a report (cleaning notes, missing deviation causes)."""
    lines = []
    for plan in plans:
        if plan.status == FAILED:
            continue
        summary = load_json(roots.processed / plan.key.rel / "summary.json") or {}
        lines += [f"[{plan.key}] 警告 / warning: {w}" for w in summary.get("warnings") or []]
    return lines


def pdf_failures(plans: list[YearPlan]) -> list[YearPlan]:
    """Built years whose PDF conversion failed although LibreOffice is installed."""
    return [p for p in plans if p.status == BUILT and (p.result or {}).get("pdf") == "failed"]


def pdf_lines(plans: list[YearPlan], roots: Roots) -> list[str]:
    """A line per failed conversion, and how to get the PDFs a year has not got."""
    from selfeval.run import pdf  # here: the no-op path need not import it (and docx styles)

    lines = [
        f"[{p.key}] PDF 转换失败，未生成 PDF（report.html 与 report.docx 已生成；运行 make pdf"
        f" 重试）/ PDF not made, `make pdf` retries: {(p.result or {}).get('pdf_error', '')}"
        for p in pdf_failures(plans)
    ]
    failed = {p.key for p in pdf_failures(plans)}
    without = [
        p.key
        for p in plans
        if p.status != FAILED
        and p.key not in failed
        and (roots.outputs / p.key.rel / "report.docx").is_file()
        and not (roots.outputs / p.key.rel / "report.pdf").is_file()
    ]
    if without:
        years = "、".join(str(y) for y in without)
        if pdf.find_soffice() is None:
            lines.append(f"{years} 年度没有 PDF：{pdf.INSTALL_HINT}")
        else:
            lines.append(f"{years} 年度还没有 PDF：运行 make pdf 生成 / run `make pdf`")
    return lines + pdf_font_lines(plans)


def pdf_font_lines(plans: list[YearPlan]) -> list[str]:
    """The fallback faces the PDFs of this run were set in: one line when every year's is the
    same (one machine converted them all), else one per year."""
    notes = {
        p.key: (p.result or {}).get("pdf_fonts") or ""
        for p in plans
        if p.status == BUILT and (p.result or {}).get("pdf") == "made"
    }
    if len(set(notes.values())) == 1:
        return [note for note in set(notes.values()) if note]
    return [f"[{key}] {note}" for key, note in notes.items() if note]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
