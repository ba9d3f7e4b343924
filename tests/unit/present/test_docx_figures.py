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
    assert len(shapes) == 5  # 支出结构, 预算与执行, 各类活动, 各月活动, 赠书去向
    for shape in shapes:
        rel_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = Image.open(io.BytesIO(word.part.related_parts[rel_id].blob))
        assert image.format == "PNG"
        width_in = shape.width / EMU_PER_INCH
        height_in = shape.height / EMU_PER_INCH
        # placed 156 mm wide (the text block); the picture keeps its aspect ratio
        assert abs(shape.width.mm - 156.0) < 0.1
        assert image.width / width_in >= 200 and image.height / height_in >= 200
