"""Format-neutral document model of a 绩效自评报告: plain frozen dataclasses, no HTML, no docx.

The report of a year is built once into this model (`selfeval.present.build`), and each format
has one writer that walks the same tree (`selfeval.present.html`, `selfeval.present.docx`), so
the web page, the Word file and the PDF made from it state the same facts. Numbers arrive
already formatted as strings ("69.78万元"); nothing here computes or formats a figure.

`kind` on paragraphs and tables names what a block *is* (an event listing, the 同比 table), not
how it looks: the HTML writer turns it into a class for styling and for the tests' selectors,
the docx writer ignores it.

Tables follow HTML's rule for spans: a row lists only the cells that *start* in it; the grid
positions covered by a cell with `rowspan`/`colspan` above or to the left are omitted.
`Table.grid()` resolves that into explicit positions and is shared by every writer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeAlias


class Align(StrEnum):
    """Horizontal alignment of a column or cell."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Scope(StrEnum):
    """What a header cell (HTML `th scope=…`) labels: a column, a row or a group of them.

    Header rows label columns by position; a cell inside the body says it is a label itself,
    as a form's cells do (the 绩效自评表's 「一级指标」 row halfway down, 「年度资金总额」, the
    block label 「绩效指标」 beside its rows).
    """

    COL = "col"
    ROW = "row"
    COLGROUP = "colgroup"
    ROWGROUP = "rowgroup"


class ParagraphRole(StrEnum):
    """What a paragraph is for; each writer maps a role to one style."""

    BODY = "body"  # 正文: 仿宋 三号, 28 pt lines, two-character first-line indent
    NOINDENT = "noindent"  # 正文 without the indent (e.g. a line after a list)
    NOTE = "note"  # 注释、资料来源: smaller, no indent
    CENTER = "center"  # a centred line of body text
    SIGNATURE = "signature"  # 落款: right-aligned


@dataclass(frozen=True)
class Run:
    """A stretch of text with one set of character properties."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of runs."""

    runs: tuple[Run, ...]
    role: ParagraphRole = ParagraphRole.BODY
    kind: str = ""  # what the paragraph is: "event", "totals", "deviation", …

    @classmethod
    def of(cls, text: str, role: ParagraphRole = ParagraphRole.BODY, kind: str = "") -> Paragraph:
        """A paragraph of one plain run."""
        return cls((Run(text),), role, kind)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Heading:
    """A heading inside a section: level 2 is 「（一）…」(楷体), level 3 is 「1.…」(仿宋 bold).

    Level 1 headings are the sections' own titles (`Section.title`).
    """

    level: int
    text: str
    anchor: str | None = None

    def __post_init__(self) -> None:
        if not 2 <= self.level <= 3:
            raise ValueError(f"heading level must be 2 or 3 inside a section, got {self.level}")


@dataclass(frozen=True)
class Note:
    """A note printed small under a table, a figure or a paragraph, e.g. 「注：…」.

    `review=True` makes it part of the 审核底稿 only (a working note, a counting rule, where a
    figure comes from): the 报送稿 a unit submits never carries it (`Document.submitted`).
    """

    text: str
    review: bool = False


