"""Typographic conventions of Chinese official documents (GB/T 9704-2012 as the reference).

One place for the numbers both writers use. Font names are the ones Word and WPS on a Chinese
Windows know; `FALLBACKS` lists what to use when a font is missing (written into the docx font
table as `w:altName`, into CSS font-family lists, and mapped to installed fonts for
LibreOffice by `selfeval.run.pdf`'s private fontconfig).
"""

from __future__ import annotations

from dataclasses import dataclass

# Page: A4, margins of GB/T 9704 (版心 156 mm × 225 mm).
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 37.0
MARGIN_BOTTOM_MM = 35.0
MARGIN_LEFT_MM = 28.0
MARGIN_RIGHT_MM = 26.0
#: Distance of the footer's baseline area from the bottom edge: the page number sits about 7 mm
#: below the text block (版心下边缘之下 7 mm).
FOOTER_DISTANCE_MM = 23.0
HEADER_DISTANCE_MM = 15.0

# Font names (as Word/WPS spell them).
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEI = "黑体"
FONT_KAI = "楷体_GB2312"
FONT_SONG = "宋体"
FONT_LATIN = "Times New Roman"

#: Missing font → what to use instead, best first (Windows names, then free fonts).
FALLBACKS: dict[str, tuple[str, ...]] = {
    FONT_TITLE: ("黑体", "SimHei", "Noto Serif CJK SC"),
    FONT_BODY: ("仿宋", "FangSong", "Noto Serif CJK SC"),
    FONT_HEI: ("SimHei", "Noto Sans CJK SC"),
    FONT_KAI: ("楷体", "KaiTi", "Noto Serif CJK SC"),
    FONT_SONG: ("SimSun", "Noto Serif CJK SC"),
}

#: Windows family of each font for the docx font table (Word picks a substitute of that family).
FONT_FAMILY_CLASS: dict[str, str] = {
    FONT_TITLE: "script",
    FONT_BODY: "modern",
    FONT_HEI: "modern",
    FONT_KAI: "modern",
    FONT_SONG: "auto",
    FONT_LATIN: "roman",
}

# Sizes in points (号 → pt: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5).
SIZE_TITLE = 22.0
SIZE_BODY = 16.0
SIZE_HEADING = 16.0
SIZE_TABLE = 10.5
#: 小五: a wide table kept on a portrait page rather than a landscape page of its own.
SIZE_TABLE_SMALL = 9.0
SIZE_TABLE_CAPTION = 14.0
SIZE_NOTE = 12.0
SIZE_PAGE_NUMBER = 14.0

#: Fixed line pitch of body text (GB/T 9704: 22 lines of 28 characters per page).
LINE_BODY_PT = 28.0
LINE_TITLE_PT = 35.0
LINE_NOTE_PT = 20.0
#: Table text: single spacing would crowd Chinese; 1.2 lines of 10.5 pt reads well.
LINE_TABLE_PT = 15.0
LINE_TABLE_SMALL_PT = 13.0
#: Cell padding left/right in points (docx w:tblCellMar, CSS td padding).
CELL_PADDING_PT = 4.0
CELL_PADDING_SMALL_PT = 2.0


@dataclass(frozen=True)
class FontSpec:
    """East Asian face, Latin face, size in points, bold."""

    east_asia: str
    latin: str
    size_pt: float
    bold: bool = False


TITLE = FontSpec(FONT_TITLE, FONT_LATIN, SIZE_TITLE)
BODY = FontSpec(FONT_BODY, FONT_LATIN, SIZE_BODY)
HEADING1 = FontSpec(FONT_HEI, FONT_LATIN, SIZE_HEADING)
HEADING2 = FontSpec(FONT_KAI, FONT_LATIN, SIZE_HEADING)
HEADING3 = FontSpec(FONT_BODY, FONT_LATIN, SIZE_HEADING, bold=True)
TABLE_TEXT = FontSpec(FONT_BODY, FONT_LATIN, SIZE_TABLE)
TABLE_HEADER = FontSpec(FONT_HEI, FONT_LATIN, SIZE_TABLE)
TABLE_TEXT_SMALL = FontSpec(FONT_BODY, FONT_LATIN, SIZE_TABLE_SMALL)
TABLE_HEADER_SMALL = FontSpec(FONT_HEI, FONT_LATIN, SIZE_TABLE_SMALL)
TABLE_CAPTION = FontSpec(FONT_HEI, FONT_LATIN, SIZE_TABLE_CAPTION)
FIGURE_CAPTION = FontSpec(FONT_BODY, FONT_LATIN, SIZE_TABLE_CAPTION)
ATTACHMENT_MARK = FontSpec(FONT_HEI, FONT_LATIN, SIZE_BODY)
NOTE = FontSpec(FONT_BODY, FONT_LATIN, SIZE_NOTE)
COVER_FIELD = FontSpec(FONT_KAI, FONT_LATIN, SIZE_BODY)
PAGE_NUMBER = FontSpec(FONT_SONG, FONT_SONG, SIZE_PAGE_NUMBER)

#: 「— 1 —」: an em dash (一字线) on each side of the page number.
PAGE_NUMBER_DASH = "\u2014"


def text_width_mm(landscape: bool = False) -> float:
    """Width of the text block (版心) in millimetres."""
    width = PAGE_HEIGHT_MM if landscape else PAGE_WIDTH_MM
    return width - MARGIN_LEFT_MM - MARGIN_RIGHT_MM


def css_font_stack(name: str, generic: str = "serif") -> str:
    """A CSS font-family list for `name` with its fallbacks, quoted."""
    names = (name, *FALLBACKS.get(name, ()))
    return ", ".join(f'"{n}"' for n in names) + f", {generic}"
