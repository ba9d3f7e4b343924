"""The wording files of the core layers' findings: every code has words, every placeholder names
a fact the code carries, and a check stored in results.json is worded as before it was stored."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from selfeval import checks
from selfeval.checks import NONE, Check, M
from selfeval.present import wording
from selfeval.present.checks_view import check_item, check_note, checks_table


def test_every_check_code_has_words_and_nothing_else() -> None:
    words = wording.templates("checks")
    assert set(words) == set(checks.CODES)


@pytest.mark.parametrize("code", sorted(checks.CODES))
def test_every_placeholder_is_a_fact_of_its_code(code: str) -> None:
    used = {fact for fact, _ in wording.placeholders(wording.templates("checks")[code])}
    assert used <= checks.CODES[code], f"{code}: {used - checks.CODES[code]}"


def test_an_unknown_spec_is_refused_when_the_file_is_loaded(tmp_path, monkeypatch) -> None:
    (tmp_path / "bad.toml").write_text('x = "{a:nonsense}"\n', encoding="utf-8")
    monkeypatch.setattr(wording, "HERE", tmp_path)
    with pytest.raises(KeyError, match="nonsense"):
        wording.templates("bad")


def test_a_check_without_the_facts_of_its_code_is_refused() -> None:
    with pytest.raises(KeyError, match="spending_total"):
        checks._row(("spending_total",), True, NONE, NONE, NONE, (), label="x")


def _total_check() -> Check:
    return checks._row(
        ("spending_total",),
        False,
        M(70.0),
        M(69.77),
        M(0.23, signed=True),
        ("spending_total_sum", "spending_total_beyond", "unit_note", "where"),
        label="基本支出",
        column="执行数",
        unit="元",
        terms=[("人员支出", 63.44), ("公用支出", 6.33)],
        computed=69.77,
        unfilled=0,
        unit_note="含其他",
        where=["支出.csv", "支出", 4],
    )


def test_a_check_is_worded_in_the_unit_its_facts_name() -> None:
    check = _total_check()
    assert check_item(check) == "基本支出执行数与分项之和（元）"
    assert check_note(check) == (
        "人员支出634,400.00 + 公用支出63,300.00 = 697,700.00元"
        "；差异超出四舍五入范围，请核对；单位说明：含其他（支出.csv 支出 第4行）"
    )


def test_a_stored_check_is_worded_as_before() -> None:
    check = _total_check()
    adapter = TypeAdapter(Check)
    stored = adapter.validate_json(adapter.dump_json(check))
    assert checks_table([stored], "元").equals(checks_table([check], "元"))
