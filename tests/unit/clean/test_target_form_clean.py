"""A year whose 绩效目标 come from the approved 申报表 (`clean.targets.clean_targets_with_form`):
the form's indicators are the rows, the clerk's sheet adds the results; expected values copied by
hand from `tests/target_forms.py`."""

from __future__ import annotations

import math

import pytest
from target_forms import GOAL, write_export, write_national
from test_clean import sheets, write_csvs

from selfeval.clean import clean_year
from selfeval.errors import InputError
from selfeval.present.blocks.scoring import self_evaluation
from selfeval.present.scoring_view import scoring_view
from selfeval.scoring import score_year

UNIT = sheets()["单位概况"][1][1]  # the test unit's 单位名称
RESULT_HEAD = ["三级指标", "实际值", "偏差原因", "改进措施"]


def _year(tmp_path, targets=None, form=write_export, unit=UNIT):
    data = sheets()
    if targets is not None:
        data["绩效目标"] = targets
    folder = write_csvs(tmp_path / "2024", data)
    form(folder / "申报表.xlsx", unit=unit)
    return folder


def test_the_forms_indicators_are_the_rows_and_the_clerk_adds_only_results(tmp_path):
    folder = _year(
        tmp_path,
        [
            RESULT_HEAD,
            ["开放天数", "362", "", ""],
            ["举办阅读活动", "18", "场地维修停办两次", "提前安排场地"],
            ["读者满意度", "96", "", ""],
        ],
    )
    result = clean_year(folder, 2024)
    t = result.tables["targets"]
    got = [
        (r.level1, r.level2, r.level3, r.direction, r.target, r.target_text, r.unit, r.weight)
        for r in t.itertuples()
    ]
    assert got == [
        ("产出指标", "数量指标", "开放天数", "≥", 360.0, "360", "天", 30.0),
        ("产出指标", "数量指标", "举办阅读活动", "≥", 20.0, "20", "次", 20.0),
        ("产出指标", "时效指标", "投诉处理时长", "≤", 3.0, "3", "天", 10.0),
        ("效益指标", "社会效益指标", "到馆人次", "≥", 10000.0, "10000", "人次", 20.0),
        ("满意度指标", "服务对象满意度指标", "读者满意度", "≥", 90.0, "90", "%", 10.0),
    ]
    actual = [None if math.isnan(a) else a for a in t["actual"]]
    assert actual == [362.0, 18.0, None, None, 96.0]
    assert t["deviation_reason"].tolist()[1] == "场地维修停办两次"
    assert t["measures"].tolist()[1] == "提前安排场地"
    # each row keeps the form's cell of its 指标值, and the clerk's row of its results
    assert (t["src_file"][0], t["src_row"][0], t["src_cell"][0]) == ("申报表.xlsx", 9, "E9")
    assert t["result_src"].tolist()[:2] == ["绩效目标.csv 第2行", "绩效目标.csv 第3行"]
    assert t["result_src"].isna().tolist()[2:4] == [True, True]
    # the form's 年度总体目标 becomes 总体目标, the clerk's own texts follow
    texts = result.tables["texts"]
    assert texts["section"].tolist() == ["总体目标", "活动", "存在问题"]
    assert texts["content"].tolist()[0] == GOAL and texts["order"].tolist() == [1, 2, 3]
    assert result.checks["warnings"] == []


def test_an_indicator_the_form_lacks_is_a_problem_and_a_different_target_a_warning(tmp_path):
    folder = _year(
        tmp_path,
        [
            ["三级指标", "目标值", "实际值"],
            ["开放天数", "≥365天", "362"],  # the approved 360 is what counts: ⚠
            ["开放时长", "", "3000"],  # not approved: its result would be lost
        ],
    )
    with pytest.raises(InputError) as err:
        clean_year(folder, 2024)
    (only,) = err.value.problems
    assert str(only) == (
        "绩效目标.csv 第3行「三级指标」（A3）: 开放时长 申报表（申报表.xlsx）中没有这项指标"
        "（应为：申报表的三级指标之一：开放天数、举办阅读活动、投诉处理时长、到馆人次、读者满意度）"
    )
    copied = [["三级指标", "目标值", "实际值"], ["开放天数", "≥365天", "362"]]
    folder = _year(tmp_path / "b", copied)
    (warning,) = clean_year(folder, 2024).checks["warnings"]
    assert warning["message"] == (
        "绩效目标.csv 第2行「目标值」的目标值「≥365天」与申报表（申报表.xlsx 工作表「绩效目标」"
        " 第9行（E9））批复的指标值「360」不同；报告按申报表填写"
    )


