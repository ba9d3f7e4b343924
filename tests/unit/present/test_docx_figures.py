"""The Word file's charts are PNG at print resolution (issue 16): every embedded image has at
least 200 dots per inch at the size it is placed in the document, for the 2024 unit's real data."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from PIL import Image

from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import build
from selfeval.present.docx import build_docx

RAW_2024 = Path(__file__).resolve().parents[3] / "data" / "raw" / "2024"
EMU_PER_INCH = 914400


def test_docx_charts_have_at_least_200_dpi_at_their_placed_size(tmp_path):
    cleaned = clean_year(RAW_2024, 2024)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, 2024)
    document = build.build_document(results.from_json(results.to_json(computed)))
    path = tmp_path / "report.docx"
    path.write_bytes(build_docx(document))
    word = docx.Document(str(path))
    shapes = list(word.inline_shapes)
    assert len(shapes) == 3  # 各类活动, 各月活动, 赠书去向 (no budget figures: no budget chart)
    for shape in shapes:
        rel_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = Image.open(io.BytesIO(word.part.related_parts[rel_id].blob))
        assert image.format == "PNG"
        width_in = shape.width / EMU_PER_INCH
        height_in = shape.height / EMU_PER_INCH
        # placed 156 mm wide (the text block); the picture keeps its aspect ratio
        assert abs(shape.width.mm - 156.0) < 0.1
        assert image.width / width_in >= 200 and image.height / height_in >= 200


def _kept_with_next(paragraph) -> bool:
    """Keep-with-next as Word resolves it: set on the paragraph, else on its style's chain."""
    if paragraph.paragraph_format.keep_with_next is not None:
        return paragraph.paragraph_format.keep_with_next
    style_ = paragraph.style
    while style_ is not None:
        if style_.paragraph_format.keep_with_next is not None:
            return style_.paragraph_format.keep_with_next
        style_ = style_.base_style
    return False


def test_headings_and_pictures_are_kept_with_what_follows(tmp_path):
    """No heading ends a page and no chart is parted from its caption in Word, WPS or
    LibreOffice: headings and picture paragraphs carry keep-with-next, and each picture's
    next paragraph is its caption 「图N」."""
    cleaned = clean_year(RAW_2024, 2024)
    computed = results.compute_year(cleaned.tables, cleaned.meta, cleaned.checks, 2024)
    document = build.build_document(results.from_json(results.to_json(computed)))
    word = docx.Document(io.BytesIO(build_docx(document)))
    paragraphs = word.paragraphs
    headings = [p for p in paragraphs if p.style.name.startswith("Heading")]
    assert len(headings) >= 9  # the nine sections at least
    assert [p.text for p in headings if not _kept_with_next(p)] == []
    pictures = [i for i, p in enumerate(paragraphs) if p._p.xpath(".//pic:pic")]
    assert len(pictures) == 3
    for i in pictures:
        assert _kept_with_next(paragraphs[i])
        assert paragraphs[i + 1].text.startswith(f"图{pictures.index(i) + 1}")
