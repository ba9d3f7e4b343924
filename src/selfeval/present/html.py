"""The HTML writer: a `Document` as HTML fragments, one per part (cover, then each section).

03_report.ipynb displays each fragment as one output; `selfeval.run.notebooks.export_html`
wraps them with the offline nbconvert template and `report.css` (screen, mobile and print
rules) into `report.html`. Every text is escaped here, attributes included: no data reaches
the page unescaped, and nothing here reads data other than the document.

Markup is semantic and stable (the tests select on it): sections carry their anchors as ids,
`kind` of paragraphs, tables and rows becomes their class, numeric cells are `td.num`, header
cells `th scope="col"` (long ones `th.wrap` with a `min-width` so no column is narrower than
its header), row names `th scope="row"`. Figures are inline PNG data and are followed by their
data table.
"""

from __future__ import annotations

import base64
from html import escape

from selfeval.present.document import (
    Align,
    Document,
    Figure,
    Heading,
    Note,
    Numbering,
    PageBreak,
    Paragraph,
    ParagraphRole,
    Scope,
    Section,
    Table,
)
from selfeval.present.draft import DRAFT_LEAD, DRAFT_MARK
from selfeval.present.formats import NOT_GIVEN
from selfeval.present.layout import HEADER_NOWRAP_CHARS, header_min_em, text_em

#: The switch of the 审核底稿 layer: a checkbox the page's own CSS reads (`:has`), no script.
#: Unchecked, the page is the 报送稿; checked, every `.review` element (working notes, sources,
#: the 数据核对 appendix) shows. Print never shows either (report.css).
REVIEW_SWITCH = (
    '<div class="review-switch"><label><input type="checkbox" id="review-layer">'
    " 显示审核底稿（数据来源、核对结果与工作说明）</label></div>"
)


def _classes(*names: str) -> str:
    names = tuple(n for n in names if n)
    return f' class="{escape(" ".join(names))}"' if names else ""


def _id(anchor: str | None) -> str:
    return f' id="{escape(anchor)}"' if anchor else ""


def _lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


