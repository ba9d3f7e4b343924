"""03 报告's preview: the report in the notebook as it will print, and where its files went.

JupyterLab shows 03's HTML parts in its own styles (they become report.html). The preview puts
the same parts in a frame styled by report.html's own stylesheet with its print rules applied
on screen (the 审核底稿 layer hidden, print sizes, no screen-only switch) on an A4 sheet's width
and margins, so the analyst reads the 报送稿 as the printer will lay it out (page breaks aside).
The frame is a notebook's *result*, not a displayed part, so report.html never contains it.
"""

from __future__ import annotations

import html as html_module
from pathlib import Path

from selfeval import config
from selfeval.present import html
from selfeval.present.document import Document

REPORT_CSS = config.TEMPLATES_DIR / "nbconvert" / "report.css"
#: An A4 sheet on screen, with the report's page margins (report.css's @page rule).
SHEET_CSS = (
    "html { background: #e8e8e8; }"
    "body { width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 37mm 26mm 35mm 28mm;"
    " background: #fff; box-shadow: 0 0 4px rgba(0,0,0,.3); }"
)


def print_rules(css: str) -> str:
    """The rules inside every ``@media print { … }`` block of `css`, unwrapped, in order."""
    out = []
    start = css.find("@media print")
    while start != -1:
        open_at = css.index("{", start)
        depth, i = 1, open_at + 1
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        out.append(css[open_at + 1 : i - 1])
        start = css.find("@media print", i)
    return "\n".join(out)


class PrintPreview:
    """The report page in an iframe (srcdoc: self-contained, no script, nothing fetched)."""

    def __init__(self, document: Document, height_px: int = 900) -> None:
        css = REPORT_CSS.read_text(encoding="utf-8")
        body = "\n".join(html.parts(document))
        self.page = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html_module.escape(document.plain_title)}</title>"
            f"<style>{css}</style><style>{print_rules(css)}\n{SHEET_CSS}</style></head>"
            f'<body><main class="report">{body}</main></body></html>'
        )
        self.height_px = height_px

    def _repr_html_(self) -> str:
        return (
            f'<iframe title="打印预览" srcdoc="{html_module.escape(self.page, quote=True)}"'
            f' style="width: 100%; min-width: 230mm; height: {self.height_px}px;'
            ' border: 1px solid #bbb;"></iframe>'
        )

    def __repr__(self) -> str:
        return "（打印预览：在 JupyterLab 中显示）"


def files_line(output_dir: Path) -> str:
    """The notebook's last line: where the files it wrote are, and who makes the others."""
    return (
        f"报告文件在 {Path(output_dir)}：report.docx（报送稿）、review.docx（审核底稿）、"
        "自评表.xlsx（绩效自评表）；"
        "report.html 与 report.pdf 由 make report 生成。"
    )