@dataclass(frozen=True)
class Cell:
    """One table cell; `rowspan`/`colspan` > 1 merge it with its neighbours (HTML semantics)."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    align: Align | None = None  # None: the column's alignment (header cells: centred)
    bold: bool = False
    scope: Scope | None = None  # a label in the body (th); None: a data cell, or by position

    def __post_init__(self) -> None:
        if self.colspan < 1 or self.rowspan < 1:
            raise ValueError(f"spans must be >= 1: {self!r}")


@dataclass(frozen=True)
class Row:
    """A table row; `total` marks a 合计 row (bold).

    `keep_with_next` keeps the row on the page of the row after it: the rows of a group one
    merged cell labels (the 自评表's 二级指标) stay on one page, so no page break cuts the
    label off its rows or through its text. Every row is kept whole on its page anyway.
    """

    cells: tuple[Cell, ...]
    total: bool = False
    kind: str = ""  # what the row is: "subtotal", "check-warn", "not-met", …
    keep_with_next: bool = False

    @classmethod
    def of(cls, *texts: str, total: bool = False, kind: str = "") -> Row:
        """A row of plain one-by-one cells."""
        return cls(tuple(Cell(t) for t in texts), total=total, kind=kind)


@dataclass(frozen=True)
class Column:
    """A table column: alignment and relative width (weights are scaled to the text width)."""

    align: Align = Align.LEFT
    width: float = 1.0
    #: The narrowest the column may be, in characters of the table's text (its padding aside):
    #: a form's label column that must hold 「服务对象满意度指标」 on one line.
    min_em: float = 0.0

    @classmethod
    def numeric(cls, width: float = 1.0) -> Column:
        """A right-aligned column of formatted numbers."""
        return cls(Align.RIGHT, width)


@dataclass(frozen=True)
class Placed:
    """A cell at its resolved grid position (`Table.grid()`)."""

    row: int
    col: int
    cell: Cell
    header: bool  # in one of the table's header rows (repeated on every page)

    @property
    def heading(self) -> bool:
        """A column or group heading, set as a header (centred, 黑体): every cell of a header
        row, and a body cell labelling columns or a block of rows. Row labels are set as text."""
        return self.header or self.cell.scope in (Scope.COL, Scope.COLGROUP, Scope.ROWGROUP)


@dataclass(frozen=True)
class Table:
    """A table with a caption (numbered 表N by the writers) and one or more header rows.

    `wide` asks for more room: in a portrait section the docx writer sets it in 小五 on the
    portrait page when it fits there, else on landscape pages of its own; the HTML writer lets it
    use the whole printable width.
    """

    caption: str
    columns: tuple[Column, ...]
    header: tuple[Row, ...]
    body: tuple[Row, ...]
    wide: bool = False
    notes: tuple[Note, ...] = ()
    anchor: str | None = None
    numbered: bool = True  # False for a figure's data table, which is labelled after its figure
    kind: str = ""  # what the table is: "spending", "yoy", "reconciliation", …
    row_headers: bool = False  # the first cell of each body row names the row (th scope=row)

    def __post_init__(self) -> None:
        self.grid()  # validates spans against the column count

    @property
    def header_texts(self) -> tuple[str, ...]:
        """Texts of the header cells, row by row."""
        return tuple(cell.text for row in self.header for cell in row.cells)

    @property
    def rows(self) -> tuple[Row, ...]:
        return self.header + self.body

    def grid(self) -> tuple[Placed, ...]:
        """Every cell with its (row, col) position; raises ValueError on a malformed table."""
        ncols = len(self.columns)
        nrows = len(self.rows)
        taken: set[tuple[int, int]] = set()
        placed: list[Placed] = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row.cells:
                while (r, c) in taken:
                    c += 1
                if c + cell.colspan > ncols or r + cell.rowspan > nrows:
                    raise ValueError(
                        f"表「{self.caption}」第 {r + 1} 行的单元格「{cell.text}」超出表格范围"
                        f" / cell out of range at row {r}, col {c}"
                    )
                if cell.rowspan > 1 and r < len(self.header) <= r + cell.rowspan - 1:
                    raise ValueError(f"表「{self.caption}」: a header cell spans into the body")
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if (r + dr, c + dc) in taken:
                            raise ValueError(f"表「{self.caption}」: overlapping cells at {r}, {c}")
                        taken.add((r + dr, c + dc))
                placed.append(Placed(r, c, cell, r < len(self.header)))
                c += cell.colspan
        missing = [(r, c) for r in range(nrows) for c in range(ncols) if (r, c) not in taken]
        if missing:
            raise ValueError(
                f"表「{self.caption}」缺少单元格 / grid positions not covered: {missing[:5]}"
            )
        return tuple(placed)


@dataclass(frozen=True)
class Figure:
    """A chart as PNG bytes (rendered at print resolution), captioned 图N below the image."""

    png: bytes
    caption: str
    alt: str
    width_mm: float = 150.0
    #: The figure's numbers, printed after it in the 审核底稿 only (the 报送稿's chart carries
    #: them as labels, and a table repeating a chart is not printed next to it).
    data: Table | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block: TypeAlias = Paragraph | Heading | Note | Table | Figure | PageBreak


@dataclass(frozen=True)
class Section:
    """A level-1 section 「一、部门（单位）概况」 with its blocks.

    `landscape=True` puts the section on landscape pages of its own (e.g. the 绩效自评表); the
    page numbers run on. `title` is printed as given (the numeral 「一、」 included).
    """

    title: str
    anchor: str
    blocks: tuple[Block, ...]
    landscape: bool = False
    kind: str = ""  # the frame's key of the section ("unit", "scoring", …)
    review: bool = False  # a part of the 审核底稿 only (the 数据核对 appendix)
    #: An attachment's mark (「附件1」, or 「附件」 when it is the only one), printed at the top
    #: left of its first page above the centred title (GB/T 9704-2012 7.5); "" for the body.
    label: str = ""

    @property
    def entry(self) -> str:
        """The section as the contents list names it: 「附件1　部门整体支出绩效自评表」."""
        return f"{self.label}　{self.title}" if self.label else self.title


@dataclass(frozen=True)
class CoverField:
    """A label/value line under the title: 「单位名称：云溪区图书馆」."""

    label: str
    value: str

    @property
    def line(self) -> str:
        """The printed line: 「label：value」, or the value alone when there is no label."""
        return f"{self.label}：{self.value}" if self.label else self.value


@dataclass(frozen=True)
class Document:
    """The whole report.

    A title longer than a line (about 20 characters at 二号) should carry a "\n" where it is
    to be broken, e.g. after the unit's name; writers never break it on their own.

    `date` fixes every timestamp the writers emit (docx core properties), so rebuilding from the
    same model gives identical bytes.
    """

    title: str
    sections: tuple[Section, ...]
    date: dt.date
    cover: tuple[CoverField, ...] = ()
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = field(default=())
    cover_page: bool = False  # True: title and cover fields alone on page 1, no page number
    toc: bool = False  # a table of contents (links) after the cover, where a format has links
    #: What the 报送稿 lacks, in plain Chinese: a non-empty list makes the document a 草稿 (every
    #: page marked 「征求意见稿（数据未齐）」; the list itself is shown in the 审核底稿 only).
    draft: tuple[str, ...] = ()
    #: False for the 报送稿 (`submitted()`): the writers leave out the 审核底稿's parts.
    review_layer: bool = True

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The title as printed: "\n" in `title` marks where a long title is broken."""
        return tuple(self.title.split("\n"))

    @property
    def plain_title(self) -> str:
        """The title on one line (metadata, running heads)."""
        return "".join(self.title_lines)

    def submitted(self) -> Document:
        """The 报送稿: this document without what belongs to the 审核底稿 only.

        Review sections, review notes (also those under tables) and the data tables of charts
        are left out; everything
        else is the same objects, so the two documents state the same official text.
        """
        sections = []
        for section in self.sections:
            if section.review:
                continue
            blocks = tuple(_submitted_block(b) for b in section.blocks if not _is_review(b))
            sections.append(replace(section, blocks=blocks))
        return replace(self, sections=tuple(sections), review_layer=False)

    def tables(self) -> tuple[Table, ...]:
        """Every table, figure data tables included, in document order."""
        out: list[Table] = []
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Table):
                    out.append(block)
                elif isinstance(block, Figure) and block.data is not None:
                    out.append(block.data)
        return tuple(out)

    def figures(self) -> tuple[Figure, ...]:
        """Every figure in document order."""
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, Figure))


def _is_review(block: Block) -> bool:
    return isinstance(block, Note) and block.review


def _submitted_block(block: Block) -> Block:
    if isinstance(block, Figure) and block.data is not None:
        return replace(block, data=None)  # a chart's data table is the 底稿's
    if isinstance(block, Table) and any(n.review for n in block.notes):
        return replace(block, notes=tuple(n for n in block.notes if not n.review))
    return block


class Numbering:
    """Assigns 表N / 图N labels in document order; each writer keeps one while it walks."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self, table: Table) -> str:
        if not table.numbered:
            return table.caption
        self.tables += 1
        return f"表{self.tables}　{table.caption}"

    def figure(self, figure: Figure) -> str:
        self.figures += 1
        return f"图{self.figures}　{figure.caption}"

    def figure_data(self, figure: Figure) -> str:
        """Caption of a figure's data table, called after `figure()`."""
        assert figure.data is not None
        caption = figure.data.caption
        return f"图{self.figures}数据　{caption}" if caption else f"图{self.figures}数据"
