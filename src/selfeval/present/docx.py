"""The Word writer: a `Document` as .docx bytes in the layout of Chinese official documents.

GB/T 9704 conventions: A4, margins 37/35/28/26 mm, 方正小标宋 二号 title, 仿宋_GB2312 三号 body on
fixed 28 pt lines with a two-character indent, 黑体/楷体 headings, 「— 1 —」 page numbers
outside (odd right, even left), header rows repeated on every page and rows never split,
merged cells, landscape pages for landscape sections and wide tables.

Built on python-docx 1.2 and its bundled default template, which is adjusted in place: every
style this writer uses gets explicit East Asian and Latin faces (theme fonts removed),
docDefaults and Normal carry 仿宋_GB2312 三号 with 28 pt exact lines, the font table names a
fallback for each Chinese face (`w:altName`), the theme's East Asian language is zh-CN, and
the stale thumbnail and Word 2010 styles part of the template are dropped.

The result is byte-identical for the same model: core properties come from `Document.date`,
and the zip is rewritten by `normalize_zip` (fixed member order, timestamps and permissions).
Identical output also needs the same zlib, python-docx and lxml: they are pinned.

Writing the bytes to a file is the caller's (03 writes them atomically through
`selfeval.store.write_atomic`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph as DocxParagraph

from selfeval.present import ooxml, style
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
    Section,
    Table,
)
from selfeval.present.draft import DRAFT_LEAD, DRAFT_MARK
from selfeval.present.formats import NOT_GIVEN
from selfeval.present.layout import column_widths

_ALIGN = {
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
}

# Paragraph styles this writer defines: style name → (font, alignment, line pt, first-line chars).
_CUSTOM_STYLES: dict[str, tuple[style.FontSpec, WD_ALIGN_PARAGRAPH, float | None, int]] = {
    "Report Title": (style.TITLE, WD_ALIGN_PARAGRAPH.CENTER, style.LINE_TITLE_PT, 0),
    "Cover Field": (style.COVER_FIELD, WD_ALIGN_PARAGRAPH.CENTER, style.LINE_BODY_PT, 0),
    "Body No Indent": (style.BODY, WD_ALIGN_PARAGRAPH.JUSTIFY, style.LINE_BODY_PT, 0),
    "Body Center": (style.BODY, WD_ALIGN_PARAGRAPH.CENTER, style.LINE_BODY_PT, 0),
    "Signature": (style.BODY, WD_ALIGN_PARAGRAPH.RIGHT, style.LINE_BODY_PT, 0),
    "Report Note": (style.NOTE, WD_ALIGN_PARAGRAPH.JUSTIFY, style.LINE_NOTE_PT, 0),
    # 「附件1」 at the top left of an attachment's first page (GB/T 9704-2012 7.5: 3号黑体, 顶格).
    "Attachment Mark": (style.ATTACHMENT_MARK, WD_ALIGN_PARAGRAPH.LEFT, style.LINE_BODY_PT, 0),
    "Table Caption": (style.TABLE_CAPTION, WD_ALIGN_PARAGRAPH.CENTER, style.LINE_BODY_PT, 0),
    "Table Text": (style.TABLE_TEXT, WD_ALIGN_PARAGRAPH.LEFT, style.LINE_TABLE_PT, 0),
    "Table Header": (style.TABLE_HEADER, WD_ALIGN_PARAGRAPH.CENTER, style.LINE_TABLE_PT, 0),
    # A wide table kept on a portrait page (see `_portrait_widths`).
    "Table Text Small": (
        style.TABLE_TEXT_SMALL,
        WD_ALIGN_PARAGRAPH.LEFT,
        style.LINE_TABLE_SMALL_PT,
        0,
    ),
    "Table Header Small": (
        style.TABLE_HEADER_SMALL,
        WD_ALIGN_PARAGRAPH.CENTER,
        style.LINE_TABLE_SMALL_PT,
        0,
    ),
    # An inline picture in an exact-height line is clipped to that height: use single spacing.
    "Figure": (style.BODY, WD_ALIGN_PARAGRAPH.CENTER, None, 0),
    "Figure Caption": (style.FIGURE_CAPTION, WD_ALIGN_PARAGRAPH.CENTER, style.LINE_BODY_PT, 0),
    # Holds a section break after a table: 1 pt high so it never spills onto a page of its own.
    "Section Break": (
        style.FontSpec(style.FONT_BODY, style.FONT_LATIN, 1),
        WD_ALIGN_PARAGRAPH.LEFT,
        1.0,
        0,
    ),
}
_ROLE_STYLE = {
    ParagraphRole.BODY: "Normal",
    ParagraphRole.NOINDENT: "Body No Indent",
    ParagraphRole.NOTE: "Report Note",
    ParagraphRole.CENTER: "Body Center",
    ParagraphRole.SIGNATURE: "Signature",
}
#: A text column of a wide table kept on a portrait page is at least this many characters wide
#: (a 支出项目 or 说明 squeezed narrower would stack its words character by character).
MIN_TEXT_COLUMN_EM = 3.0


def _table_type(small: bool) -> tuple[float, float]:
    """Type size and left/right cell padding in points of a table (小五 and narrower padding for
    a wide table kept on a portrait page)."""
    if small:
        return style.SIZE_TABLE_SMALL, style.CELL_PADDING_SMALL_PT
    return style.SIZE_TABLE, style.CELL_PADDING_PT


def _portrait_widths(table: Table, *, small: bool) -> list[float] | None:
    """Column widths in points of `table` on a portrait page (in 小五 when `small`), or None when
    its numbers and headers do not fit there with every text column `MIN_TEXT_COLUMN_EM` wide."""
    size, padding = _table_type(small)
    total = style.text_width_mm(False) / 25.4 * 72
    try:
        widths = column_widths(table, total, size, padding)
    except ValueError:
        return None
    least = MIN_TEXT_COLUMN_EM * size + 2 * padding
    text = [w for w, c in zip(widths, table.columns, strict=True) if c.align is not Align.RIGHT]
    return widths if all(w >= least - 1e-6 for w in text) else None


_HEADINGS = {1: style.HEADING1, 2: style.HEADING2, 3: style.HEADING3}
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_BOOKMARK = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")

_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>selfeval</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    "</Properties>"
)


#: What marks a 审核底稿 note in review.docx (report.docx is written from
#: `Document.submitted()`, which has none).
REVIEW_MARK = "【审核】"


def _note_text(note: Note) -> str:
    return REVIEW_MARK + note.text if note.review else note.text


def build_docx(document: Document, *, page_numbers: str = "outside") -> bytes:
    """The .docx bytes of `document`.

    `page_numbers`: "outside" (GB/T 9704: odd pages right, even pages left, one character in
    from the edge) or "center".
    """
    if page_numbers not in ("outside", "center"):
        raise ValueError(f"page_numbers must be 'outside' or 'center', got {page_numbers!r}")
    return _Writer(document, page_numbers).build()


#: Word's core properties hold at most 255 characters (python-docx refuses more).
PROPERTY_LIMIT = 255


def _property(text: str) -> str:
    """A core property value cut to Word's limit (a unit name may be longer; the document's
    own title keeps it whole)."""
    return text if len(text) <= PROPERTY_LIMIT else text[: PROPERTY_LIMIT - 1] + "…"


class _Writer:
    def __init__(self, document: Document, page_numbers: str) -> None:
        self.model = document
        self.page_numbers = page_numbers
        self.doc = docx.Document()
        self.numbering = Numbering()
        self.landscape = False  # orientation of the docx section being written
        self.section_landscape = False  # orientation the model's current Section asks for
        self.compact_table = False  # the table being written is a wide one kept portrait
        self.break_before_next = False
        self.bookmark_id = 0
        self.style_ids: dict[str, str] | None = None

    # -- package -----------------------------------------------------------------------------

    def build(self) -> bytes:
        self._setup_package()
        self._setup_styles()
        self._setup_page(self.doc.sections[0], landscape=False)
        self._setup_footers(self.doc.sections[0])
        self._write_cover()
        for section in self.model.sections:
            self._write_section(section)
        self._drop_empty_first_paragraph()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return normalize_zip(buffer.getvalue())

    def _setup_package(self) -> None:
        package = self.doc.part.package
        # The template's thumbnail shows an empty page; its Word 2010 styles part is stale.
        for rels, reltype in (
            (package.rels, RT.THUMBNAIL),
            (self.doc.part.rels, _STYLES_WITH_EFFECTS),
        ):
            for rid in [rid for rid, rel in rels.items() if rel.reltype == reltype]:
                del rels[rid]
        for part in package.iter_parts():
            if part.partname == "/docProps/app.xml":
                part._blob = _APP_XML.encode("utf-8")
            elif part.partname == "/word/fontTable.xml":
                part._blob = _font_table_xml()

        props = self.doc.core_properties
        stamp = dt.datetime.combine(self.model.date, dt.time(0, 0), tzinfo=dt.UTC)
        props.title = _property(self.model.plain_title)
        props.subject = _property(self.model.subject)
        props.author = _property(self.model.author)
        props.keywords = _property("；".join(self.model.keywords))
        props.comments = ""
        props.category = ""
        props.language = "zh-CN"
        props.last_modified_by = _property(self.model.author)
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1

        settings = self.doc.settings.element
        lang = settings.find(qn("w:themeFontLang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
        for setting in settings.iter(qn("w:compatSetting")):
            if setting.get(qn("w:name")) == "compatibilityMode":
                setting.set(qn("w:val"), "15")  # Word 2013+ layout, no 兼容模式 banner
        if self.page_numbers == "outside":
            self.doc.settings.odd_and_even_pages_header_footer = True

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        root = styles.element
        # Theme fonts beat explicit names and point East Asian text at MS Mincho: remove them
        # from every style of the template, so whatever a user applies inherits docDefaults.
        for rfonts in root.iter(qn("w:rFonts")):
            for attr in ooxml.THEME_FONT_ATTRS:
                rfonts.attrib.pop(qn(attr), None)

        defaults = root.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        ooxml.set_rpr_fonts(rpr, style.BODY)
        ooxml.set_rpr_lang(rpr)
        spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.attrib.clear()
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")

        normal = styles["Normal"]
        self._style_fonts(normal, style.BODY)
        fmt = normal.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(style.LINE_BODY_PT)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.widow_control = True
        ooxml.set_first_line_chars(normal.element.get_or_add_pPr(), 2, style.SIZE_BODY)

        for level, spec in _HEADINGS.items():
            heading = styles[f"Heading {level}"]
            ooxml.remove_children(heading.element.get_or_add_rPr(), ["w:i", "w:iCs"])
            self._style_fonts(heading, spec)
            ooxml.set_rpr_color(heading.element.get_or_add_rPr())
            fmt = heading.paragraph_format
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(style.LINE_BODY_PT)
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(0)
            fmt.keep_with_next = True
            fmt.keep_together = True
            ppr = heading.element.get_or_add_pPr()
            ooxml.set_first_line_chars(ppr, 2, spec.size_pt)
            ooxml.set_outline_level(ppr, level - 1)

        for name, (spec, align, line, indent) in _CUSTOM_STYLES.items():
            custom = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            custom.base_style = normal
            custom.quick_style = True
            self._style_fonts(custom, spec)
            fmt = custom.paragraph_format
            fmt.alignment = align
            if line is None:
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            else:
                fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                fmt.line_spacing = Pt(line)
            ooxml.set_first_line_chars(custom.element.get_or_add_pPr(), indent, spec.size_pt)
        for name in ("Table Caption", "Figure", "Attachment Mark"):
            styles[name].paragraph_format.keep_with_next = True
        styles["Report Title"].paragraph_format.space_after = Pt(style.LINE_BODY_PT)

        footer = styles["Footer"]
        self._style_fonts(footer, style.PAGE_NUMBER)
        footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        ooxml.set_first_line_chars(footer.element.get_or_add_pPr(), 0, style.SIZE_PAGE_NUMBER)

    def _set_style(self, paragraph: DocxParagraph, name: str) -> None:
        """Apply a paragraph style by id. `Paragraph.style = name` costs a scan of all ~170
        template styles per call (python-docx looks up the default style each time), which
        made a 40-row table take a second."""
        if self.style_ids is None:
            self.style_ids = {s.name: s.style_id for s in self.doc.styles}
        p = paragraph._p
        if name != "Normal":
            p.get_or_add_pPr().style = self.style_ids[name]
        elif p.pPr is not None:
            p.pPr.style = None

    @staticmethod
    def _style_fonts(target, spec: style.FontSpec) -> None:
        ooxml.set_rpr_fonts(target.element.get_or_add_rPr(), spec)

    # -- page setup --------------------------------------------------------------------------

    @staticmethod
    def _setup_page(section, *, landscape: bool) -> None:
        short, long = Mm(style.PAGE_WIDTH_MM), Mm(style.PAGE_HEIGHT_MM)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = long, short
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = short, long
        section.top_margin = Mm(style.MARGIN_TOP_MM)
        section.bottom_margin = Mm(style.MARGIN_BOTTOM_MM)
        section.left_margin = Mm(style.MARGIN_LEFT_MM)
        section.right_margin = Mm(style.MARGIN_RIGHT_MM)
        section.header_distance = Mm(style.HEADER_DISTANCE_MM)
        section.footer_distance = Mm(style.FOOTER_DISTANCE_MM)
        section.gutter = Mm(0)

    def _setup_footers(self, section) -> None:
        """「— 1 —」 footers; later sections inherit them (no footer references of their own).

        A 草稿 also gets the header 「征求意见稿（数据未齐）」 on every page (odd, even, first)."""
        if self.model.draft:
            for header in (section.header, section.even_page_header, section.first_page_header):
                header.is_linked_to_previous = False
                mark = header.paragraphs[0]
                mark.style = "Header"
                mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
                mark.add_run(DRAFT_MARK)
        one_char = Pt(style.SIZE_PAGE_NUMBER)
        if self.page_numbers == "center":
            self._page_number(section.footer, WD_ALIGN_PARAGRAPH.CENTER)
            return
        odd = self._page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        odd.paragraph_format.right_indent = one_char
        even = self._page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
        even.paragraph_format.left_indent = one_char

    @staticmethod
    def _page_number(footer, align: WD_ALIGN_PARAGRAPH) -> DocxParagraph:
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = "Footer"
        paragraph.alignment = align
        dash = style.PAGE_NUMBER_DASH
        paragraph.add_run(f"{dash} ")
        ooxml.add_field(paragraph, " PAGE ", "1")
        paragraph.add_run(f" {dash}")
        return paragraph

    def _new_section(self, *, landscape: bool, restart_numbering: bool = False) -> None:
        """End the current section at the current position and start a new page."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._setup_page(section, landscape=landscape)
        section.different_first_page_header_footer = False
        if restart_numbering:
            pg = section._sectPr.find(qn("w:pgNumType"))
            if pg is None:
                pg = OxmlElement("w:pgNumType")
                section._sectPr.insert_element_before(
                    pg, "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
                    "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
                    "w:sectPrChange",
                )  # fmt: skip
            pg.set(qn("w:start"), "1")
        # python-docx put the break into a new empty paragraph. Move it into the paragraph
        # before (if that is a paragraph), so no empty 28 pt line can spill onto a page alone.
        body = self.doc.element.body
        holder = body[-2]
        previous = holder.getprevious()
        if (
            previous is not None
            and previous.tag == qn("w:p")
            and (previous.pPr is None or previous.pPr.sectPr is None)
        ):
            previous.get_or_add_pPr()._insert_sectPr(holder.pPr.sectPr)
            body.remove(holder)
        else:  # after a table (or at the very start): keep the paragraph, 1 pt high
            self._set_style(DocxParagraph(holder, self.doc._body), "Section Break")
        self.landscape = landscape

    def _orient(self, landscape: bool) -> None:
        """Continue on pages of the given orientation, breaking the section if it changes."""
        if landscape != self.landscape:
            self._new_section(landscape=landscape)

    # -- content -----------------------------------------------------------------------------

    def _paragraph(self, text: str = "", style_name: str = "Normal") -> DocxParagraph:
        paragraph = self.doc.add_paragraph(text)
        self._set_style(paragraph, style_name)
        if self.break_before_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_before_next = False
        return paragraph

    def _write_cover(self) -> None:
        title = self._paragraph(style_name="Report Title")
        for i, line in enumerate(self.model.title_lines):
            if i:
                title.runs[-1].add_break()
            title.add_run(line)
        for item in self.model.cover:
            if item.value != NOT_GIVEN or self.model.review_layer:
                self._paragraph(item.line, "Cover Field")
        if self.model.draft and self.model.review_layer:
            self._paragraph(REVIEW_MARK + DRAFT_LEAD, "Report Note")
            for n, item in enumerate(self.model.draft, 1):
                self._paragraph(f"{n}. {item}", "Report Note")
        if self.model.cover_page:
            first = self.doc.sections[0]
            first.different_first_page_header_footer = True
            self._new_section(landscape=False, restart_numbering=True)

    def _write_section(self, section: Section) -> None:
        self.section_landscape = section.landscape
        turned = section.landscape != self.landscape
        self._orient(section.landscape)
        if section.label:
            self._write_attachment_head(section, new_page=not turned)
        else:
            heading = self._paragraph(section.title, "Heading 1")
            self._bookmark(heading, section.anchor)
        for block in section.blocks:
            self._write_block(block)

    def _write_attachment_head(self, section: Section, *, new_page: bool) -> None:
        """An attachment begins a page (GB/T 9704-2012 7.5): 「附件1」 on the first line at the
        left, its title centred on the third, in the title's face; the title stays a level-1
        heading (navigation pane, PDF bookmarks)."""
        mark = self._paragraph(section.label, "Attachment Mark")
        mark.paragraph_format.page_break_before = new_page or None
        heading = self._paragraph(style_name="Heading 1")
        fmt = heading.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_before = Pt(style.LINE_BODY_PT)
        fmt.space_after = Pt(style.LINE_BODY_PT)
        fmt.line_spacing = Pt(style.LINE_TITLE_PT)
        ooxml.set_first_line_chars(heading._p.get_or_add_pPr(), 0, style.SIZE_TITLE)
        run = heading.add_run(section.title)
        ooxml.set_rpr_fonts(run._r.get_or_add_rPr(), style.TITLE)
        self._bookmark(heading, section.anchor)

    def _write_block(self, block) -> None:
        # A wide table in a portrait section is set in 小五 on the portrait page when it fits
        # there (a section switch would leave the page before it half empty); only one that
        # does not fit gets landscape pages of its own.
        wide = isinstance(block, Table) and block.wide and not self.section_landscape
        compact = wide and _portrait_widths(block, small=True) is not None
        self._orient(self.section_landscape or (wide and not compact))
        self.compact_table = compact
        match block:
            case Paragraph():
                paragraph = self._paragraph(style_name=_ROLE_STYLE[block.role])
                for run in block.runs:
                    r = paragraph.add_run(run.text)
                    r.bold = run.bold or None
                    r.italic = run.italic or None
                    r.font.superscript = run.superscript or None
            case Heading():
                paragraph = self._paragraph(block.text, f"Heading {block.level}")
                self._bookmark(paragraph, block.anchor)
            case Note():
                self._paragraph(_note_text(block), "Report Note")
            case Table():
                self._write_table(block, self.numbering.table(block))
            case Figure():
                self._write_figure(block)
            case PageBreak():
                self.break_before_next = True
            case _:
                raise TypeError(f"unknown block {type(block).__name__}")

    def _bookmark(self, paragraph: DocxParagraph, name: str | None) -> None:
        """A bookmark around the paragraph's text, for cross references and PDF links."""
        if not name or not _BOOKMARK.match(name):
            return
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmark_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmark_id))
        self.bookmark_id += 1
        p = paragraph._p
        p.insert(1 if p.pPr is not None else 0, start)
        p.append(end)

    def _write_figure(self, figure: Figure) -> None:
        width = min(figure.width_mm, style.text_width_mm(self.landscape))
        holder = self._paragraph(style_name="Figure")
        shape = holder.add_run().add_picture(io.BytesIO(figure.png), width=Mm(width))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", figure.alt)
        doc_pr.set("title", figure.caption)
        self._paragraph(self.numbering.figure(figure), "Figure Caption")
        if figure.data is not None:  # only in the 审核底稿 (`Document.submitted` drops it)
            self._write_table(figure.data, REVIEW_MARK + self.numbering.figure_data(figure))

    def _write_table(self, table: Table, label: str) -> None:
        self._paragraph(label, "Table Caption")
        small = self.compact_table and table.wide
        total_pt = style.text_width_mm(self.landscape) / 25.4 * 72
        size, padding = _table_type(small)
        widths_pt = column_widths(table, total_pt, size, padding)
        widths = [ooxml.pt_to_twips(w) for w in widths_pt]
        widths[-1] += ooxml.pt_to_twips(total_pt) - sum(widths)  # rounding rest to the last

        rows = table.rows
        grid = table.grid()
        t = self.doc.add_table(rows=len(rows), cols=len(table.columns))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        ooxml.set_table_layout(t._tbl, sum(widths), widths)
        ooxml.set_cell_margins(t._tbl, padding, 1.0)
        ooxml.set_table_caption(t._tbl, label)
        for row in t.rows:
            for cell, twips in zip(row.cells, widths, strict=True):
                cell.width = Twips(twips)
        # Cell objects taken once: Table.cell() re-walks the whole table on every call. Spans
        # never overlap, so merging one leaves the others' corner cells in place.
        before = [row.cells for row in t.rows]
        for placed in grid:
            cell = placed.cell
            if cell.rowspan > 1 or cell.colspan > 1:
                last = before[placed.row + cell.rowspan - 1][placed.col + cell.colspan - 1]
                before[placed.row][placed.col].merge(last)

        cells = [row.cells for row in t.rows]
        for placed in grid:
            target = cells[placed.row][placed.col]
            target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            if placed.heading:
                style_name, align = "Table Header", Align.CENTER
            else:
                style_name = "Table Text"
                align = placed.cell.align or table.columns[placed.col].align
            style_name += " Small" if small else ""
            bold = placed.cell.bold or (not placed.header and rows[placed.row].total)
            for i, line in enumerate(self._cell_text(placed).split("\n")):
                paragraph = target.paragraphs[0] if i == 0 else target.add_paragraph()
                self._set_style(paragraph, style_name)
                paragraph.alignment = _ALIGN[align]
                run = paragraph.add_run(line)
                if bold:
                    run.bold = True
        for index, (row, model_row) in enumerate(zip(t.rows, rows, strict=True)):
            ooxml.set_row_flags(row._tr, header=index < len(table.header))
            if model_row.keep_with_next:
                ooxml.keep_row_with_next(row._tr)
        for note in table.notes:
            self._paragraph(_note_text(note), "Report Note")

    def _cell_text(self, placed) -> str:
        """A cell the data lacks is blank in the 报送稿 (as clerks leave it), 未填报 in the
        审核底稿 (the 自评表's header rows hold data too: 主管部门 not given is such a cell)."""
        text = placed.cell.text
        if text == NOT_GIVEN and not self.model.review_layer:
            return ""
        return text

    def _drop_empty_first_paragraph(self) -> None:
        """The template starts with one empty paragraph; remove it if it is still empty."""
        body = self.doc.element.body
        first = body[0]
        if first.tag == qn("w:p") and not first.xpath(".//w:t") and first.pPr is None:
            body.remove(first)


