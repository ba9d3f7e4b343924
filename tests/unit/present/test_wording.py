"""The wording files of the core layers' findings: every code has words, every placeholder names
a fact the code carries, and a finding stored in results.json is worded as before it was
stored."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from selfeval import checks, scoring
from selfeval.checks import NONE, Check, M
from selfeval.present import wording
from selfeval.present.checks_view import check_item, check_note, checks_table
from selfeval.present.scoring_view import note_text

CONTRACTS = {"checks": checks.CODES, "scoring": scoring.CODES}


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_every_code_has_words_and_nothing_else(name: str) -> None:
    assert set(wording.templates(name)) == set(CONTRACTS[name])


@pytest.mark.parametrize(
    ("name", "code"), [(name, code) for name, codes in CONTRACTS.items() for code in sorted(codes)]
)
def test_every_placeholder_is_a_fact_of_its_code(name: str, code: str) -> None:
    used = {fact for fact, _ in wording.placeholders(wording.templates(name)[code])}
    assert used <= CONTRACTS[name][code], f"{code}: {used - CONTRACTS[name][code]}"


def test_an_unknown_spec_is_refused_when_the_file_is_loaded(tmp_path, monkeypatch) -> None:
    (tmp_path / "bad.toml").write_text('x = "{a:nonsense}"\n', encoding="utf-8")
    monkeypatch.setattr(wording, "HERE", tmp_path)
    with pytest.raises(KeyError, match="nonsense"):
        wording.templates("bad")


def test_a_finding_without_the_facts_of_its_code_is_refused() -> None:
    with pytest.raises(KeyError, match="spending_total"):
        checks._row(("spending_total",), True, NONE, NONE, NONE, (), label="x")
    with pytest.raises(KeyError, match="budget_missing"):
        scoring.Note("budget_missing", {"weight": 10.0})


def test_a_projects_warning_is_worded_with_its_name_and_weight() -> None:
    note = scoring.Note(
        "budget_incomplete", {"project": "讲座", "rows": ["甲", "乙"], "weight": 10.0}
    )
    assert note_text(note) == (
        "项目「讲座」预算数不全（甲、乙未填报预算数）：预算执行率不计算，该项（10分）不计分。"
    )
    unit = scoring.Note("no_targets", {"project": None})
    assert note_text(unit) == "本单位未填报绩效目标：绩效自评表只列资金情况，未计算总分。"


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


def test_a_stored_warning_is_worded_as_before() -> None:
    note = scoring.Note("rate_reason_missing", {"project": "", "rate": 75.0, "threshold": 90.0})
    adapter = TypeAdapter(scoring.Note)
    stored = adapter.validate_json(adapter.dump_json(note))
    assert (
        note_text(stored)
        == note_text(note)
        == ("预算执行率75.00%低于90%，但未填写偏差原因分析（绩效目标表中“预算执行率”行）。")
    )
