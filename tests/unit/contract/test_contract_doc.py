"""docs/data-contract.md stays in step with the sheet definitions in selfeval.contract."""

from __future__ import annotations

from pathlib import Path

from selfeval.contract import doc as sc
from selfeval.contract import sheets

DOC = Path(__file__).resolve().parents[3] / "docs" / "data-contract.md"


def _generated_block(text: str) -> str:
    start = text.index(sc.GENERATED_BEGIN)
    end = text.index(sc.GENERATED_END) + len(sc.GENERATED_END)
    return text[start:end]


def test_generated_tables_match_schema():
    text = DOC.read_text(encoding="utf-8")
    assert _generated_block(text) == sc.contract_markdown(), (
        "docs/data-contract.md 与 selfeval/contract 不一致："
        "运行 python -m selfeval.contract.doc 更新"
    )


def test_doc_tables_list_every_sheet_column_flag_and_enum():
    parsed = sc.parse_contract_tables(DOC.read_text(encoding="utf-8"))
    assert list(parsed) == [s.name for s in sheets.SHEETS]
    for sheet in sheets.SHEETS:
        doc_sheet = parsed[sheet.name]
        assert doc_sheet["required"] is sheet.required, sheet.name
        assert len(doc_sheet["columns"]) == len(sheet.columns), sheet.name
        for col in sheet.columns:
            header = f"{col.header}（万元）或（元）" if col.has_unit else col.display()
            doc_col = doc_sheet["columns"][header]
            assert doc_col["required"] is col.required, (sheet.name, header)
            assert doc_col["needs_value"] is col.needs_value, (sheet.name, header)
            assert doc_col["enum"] == col.enum, (sheet.name, header)


def test_doc_names_every_text_section_and_stated_key():
    text = DOC.read_text(encoding="utf-8")
    for key in (
        *sheets.TEXT_SECTIONS,
        *sheets.STATED_YEARLY_KEYS,
        *sheets.BUDGET_TYPES,
        *sheets.SANGONG_ITEMS,
    ):
        assert key in text, key


def test_update_doc_rewrites_a_stale_copy(tmp_path):
    stale = DOC.read_text(encoding="utf-8").replace("| 预算类型 | 是 |", "| 预算类型 | 否 |")
    copy = tmp_path / "data-contract.md"
    copy.write_text(stale, encoding="utf-8")
    assert sc.update_doc(copy) is True
    assert _generated_block(copy.read_text(encoding="utf-8")) == sc.contract_markdown()
    assert sc.update_doc(copy) is False


def test_processed_tables_match_pandera_models():
    text = DOC.read_text(encoding="utf-8")
    start = text.index(sc.PROCESSED_BEGIN)
    block = text[start : text.index(sc.PROCESSED_END) + len(sc.PROCESSED_END)]
    assert block == sc.processed_markdown(), "运行 python -m selfeval.contract.doc 更新文档"
    parsed = sc.parse_processed_tables(text)
    assert list(parsed) == list(sc.PROCESSED)
    for table, model in sc.PROCESSED.items():
        assert parsed[table] == {name: col.nullable for name, col in model.columns.items()}, table


def test_limits_table_matches_the_readers_limits():
    from selfeval.contract import limits

    text = DOC.read_text(encoding="utf-8")
    start = text.index(sc.LIMITS_BEGIN)
    block = text[start : text.index(sc.LIMITS_END) + len(sc.LIMITS_END)]
    assert block == sc.limits_markdown(), "运行 python -m selfeval.contract.doc 更新"
    assert f"| {limits.MAX_ROWS:,} 行 |" in block and "| 100 MB |" in block