def _font_table_xml() -> bytes:
    """word/fontTable.xml naming every face used, with fallbacks and the GB2312 charset."""
    fonts = []
    for name in (style.FONT_LATIN, *style.FALLBACKS):
        alt = ",".join(style.FALLBACKS.get(name, ()))
        charset = "00" if name == style.FONT_LATIN else "86"  # 0x86 = GB2312_CHARSET
        family = style.FONT_FAMILY_CLASS.get(name, "auto")
        fonts.append(
            f'<w:font w:name="{name}">'
            + (f'<w:altName w:val="{alt}"/>' if alt else "")
            + f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
            '<w:pitch w:val="variable"/></w:font>'
        )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + "".join(fonts)
        + "</w:fonts>"
    ).encode("utf-8")


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_STORED_SUFFIXES = (".png", ".jpeg", ".jpg", ".gif", ".emf", ".wmf")


def _zip_order(name: str) -> tuple[int, str]:
    if name == "[Content_Types].xml":
        return (0, name)
    if name.startswith("_rels/"):
        return (1, name)
    return (2, name)


def normalize_zip(data: bytes) -> bytes:
    """The same OPC package with deterministic metadata and member order.

    python-docx writes each zip member with the current local time and in its own traversal
    order. This rewrites the archive: [Content_Types].xml first (as OPC readers expect), then
    by name, the zip epoch as every timestamp, fixed permission bits and creator system, XML
    deflated, already-compressed media stored.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", allowZip64=False) as dst,
    ):
        for name in sorted(src.namelist(), key=_zip_order):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix; ZipInfo's default depends on the running platform
            info.external_attr = 0o100644 << 16
            stored = name.lower().endswith(_STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name), compresslevel=None if stored else 6)
    return out.getvalue()
