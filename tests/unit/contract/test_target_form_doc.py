"""docs/data-contract.md lists exactly the 申报表 titles, labels and headings the reader uses."""

from __future__ import annotations

from pathlib import Path

from selfeval.contract import target_form as tf

DOC = Path(__file__).resolve().parents[3] / "docs" / "data-contract.md"


def test_the_target_form_section_is_generated_from_the_readers_vocabulary():
    text = DOC.read_text(encoding="utf-8")
    block = text[text.index(tf.BEGIN) : text.index(tf.END) + len(tf.END)]
    assert block == tf.target_form_markdown(), "运行 python -m selfeval.contract.doc 更新"
    for heading in (*tf.HEADINGS, *tf.NATURES, *tf.UNIT_LABELS, *tf.GOAL_LABELS):
        assert heading in block, heading
