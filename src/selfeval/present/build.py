"""The report of a year as a `Document`: the frame's sections filled by block builders.

`build_document(results)` formats the stored results once (`selfeval.present.context`) and walks
the frame (`selfeval.present.frames`) the unit's 「报告格式」 chooses: for each section it calls
the builder of each block key (`selfeval.present.blocks.BLOCKS`) and gives the numbered sections
their numerals. Every writer (HTML, Word) then walks the same document, so the formats state
the same facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from selfeval.present.blocks import BLOCKS, COVER_FIELDS
from selfeval.present.blocks.submission import missing_texts
from selfeval.present.context import ReportContext, build_context
from selfeval.present.document import CoverField, Document, Paragraph, ParagraphRole, Section
from selfeval.present.formats import cn_number
from selfeval.present.frames import (
    Frame,
    check_frame,
    check_frames,
    fill_title,
    frame_for,
    load_frame,
)
from selfeval.results import YearResults

#: Characters of the title that fit one line at 二号 on the 156 mm text block.
TITLE_LINE_CHARS = 20

__all__ = [
    "BLOCKS",
    "COVER_FIELDS",
    "build_document",
    "check_frame",
    "check_frames",
    "document_from_context",
]


def _title(frame: Frame, ctx: ReportContext) -> str:
    """The frame's title; its line break kept only where the title is longer than a line."""
    title = fill_title(frame.title, unit=ctx.unit_name, year=ctx.year)
    if len(title.replace("\n", "")) <= TITLE_LINE_CHARS:
        return title.replace("\n", "")
    return title


def _document_date(ctx: ReportContext) -> dt.date:
    """The date every timestamp of a written file carries: the data's date, else 31 December."""
    stamp = ctx.data_day
    if stamp is not None:
        return pd.Timestamp(stamp).date()
    return dt.date(ctx.year, 12, 31)


def _cover(frame: Frame, ctx: ReportContext) -> tuple[CoverField, ...]:
    defaults = dict(frame.defaults)
    fields = [CoverField(c.label, COVER_FIELDS[c.field](ctx, defaults)) for c in frame.cover]
    return tuple(f for f in fields if f.value)


def _with_attachments(sections: list[Section], attachments: set[str]) -> tuple[Section, ...]:
    """The attachments (the sections whose frame key is in `attachments`) marked 「附件1」,
    「附件2」… in order (「附件」 alone when there is one, GB/T 9704-2012 7.5), and the 附件说明
    (7.3.4) before the 落款: 「附件：1.名称」, one line an attachment, in the same words and order
    (a 项目支出绩效自评表 only when there is one)."""
    present = [s.kind for s in sections if s.kind in attachments and not s.review]
    if not present:
        return tuple(sections)
    marks = {k: "附件" if len(present) == 1 else f"附件{n}" for n, k in enumerate(present, 1)}
    names = [s.title for s in sections if s.kind in marks]
    if len(names) == 1:
        lines = (Paragraph.of(f"附件：{names[0]}", kind="attachments"),)
    else:
        lines = tuple(
            Paragraph.of(("附件：" if n == 1 else "　　　") + f"{n}.{name}", kind="attachments")
            for n, name in enumerate(names, 1)
        )
    out = []
    for section in sections:
        if section.kind in marks:
            section = replace(section, label=marks[section.kind])
        blocks = list(section.blocks)
        kinds = [getattr(b, "kind", "") for b in blocks]
        if "signature-space" in kinds:
            at = kinds.index("signature-space")
            blocks[at:at] = [
                Paragraph.of("", ParagraphRole.NOINDENT, kind="signature-space"),
                *lines,
            ]
            section = replace(section, blocks=tuple(blocks))
        out.append(section)
    return tuple(out)


def document_from_context(ctx: ReportContext, frame: Frame) -> Document:
    """The report of `frame` filled from a formatted context (`build_context`)."""
    check_frame(frame)
    sections = []
    number = 0
    for fs in frame.sections:
        if fs.numbered and not fs.attachment:
            number += 1
            title, anchor = f"{cn_number(number)}、{fs.title}", fs.anchor or f"s{number}"
        else:
            title, anchor = fs.title, fs.anchor or fs.key
        blocks = [b for key in fs.blocks for b in BLOCKS[key](ctx, anchor)]
        if fs.optional and not blocks:
            if fs.numbered and not fs.attachment:
                number -= 1
            continue
        sections.append(Section(title, anchor, tuple(blocks), fs.landscape, fs.key, fs.review))
    return Document(
        title=_title(frame, ctx),
        sections=_with_attachments(sections, {fs.key for fs in frame.sections if fs.attachment}),
        date=_document_date(ctx),
        cover=_cover(frame, ctx),
        author=ctx.unit_name,
        subject=frame.name,
        keywords=(f"{ctx.year}年度", "整体支出绩效自评"),
        cover_page=frame.cover_page,
        toc=frame.toc,
        draft=missing_texts(ctx.missing),
    )


def build_document(results: YearResults, frame: str | None = None) -> Document:
    """The report of one year, from its stored results, in the frame `frame` (a frame file's
    key) or, by default, the one its 单位概况 「报告格式」 names."""
    ctx = build_context(results)
    chosen = load_frame(frame) if frame else frame_for(ctx.report_format)
    return document_from_context(ctx, chosen)