class _Writer:
    """Walks a document once, numbering tables and figures in document order."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.numbering = Numbering()
        self.break_before_next = False

    def parts(self) -> list[str]:
        out = [self.cover()]
        out += [self.section(s) for s in self.document.sections]
        return out

    # -- cover and contents -------------------------------------------------------------------

    def cover(self) -> str:
        doc = self.document
        out = [REVIEW_SWITCH] if self.has_review() else []
        if doc.draft:
            # Every printed page of a 草稿 says so in its header (the page's own @page rule).
            out.append(
                f'<style>@page {{ @top-center {{ content: "{DRAFT_MARK}"; '
                'font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; '
                "font-size: 12pt; }} }}</style>"
            )
            out.append(f'<p class="draft-mark">{escape(DRAFT_MARK)}</p>')
        out += ['<header class="cover">', f'<h1 class="cover-title">{_lines(doc.title)}</h1>']
        out += [
            f"<p{_classes('cover-field', 'review' if f.value == NOT_GIVEN else '')}>"
            f"{escape(f.line)}</p>"
            for f in doc.cover
        ]
        out.append("</header>")
        if doc.draft and doc.review_layer:
            out += ['<div class="review draft-items">', f"<p>{escape(DRAFT_LEAD)}</p>"]
            out += ["<ol>", *(f"<li>{escape(item)}</li>" for item in doc.draft), "</ol>", "</div>"]
        if doc.toc:
            out += ['<nav class="toc" aria-label="目录">', "<h2>目　录</h2>", "<ol>"]
            out += [
                f"<li{_classes('review' if s.review else '')}>"
                f'<a href="#{escape(s.anchor)}">{escape(s.entry)}</a></li>'
                for s in doc.sections
            ]
            out += ["</ol>", "</nav>"]
        return "\n".join(out) + "\n"

    def has_review(self) -> bool:
        """Whether the document has a 审核底稿 layer at all (else no switch is offered)."""
        doc = self.document
        return doc.review_layer and (bool(doc.draft) or doc.submitted().sections != doc.sections)

    # -- sections and blocks ------------------------------------------------------------------

    def _pending_break(self) -> str:
        if self.break_before_next:
            self.break_before_next = False
            return "page-break"
        return ""

    def section(self, section: Section) -> str:
        classes = _classes(
            "report-section",
            section.kind and f"section-{section.kind}",
            "landscape" if section.landscape else "",
            "review" if section.review else "",
            "attachment" if section.label else "",
        )
        out = [f"<section{_id(section.anchor)}{classes}>"]
        if section.label:  # 「附件1」 above the centred title (GB/T 9704-2012 7.5)
            out.append(f'<p class="attachment-mark">{escape(section.label)}</p>')
            out.append(f'<h2 class="attachment-title">{escape(section.title)}</h2>')
        else:
            out.append(f"<h2>{escape(section.title)}</h2>")
        for block in section.blocks:
            out.append(self.block(block))
        out.append("</section>")
        return "\n".join(o for o in out if o) + "\n"

    def block(self, block) -> str:
        match block:
            case Paragraph():
                role = "" if block.role is ParagraphRole.BODY else block.role.value
                classes = _classes(role, block.kind, self._pending_break())
                return f"<p{classes}>{self.runs(block)}</p>"
            case Heading():
                tag = f"h{block.level + 1}"
                classes = _classes(self._pending_break())
                return f"<{tag}{_id(block.anchor)}{classes}>{escape(block.text)}</{tag}>"
            case Note():
                return self.note(block, self._pending_break())
            case Table():
                return self.table(block, self.numbering.table(block))
            case Figure():
                return self.figure(block)
            case PageBreak():
                self.break_before_next = True
                return ""
            case _:
                raise TypeError(f"unknown block {type(block).__name__}")

    @staticmethod
    def note(note: Note, *extra: str) -> str:
        return (
            f"<p{_classes('note', 'review' if note.review else '', *extra)}>{escape(note.text)}</p>"
        )

    @staticmethod
    def runs(paragraph: Paragraph) -> str:
        parts = []
        for run in paragraph.runs:
            text = escape(run.text)
            if run.bold:
                text = f"<strong>{text}</strong>"
            if run.italic:
                text = f"<em>{text}</em>"
            if run.superscript:
                text = f"<sup>{text}</sup>"
            parts.append(text)
        return "".join(parts)

    def figure(self, figure: Figure) -> str:
        data = base64.b64encode(figure.png).decode("ascii")
        caption = self.numbering.figure(figure)
        out = [
            f"<figure{_id(figure.anchor)}{_classes('chart', self._pending_break())}>"
            f'<img src="data:image/png;base64,{data}" alt="{escape(figure.alt)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        ]
        if figure.data is not None:  # the 底稿's: shown with the review layer, never printed
            out.append(self.table(figure.data, self.numbering.figure_data(figure), "review"))
        return "\n".join(out)

    def table(self, table: Table, label: str, layer: str = "") -> str:
        wide = "wide" if table.wide else ""
        classes = _classes("table-wrap", wide, layer, self._pending_break())
        out = [
            f"<div{_id(table.anchor)}{classes}>",
            f"<table{_classes(table.kind)}>",
            f"<caption>{escape(label)}</caption>",
            "<colgroup>",
        ]
        total = sum(c.width for c in table.columns)
        out += [f'<col style="width: {100 * c.width / total:.2f}%">' for c in table.columns]
        out.append("</colgroup>")
        by_row: dict[int, list[str]] = {}
        for placed in table.grid():
            by_row.setdefault(placed.row, []).append(self.cell(table, placed))
        out.append("<thead>")
        out += [f"<tr>{''.join(by_row.get(r, []))}</tr>" for r in range(len(table.header))]
        out.append("</thead>")
        out.append("<tbody>")
        for r, row in enumerate(table.body, start=len(table.header)):
            classes = _classes(
                "total" if row.total else "", row.kind, "keep-next" if row.keep_with_next else ""
            )
            out.append(f"<tr{classes}>{''.join(by_row.get(r, []))}</tr>")
        out += ["</tbody>", "</table>"]
        out += [self.note(n) for n in table.notes]
        out.append("</div>")
        return "\n".join(out)

    @staticmethod
    def cell(table: Table, placed) -> str:
        cell = placed.cell
        attrs = ""
        if cell.colspan > 1:
            attrs += f' colspan="{cell.colspan}"'
        if cell.rowspan > 1:
            attrs += f' rowspan="{cell.rowspan}"'
        text = _lines(cell.text)
        if cell.text == NOT_GIVEN:
            # The 报送稿 leaves a cell the data lacks blank, as clerks do; the 底稿 says so.
            # (The 自评表's header rows hold data too: 主管部门 not given is such a cell.)
            text = f'<span class="review">{text}</span>'
        if placed.heading:
            classes = ""
            if cell.colspan == 1 and text_em(cell.text) > HEADER_NOWRAP_CHARS:
                classes = f' class="wrap" style="min-width: {header_min_em(cell.text):g}em"'
            elif cell.colspan > 1:  # the columns below set the width: 主管部门's name may wrap
                classes = ' class="wrap"'
            return f'<th scope="{cell.scope or Scope.COL}"{attrs}{classes}>{text}</th>'
        if cell.scope is Scope.ROW or (table.row_headers and placed.col == 0 and cell.colspan == 1):
            return f'<th scope="row"{attrs}>{text}</th>'
        align = cell.align or table.columns[placed.col].align
        classes = _classes(
            {Align.RIGHT: "num", Align.CENTER: "center"}.get(align, ""),
            "bold" if cell.bold else "",
        )
        return f"<td{attrs}{classes}>{text}</td>"


def parts(document: Document) -> list[str]:
    """The HTML of each part in order: the cover (with the contents), then every section."""
    return _Writer(document).parts()


def render_body(document: Document) -> str:
    """The whole report body as one HTML fragment (all parts in order)."""
    return "\n".join(parts(document))
