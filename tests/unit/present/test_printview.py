"""03's print preview: the report's own stylesheet with its print rules applied on screen, in a
self-contained frame that report.html never holds."""

from __future__ import annotations

import datetime as dt
import html

from selfeval.present import printview
from selfeval.present.document import Document, Paragraph, Section

CSS = (
    "body { color: #111; }\n"
    "@media print { .draft-mark { display: none; } }\n"
    "@media (max-width: 480px) { body { font-size: 16px; } }\n"
    "@media print {\n  .review { display: none !important; }\n"
    "  h1, h2 { break-after: avoid; }\n}\n"
)


def test_print_rules_are_the_print_blocks_unwrapped():
    rules = printview.print_rules(CSS)
    assert " .draft-mark { display: none; } " in rules
    assert ".review { display: none !important; }" in rules
    assert "h1, h2 { break-after: avoid; }" in rules
    assert "font-size: 16px" not in rules and "#111" not in rules


def test_preview_is_one_self_contained_frame():
    doc = Document(
        title="2024年度测试馆部门整体支出绩效自评报告",
        sections=(
            Section(title="一、概况", anchor="s1", blocks=(Paragraph.of("正文<b>不是标记</b>。"),)),
        ),
        date=dt.date(2025, 3, 1),
    )
    frame = printview.PrintPreview(doc)._repr_html_()
    assert frame.startswith('<iframe title="打印预览" srcdoc="') and frame.endswith("</iframe>")
    page = html.unescape(frame.split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "正文&lt;b&gt;不是标记&lt;/b&gt;。" in page  # escaped once by the writer
    assert (
        ".review, .review-switch" in page.split("</style><style>", 1)[1]
    )  # print rules, on screen
    assert "width: 210mm" in page
    assert repr(printview.PrintPreview(doc)) == "（打印预览：在 JupyterLab 中显示）"


def test_files_line_names_the_folder_without_a_path_object(tmp_path):
    line = printview.files_line(tmp_path / "outputs" / "2024")
    assert line.startswith(f"报告文件在 {tmp_path}/outputs/2024：report.docx（报送稿）")
    assert "PosixPath" not in line
