"""Low-level WordprocessingML helpers for what python-docx 1.2 has no API for.

- East Asian font names: `Font.name` writes only `w:ascii`/`w:hAnsi`; CJK text is drawn with
  `w:eastAsia`. A `w:*Theme` attribute beside it wins over the explicit name (ECMA-376
  §17.3.2.26), and python-docx's default template puts `w:eastAsiaTheme="minorEastAsia"` on the
  docDefaults, so the theme attributes are removed wherever a font is set.
- Table row properties `w:cantSplit` and `w:tblHeader`, cell margins, fixed layout.
- Fields (PAGE) as fldChar begin/instrText/separate/result/end runs.

Element order inside property containers matters to Word (it refuses files whose children are
out of schema order), so every insert names its successors.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from selfeval.present.style import FontSpec

THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

# Schema order of the children of w:rPr (CT_RPr), w:trPr (CT_TrPr) and w:tblPr (CT_TblPr).
_RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
_TRPR_ORDER = (
    "w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter",
    "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
)  # fmt: skip
_TBLPR_ORDER = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
)  # fmt: skip


# Children of w:pPr (CT_PPrBase, then CT_PPr) that follow w:keepNext in schema order.
_PPR_AFTER_KEEP_NEXT = (
    "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
    "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def _set_child(parent: BaseOxmlElement, tag: str, order: tuple[str, ...]) -> BaseOxmlElement:
    """The child `tag` of `parent`, created at its schema position if absent."""
    existing = parent.find(qn(tag))
    if existing is not None:
        return existing
    child = OxmlElement(tag)
    later = {qn(t) for t in order[order.index(tag) + 1 :]}
    for i, sibling in enumerate(parent):
        if sibling.tag in later:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def set_rpr_fonts(rpr: BaseOxmlElement, spec: FontSpec) -> None:
    """Give a `w:rPr` explicit Latin and East Asian faces, size and weight; drop theme fonts."""
    rfonts = _set_child(rpr, "w:rFonts", _RPR_ORDER)
    for attr in THEME_FONT_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), spec.latin)
    rfonts.set(qn("w:hAnsi"), spec.latin)
    rfonts.set(qn("w:cs"), spec.latin)
    rfonts.set(qn("w:eastAsia"), spec.east_asia)
    # Ambiguous characters (“”、—、…) are drawn with the East Asian face.
    rfonts.set(qn("w:hint"), "eastAsia")
    for tag in ("w:b", "w:bCs"):
        if spec.bold:
            _set_child(rpr, tag, _RPR_ORDER).attrib.pop(qn("w:val"), None)
        else:
            element = _set_child(rpr, tag, _RPR_ORDER)
            element.set(qn("w:val"), "0")
    half_points = str(round(spec.size_pt * 2))
    for tag in ("w:sz", "w:szCs"):
        _set_child(rpr, tag, _RPR_ORDER).set(qn("w:val"), half_points)


def set_rpr_color(rpr: BaseOxmlElement, rgb: str = "000000") -> None:
    """Plain black text (the default heading styles are blue); drops theme colours."""
    color = _set_child(rpr, "w:color", _RPR_ORDER)
    color.attrib.clear()
    color.set(qn("w:val"), rgb)


def set_rpr_lang(rpr: BaseOxmlElement, latin: str = "en-US", east_asia: str = "zh-CN") -> None:
    """Language tags: proofing and font selection treat East Asian text as Simplified Chinese."""
    lang = _set_child(rpr, "w:lang", _RPR_ORDER)
    lang.set(qn("w:val"), latin)
    lang.set(qn("w:eastAsia"), east_asia)
    lang.set(qn("w:bidi"), "ar-SA")


def remove_children(parent: BaseOxmlElement, tags: Iterable[str]) -> None:
    for tag in tags:
        for child in parent.findall(qn(tag)):
            parent.remove(child)


def set_first_line_chars(ppr: BaseOxmlElement, chars: int, size_pt: float) -> None:
    """First-line indent of `chars` characters (w:firstLineChars, plus twips for other readers)."""
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.insert_element_before(
            ind, "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
            "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
            "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
        )  # fmt: skip
    for attr in ("w:hanging", "w:hangingChars"):
        ind.attrib.pop(qn(attr), None)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * size_pt * 20)))


def set_outline_level(ppr: BaseOxmlElement, level: int | None) -> None:
    """w:outlineLvl (0 = level 1) for navigation pane, TOC and PDF bookmarks; None removes it."""
    remove_children(ppr, ["w:outlineLvl"])
    if level is None:
        return
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    ppr.insert_element_before(element, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


# ---------------------------------------------------------------------------------------------
# Tables


def set_row_flags(tr: BaseOxmlElement, *, header: bool, cant_split: bool = True) -> None:
    """`w:cantSplit` keeps a row on one page; `w:tblHeader` repeats it at the top of each page.

    Word repeats only a contiguous run of header rows starting at the table's first row.
    """
    trpr = tr.get_or_add_trPr()
    if cant_split:
        _set_child(trpr, "w:cantSplit", _TRPR_ORDER)
    if header:
        _set_child(trpr, "w:tblHeader", _TRPR_ORDER)


def keep_row_with_next(tr: BaseOxmlElement) -> None:
    """Keep a table row on the page of the next row: Word has no row property for it, it keeps
    a row with the next when every paragraph of the row has `w:keepNext` (LibreOffice reads
    the same from a .docx)."""
    for p in tr.iter(qn("w:p")):
        ppr = p.get_or_add_pPr()
        if ppr.find(qn("w:keepNext")) is None:
            ppr.insert_element_before(OxmlElement("w:keepNext"), *_PPR_AFTER_KEEP_NEXT)


def set_table_layout(tbl: BaseOxmlElement, width_twips: int, grid_twips: list[int]) -> None:
    """Fixed layout at an exact width, with the grid columns Word and LibreOffice both read."""
    tblpr = tbl.tblPr
    tblw = _set_child(tblpr, "w:tblW", _TBLPR_ORDER)
    tblw.set(qn("w:w"), str(width_twips))
    tblw.set(qn("w:type"), "dxa")
    _set_child(tblpr, "w:tblLayout", _TBLPR_ORDER).set(qn("w:type"), "fixed")
    grid = tbl.tblGrid
    for grid_col, twips in zip(grid.gridCol_lst, grid_twips, strict=True):
        grid_col.set(qn("w:w"), str(twips))


def set_cell_margins(tbl: BaseOxmlElement, left_right_pt: float, top_bottom_pt: float) -> None:
    """Default cell padding of a table (w:tblCellMar)."""
    mar = _set_child(tbl.tblPr, "w:tblCellMar", _TBLPR_ORDER)
    mar.clear()
    for side, value in (
        ("w:top", top_bottom_pt),
        ("w:left", left_right_pt),
        ("w:bottom", top_bottom_pt),
        ("w:right", left_right_pt),
    ):
        element = OxmlElement(side)
        element.set(qn("w:w"), str(round(value * 20)))
        element.set(qn("w:type"), "dxa")
        mar.append(element)


def set_table_caption(tbl: BaseOxmlElement, caption: str) -> None:
    """Alt text of a table (w:tblCaption), read by screen readers and tagged PDF."""
    _set_child(tbl.tblPr, "w:tblCaption", _TBLPR_ORDER).set(qn("w:val"), caption)


# ---------------------------------------------------------------------------------------------
# Fields


def add_field(paragraph, instruction: str, placeholder: str, rpr: BaseOxmlElement | None = None):
    """Append a complex field (e.g. ' PAGE ') to a python-docx paragraph.

    `placeholder` is the cached result shown until the field is updated; Word, WPS and
    LibreOffice recompute PAGE when laying out pages.
    """

    def run(child: BaseOxmlElement) -> None:
        r = OxmlElement("w:r")
        if rpr is not None:
            r.append(_copy(rpr))
        r.append(child)
        paragraph._p.append(r)

    def fld_char(kind: str) -> BaseOxmlElement:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    text = OxmlElement("w:t")
    text.text = placeholder
    run(fld_char("begin"))
    run(instr)
    run(fld_char("separate"))
    run(text)
    run(fld_char("end"))


def _copy(element: BaseOxmlElement) -> BaseOxmlElement:
    return deepcopy(element)


def pt_to_twips(value: float) -> int:
    return round(value * 20)
