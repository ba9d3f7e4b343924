"""Which unit-years are 主管部门, what each counts, and the order they are built in (issue 27):
on 单位概况 files written to a temporary project; no notebook runs in any of these."""

from __future__ import annotations

from pathlib import Path

from selfeval.config import Roots
from selfeval.run.batch import discover
from selfeval.run.department import plan_departments
from selfeval.run.plan import BUILT, UNCHANGED, Key, YearPlan

YEAR = 2024


def _unit(raw: Path, folder: str, name: str, units: str = "", year: int = YEAR) -> None:
    """data/raw/<folder>/<year>/单位概况.csv with its 单位名称 and (when given) 下属单位."""
    path = raw / folder / str(year)
    path.mkdir(parents=True, exist_ok=True)
    rows = ["项目,内容", f"单位名称,{name}"] + ([f"下属单位,{units}"] if units else [])
    (path / "单位概况.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")


def _plan(root: Path, keys: list[Key] | None = None):
    roots = Roots.of(root)
    found = discover(roots.raw)[0]
    return plan_departments(roots, found if keys is None else keys, found)


def test_a_department_of_departments_is_built_in_a_later_wave_than_each_of_its_units(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "library", "图书馆")
    _unit(raw, "branch", "图书馆分馆")
    _unit(raw, "culture", "文化馆", "branch")  # a unit that is itself a department
    _unit(raw, "bureau", "文旅局", "library、文化馆")
    order = _plan(tmp_path)
    assert order.waves == [
        [Key("branch", YEAR), Key("library", YEAR)],
        [Key("culture", YEAR)],
        [Key("bureau", YEAR)],
    ]
    assert order.members[Key("bureau", YEAR)] == [("library", "library"), ("文化馆", "culture")]
    assert order.problems == {}


def test_a_run_of_some_units_says_which_departments_it_left_stale(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "library", "图书馆")
    _unit(raw, "museum", "文管所")
    _unit(raw, "bureau", "文旅局", "图书馆、museum")
    order = _plan(tmp_path, [Key("library", YEAR), Key("museum", YEAR)])
    assert order.waves == [[Key("library", YEAR), Key("museum", YEAR)]]  # only what was asked
    plans = [YearPlan(Key("library", YEAR), status=BUILT), YearPlan(Key("museum", YEAR))]
    [note] = order.stale_notes(plans)
    assert note.startswith("library 的 2024 年度已重新生成，其主管部门 data/raw/bureau/2024")
    assert 'make report UNITS="bureau" YEARS="2024"' in note
    plans.append(YearPlan(Key("bureau", YEAR), status=UNCHANGED))  # asked for: nothing to say
    assert order.stale_notes(plans) == []


def test_a_unit_is_found_by_the_name_its_raw_data_states_now(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "museum", "文物管理所")  # renamed: nothing was ever built under this name
    _unit(raw, "bureau", "文旅局", "文物管理所")
    assert _plan(tmp_path).members[Key("bureau", YEAR)] == [("文物管理所", "museum")]


def test_a_unit_listed_by_folder_and_by_name_is_one_error_naming_both_and_the_folder(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "library", "图书馆")
    _unit(raw, "museum", "文管所")
    _unit(raw, "bureau", "文旅局", "library、museum、图书馆")
    order = _plan(tmp_path)
    problem = order.problems[Key("bureau", YEAR)]
    assert "；" not in problem and "\n" not in problem  # one root cause, one message
    assert "「library」、「图书馆」" in problem and "data/raw/library/" in problem
    assert "data/raw/bureau/2024" in problem and "列了 2 次" in problem
    assert Key("bureau", YEAR) not in order.members  # nothing of it is built
    assert order.waves == [[Key("bureau", YEAR), Key("library", YEAR), Key("museum", YEAR)]]


def test_the_same_entry_written_twice_is_an_error_too(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "library", "图书馆")
    _unit(raw, "bureau", "文旅局", "图书馆、图书馆")
    assert "「图书馆」、「图书馆」" in _plan(tmp_path).problems[Key("bureau", YEAR)]