def test_a_form_alone_gives_rows_with_results_not_given(tmp_path):
    folder = _year(tmp_path, form=write_national, unit="云溪区图书馆")
    result = clean_year(folder, 2024)
    (warning,) = result.checks["warnings"]
    assert warning["message"] == (
        "申报表.xlsx 工作表「申报表」的单位名称「云溪区图书馆」"
        "与单位概况的「测试区测试馆（测试）」不同，请确认是本单位的申报表"
    )
    t = result.tables["targets"]
    names = ["开放天数", "举办阅读活动", "图书外借率", "全民阅读氛围", "读者满意度"]
    assert t["level3"].tolist() == names
    assert t["direction"].tolist() == ["≥", "≥", "≥", "定性", "≥"]
    assert t["target"].tolist()[:3] == [360.0, 20.0, 95.0]
    assert t["actual"].isna().all() and t["assessment"].isna().all() and t["weight"].isna().all()
    assert t["src_cell"].tolist() == ["F11", "F12", "F13", "F14", "F15"]


def test_a_form_of_another_year_is_refused(tmp_path):
    data = sheets()
    folder = write_csvs(tmp_path / "2024", data)
    write_national(folder / "申报表.xlsx", year=2023)
    with pytest.raises(InputError) as err:
        clean_year(folder, 2024)
    assert [str(p) for p in err.value.problems] == [
        "申报表.xlsx 工作表「申报表」: 这是2023年度的绩效目标申报表，不是2024年度的"
        "（应为：换成2024年度批复的申报表，或放入2023年度的目录）"
    ]


def test_two_forms_in_one_year_are_one_problem_naming_both(tmp_path):
    folder = _year(tmp_path)
    write_national(folder / "申报表2.xlsx", unit=UNIT)
    with pytest.raises(InputError) as err:
        clean_year(folder, 2024)
    assert [str(p) for p in err.value.problems] == [
        "申报表2.xlsx 工作表「申报表」: 一个年度只能有一份绩效目标申报表，这里有2份："
        "申报表.xlsx「绩效目标」、申报表2.xlsx「申报表」（应为：只保留本年度批复的那一份）"
    ]


def test_a_target_copied_as_approved_is_no_warning(tmp_path):
    """「≥360天」 is the export's 指标性质 ≥, 指标值 360, 度量单位 天: the same target."""
    copied = [["三级指标", "目标值", "分值", "实际值"], ["开放天数", "≥360天", "30", "362"]]
    result = clean_year(_year(tmp_path, copied), 2024)
    assert result.checks["warnings"] == []
    assert result.tables["targets"]["actual"].tolist()[0] == 362.0


def test_the_working_papers_name_the_forms_cell_and_the_clerks_result_row(tmp_path):
    folder = _year(tmp_path, [RESULT_HEAD, ["开放天数", "362", "", ""]])
    tables = clean_year(folder, 2024).tables
    view = scoring_view(score_year(tables))
    (note,) = [b for b in self_evaluation(view, 2024) if "绩效指标来源" in getattr(b, "text", "")]
    assert note.review  # the 底稿's, never the 报送稿's
    # 开放天数: the export's first 指标值 is E9 (its indicators start on row 9), its
    # 实际完成值 the clerk's second CSV line; 投诉处理时长 (E11) has no result row yet
    assert (
        "开放天数：指标值见申报表.xlsx 工作表「绩效目标」 第9行（E9），"
        "实际完成值见绩效目标.csv 第2行；"
    ) in note.text
    assert "投诉处理时长：申报表.xlsx 工作表「绩效目标」 第11行（E11）；" in note.text