def test_a_name_two_folders_share_is_ambiguous_and_names_both_folders(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "library", "图书馆")
    _unit(raw, "library2", "图书馆")  # a copy of the folder, its 单位名称 unchanged
    _unit(raw, "bureau", "文旅局", "图书馆")
    problem = _plan(tmp_path).problems[Key("bureau", YEAR)]
    assert "「图书馆」" in problem and "data/raw/library/、data/raw/library2/" in problem
    assert "无法确定" in problem and "；" not in problem


def test_a_department_naming_itself_by_folder_or_by_name_is_an_error(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "library", "图书馆")
    for entry in ("bureau", "文旅局"):
        _unit(raw, "bureau", "文旅局", f"library、{entry}")
        problem = _plan(tmp_path).problems[Key("bureau", YEAR)]
        assert f"列出了本单位自己（「{entry}」，data/raw/bureau/）" in problem, problem
        assert "；" not in problem  # the unit itself, not also a repeat
    # two causes: two messages, one line
    _unit(raw, "bureau", "文旅局", "library、图书馆、bureau")
    problem = _plan(tmp_path).problems[Key("bureau", YEAR)]
    assert problem.count("；") == 1 and "列出了本单位自己" in problem and "列了 2 次" in problem


def test_departments_listing_each_other_are_one_message_for_the_cycle(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "library", "图书馆")
    _unit(raw, "culture", "文化馆", "文旅局、library")
    _unit(raw, "bureau", "文旅局", "culture")
    order = _plan(tmp_path)
    a, b = order.problems[Key("bureau", YEAR)], order.problems[Key("culture", YEAR)]
    assert "\n" not in a and b.startswith("data/raw/culture/2024 与其他主管部门互相列为下属单位")
    assert "见 data/raw/bureau/2024 的错误" in b  # the cause is said once
    assert "data/raw/bureau/2024（文旅局） 列出 data/raw/culture/2024" in a
    assert "data/raw/culture/2024（文化馆） 列出 data/raw/bureau/2024" in a
    assert order.waves == [[Key("bureau", YEAR), Key("culture", YEAR), Key("library", YEAR)]]


def test_a_department_waits_for_a_unit_that_follows_its_own_year_1_department(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "branch", "分馆", year=YEAR - 1)
    _unit(raw, "library", "图书馆", "分馆", year=YEAR - 1)  # a department in 2023 only
    _unit(raw, "library", "图书馆")
    _unit(raw, "bureau", "文旅局", "library")
    order = _plan(tmp_path)
    # library 2024 reads library 2023's data of this run, and bureau 2024 library 2024's
    assert order.waves == [
        [Key("branch", YEAR - 1)],
        [Key("library", YEAR - 1), Key("library", YEAR)],
        [Key("bureau", YEAR)],
    ]


def test_a_name_is_the_folder_that_has_it_that_year_before_one_that_had_it_earlier(tmp_path):
    raw = tmp_path / "data" / "raw"
    _unit(raw, "old-library", "图书馆", year=YEAR - 1)  # the unit's earlier folder
    _unit(raw, "library", "图书馆")
    _unit(raw, "museum", "文管所", year=YEAR - 1)  # no 2024 data: still found, by its name
    _unit(raw, "bureau", "文旅局", "图书馆、文管所")
    order = _plan(tmp_path)
    assert order.members[Key("bureau", YEAR)] == [("图书馆", "library"), ("文管所", "museum")]


def test_a_department_in_the_single_unit_layout_names_its_units_with_or_without_data(tmp_path):
    """data/raw/<year>/ states 下属单位 (issue 30): its units are counted, never dropped — a unit
    folder beside it gives one unit's data, the others have none (folder None)."""
    raw = tmp_path / "data" / "raw"
    _unit(raw, "", "示例县住建局", "规划办、质监站、市政所")
    _unit(raw, "zhijian", "质监站")
    order = _plan(tmp_path)
    assert order.members[Key("", YEAR)] == [
        ("规划办", None),
        ("质监站", "zhijian"),
        ("市政所", None),
    ]
    assert order.problems == {}
    assert order.waves == [[Key("zhijian", YEAR)], [Key("", YEAR)]]  # after its unit
    # a run of the unit alone says how to rebuild the department (no UNITS= for this layout)
    [note] = order.stale_notes([YearPlan(Key("zhijian", YEAR), status=BUILT)])
    assert "其主管部门 data/raw/2024 不在本次生成之列" in note
    assert 'make report YEARS="2024"' in note
