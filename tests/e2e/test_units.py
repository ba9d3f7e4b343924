"""Several units and their 主管部门 (issue 19), and a raw file saved during a build (issue 17),
on the real notebooks through the local batch and the command line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from support import run_build
from support_units import DEPARTMENT, UNITS, set_unit_items, tree, write_units

from selfeval.run.batch import BUILT, FAILED, UNCHANGED, run_batch
from selfeval.run.plan import CHANGED_DURING_BUILD, Key
from selfeval.store import hash_tree
from selfeval.synthetic import write_synthetic_years
from tools import pdfcheck

pytestmark = pytest.mark.slow
YEAR = 2024
BUREAU = DEPARTMENT[0]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("units")
    write_units(root / "data" / "raw", [YEAR], department=True)
    result = run_batch([Key(u, YEAR) for u in [*UNITS, BUREAU]], jobs=2, root=root, tty=False)
    assert {p.key.unit: p.status for p in result.plans} == dict.fromkeys([*UNITS, BUREAU], BUILT), [
        p.error for p in result.plans
    ]
    return root


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _html_tables(path: Path) -> dict[str, list[list[str]]]:
    """The department section's tables in report.html as the 报送稿 shows them (the 审核底稿's
    未填报 in cells left out, as report.docx leaves those cells blank): {kind: body rows}."""
    section = _soup(path).find(id="department")
    assert section is not None
    for node in section.select(".review"):
        node.decompose()
    return {
        table["class"][0]: [
            [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in table.select("tbody tr")
        ]
        for table in section.find_all("table")
        if table["class"][0].startswith("department-")
    }


def _docx_tables(path: Path) -> list[list[list[str]]]:
    """Every table of report.docx as rows of cell texts (python-docx)."""
    document = docx.Document(str(path))
    return [[[c.text.strip() for c in row.cells] for row in t.rows] for t in document.tables]


def _processed(root: Path, unit: str) -> dict:
    path = root / "data" / "processed" / unit / str(YEAR) / "results.json"
    return json.loads(path.read_text("utf-8"))


def test_the_department_report_states_its_units_and_says_which_lack_data(project):
    out = project / "outputs" / BUREAU / str(YEAR)
    tables = _html_tables(out / "report.html")
    # the synthetic units have no 收入 sheet: one sentence says so, and no income table
    assert set(tables) == {"department-units", "department-spending"}
    rows = tables["department-units"]
    assert [r[0] for r in rows] == [
        f"{DEPARTMENT[1]}（本级）",
        *UNITS.values(),
        "示例区不存在的单位",
    ]
    # the unit with no data: every figure blank in the 报送稿, 未填报 in the 底稿, never 0
    assert rows[4][1:] == [""] * 5  # no ⚠ column: the failed checks are the 底稿's
    section = _soup(out / "report.html").find(id="department")
    unit_row = section.select("table.department-units tbody tr")[4]
    assert [c.get_text() for c in unit_row("td")] == ["未填报"] * 5
    assert len(unit_row.select("td span.review")) == 5
    table = section.select_one("table.department-units")
    reviews = [p.get_text() for p in table.find_parent("div").select("p.review")]
    assert any(t.startswith("数据来源：本级一行取自本报告的计算结果") for t in reviews)
    # the members' failed checks: a 底稿 note, not a ⚠ column of the 报送稿
    assert any(t.startswith("⚠核对项（各单位数据核对中未通过的项数）：") for t in reviews)
    assert "⚠" not in "".join(table.find("thead").stripped_strings)
    assert "示例区不存在的单位本年度没有可用的数据，未计入合计" in section.get_text()
    assert "本级及各下属单位均未填报2024年收入情况" in section.get_text()
    # 执行数 of 一般公共预算 summed over 本级 and the three units, by hand from their results.json
    actual = 0.0
    for unit in [BUREAU, *UNITS]:
        total = _processed(project, unit)["figures"]["spending"]["types"]["一般公共预算"]["total"]
        actual += total["actual"]
    spending = {r[0]: r for r in tables["department-spending"]}
    assert spending["一般公共预算"][2] == f"{actual:.2f}"
    assert spending["一般公共预算"][4].endswith("执行数：示例区不存在的单位")
    stored = _processed(project, BUREAU)["department"]  # computed once, by 02
    assert [r["name"] for r in stored["rows"]][1:] == [*UNITS.values(), "示例区不存在的单位"]
    units_file = project / "data" / "processed" / BUREAU / str(YEAR) / "units.json"
    assert [u["folder"] for u in json.loads(units_file.read_text("utf-8"))] == [*UNITS, None]
    for unit in UNITS:  # the units' own reports have no department section
        own = _soup(project / "outputs" / unit / str(YEAR) / "report.html")
        assert own.find(id="department") is None
        assert _processed(project, unit)["department"] is None


def test_the_department_section_is_in_the_word_file_with_the_same_figures(project):
    out = project / "outputs" / BUREAU / str(YEAR)
    html_tables = _html_tables(out / "report.html")
    word = _docx_tables(out / "report.docx")
    for kind, body in html_tables.items():
        # the Word table whose last rows are the HTML table's body, cell for cell
        matches = [t for t in word if t[-len(body) :] == body]
        assert len(matches) == 1, (kind, body)
    text = "\n".join(p.text for p in docx.Document(str(out / "report.docx")).paragraphs)
    assert "部门整体情况（本级及下属单位）" in text
    assert "示例区不存在的单位本年度没有可用的数据，未计入合计" in text
    for unit in UNITS:  # and not in the units' own Word files
        own = docx.Document(str(project / "outputs" / unit / str(YEAR) / "report.docx"))
        assert "部门整体情况" not in "\n".join(p.text for p in own.paragraphs)


@pytest.mark.no_pdf  # reads no PDF
def test_a_single_unit_department_counts_the_units_that_have_data_and_names_the_others(tmp_path):
    """data/raw/<year>/ listing 下属单位 (issue 30): one unit has a folder beside it, the other
    none; the build counts the first, names the second as without data, numbers the part."""
    raw = tmp_path / "data" / "raw"
    [own] = write_synthetic_years(raw, [YEAR], activities_per_year=4)
    set_unit_items(own, {"单位名称": "示例县住建局", "下属单位": "规划办、质监站"})
    [unit] = write_synthetic_years(raw / "zhijian", [YEAR], activities_per_year=4, seed=2)
    set_unit_items(unit, {"单位名称": "质监站"})
    proc = run_build(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "outputs" / str(YEAR)
    soup = _soup(out / "report.html")
    assert "下属单位2个：规划办、质监站。" in soup.find(id="s1").get_text()
    section = soup.find(id="department")
    assert section.find(["h1", "h2"]).get_text(strip=True) == "七、部门整体情况（本级及下属单位）"
    rows = _html_tables(out / "report.html")["department-units"]
    assert [r[0] for r in rows] == ["示例县住建局（本级）", "规划办", "质监站"]
    assert rows[1][1:] == [""] * 5  # 规划办: no data, nothing in the 报送稿's cells
    own_total = _processed_at(tmp_path, "", "一般公共预算")
    unit_total = _processed_at(tmp_path, "zhijian", "一般公共预算")
    assert rows[2][2] == f"{unit_total:.2f}"  # 质监站's 执行数, from its own results
    spending = {r[0]: r for r in _html_tables(out / "report.html")["department-spending"]}
    assert spending["一般公共预算"][2] == f"{own_total + unit_total:.2f}"
    assert "规划办本年度没有可用的数据，未计入合计" in section.get_text()
    text = "\n".join(p.text for p in docx.Document(str(out / "report.docx")).paragraphs)
    assert "七、部门整体情况（本级及下属单位）" in text


def _processed_at(root: Path, unit: str, budget_type: str) -> float:
    """A unit's stored 执行数 of one 预算类型 (unit "" for data/processed/<year>/)."""
    path = root / "data" / "processed" / unit / str(YEAR) / "results.json"
    types = json.loads(path.read_text("utf-8"))["figures"]["spending"]["types"]
    return types[budget_type]["total"]["actual"]


def test_the_department_section_is_in_the_pdf_made_from_the_word_file(project):
    pdf = project / "outputs" / BUREAU / str(YEAR) / "report.pdf"
    if not pdfcheck.available() or not pdf.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice and poppler-utils are required in CI")
        pytest.skip("LibreOffice or poppler-utils not installed")
    text = pdfcheck.text(pdf)
    assert "部门整体情况（本级及下属单位）" in text
    assert "示例区不存在的单位本年度没有可用的数据，未计入合计" in text
    rows = _html_tables(pdf.with_name("report.html"))["department-spending"]
    general = next(r for r in rows if r[0] == "一般公共预算")
    assert general[2] in pdfcheck.cell_tokens(pdf)  # the summed 执行数, as in html and docx


def test_make_pdf_finds_every_units_years_and_records_each_pdf(project, tmp_path):
    """Issue 27: `make pdf` in a project of several units said 「还没有 report.docx」."""
    from selfeval.run.pdf import find_soffice

    if find_soffice() is None or not pdfcheck.available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice and poppler-utils are required in CI")
        pytest.skip("LibreOffice or poppler-utils not installed")
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    missing = [root / "outputs" / unit / str(YEAR) for unit in ("library", BUREAU)]
    for folder in missing:
        (folder / "report.pdf").unlink(missing_ok=True)
    kept = root / "outputs" / "museum" / str(YEAR) / "report.pdf"
    kept_bytes = kept.read_bytes() if kept.is_file() else None
    done = subprocess.run(
        [sys.executable, "-m", "selfeval", "pdf"],
        env={**os.environ, "SELFEVAL_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for folder in missing:
        assert f"[{folder.parent.name}/{YEAR}] 已生成" in done.stdout
        assert pdfcheck.page_count(folder / "report.pdf") >= 1
        stamp = json.loads((folder / "stamp.json").read_text(encoding="utf-8"))
        assert stamp["products"]["report.pdf"] == hash_tree(folder / "report.pdf")
    assert (kept.read_bytes() if kept.is_file() else None) == kept_bytes  # current: untouched


def test_the_overview_lists_every_unit_by_its_own_name_sortable_and_offline(project):
    page = project / "outputs" / "index.html"
    soup = _soup(page)
    assert soup.find("script") is None and soup.find("link") is None
    orders = soup.select(".overview .order")
    assert [o["id"] for o in orders] == [
        "by-name",
        "by-score",
        "by-grade",
        "by-execution_rate",
        "by-flagged",
    ]
    names = [tr.td.get_text() for tr in orders[0].select("tbody tr")]
    assert names == sorted([*UNITS.values(), DEPARTMENT[1]])
    headers = [a["href"] for a in orders[0].select("thead a")]
    assert headers == [f"#{o['id']}" for o in orders]
    for tag in soup.find_all(href=True):
        if not tag["href"].startswith("#"):
            assert (page.parent / tag["href"]).is_file(), tag["href"]


@pytest.mark.no_pdf  # reads no PDF
def test_a_changed_unit_rebuilds_itself_and_its_department_only(project, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    before = {u: hash_tree(root / "outputs" / u / str(YEAR) / "report.html") for u in UNITS}
    renamed = "示例区合成文物管理所"
    set_unit_items(root / "data" / "raw" / "museum" / str(YEAR), {"单位名称": renamed})
    # the department states its total 执行数 (本级 and its three units, summed by hand from
    # their results.json) and now declares only units that exist, so the sum is complete
    stated = 0.0
    for unit in [BUREAU, *UNITS]:
        types = _processed(root, unit)["figures"]["spending"]["types"]
        stated += sum(t["total"]["actual"] for t in types.values() if t)
    set_unit_items(
        root / "data" / "raw" / BUREAU / str(YEAR),
        {"下属单位": "、".join(UNITS), "部门合计执行数": f"{stated:.2f}"},
    )
    keys = [Key(u, YEAR) for u in [*UNITS, BUREAU]]
    result = run_batch(keys, jobs=2, root=root, tty=False)
    statuses = {p.key.unit: p.status for p in result.plans}
    assert statuses == {"library": UNCHANGED, "museum": BUILT, "culture": UNCHANGED, BUREAU: BUILT}
    assert hash_tree(root / "outputs" / "library" / str(YEAR) / "report.html") == before["library"]
    # the department's report, in both formats, now states the unit as it is now
    out = root / "outputs" / BUREAU / str(YEAR)
    names = [r[0] for r in _html_tables(out / "report.html")["department-units"]]
    assert names[2] == renamed and UNITS["museum"] not in names
    assert any(renamed in row[0] for t in _docx_tables(out / "report.docx") for row in t)
    agrees = f"部门合计执行数：填报{stated:.2f}万元，本级与下属单位合计{stated:.2f}万元，一致。"
    assert agrees in _soup(out / "report.html").find(id="department").get_text()
    assert agrees in [p.text for p in docx.Document(str(out / "report.docx")).paragraphs]
    again = run_batch(keys, jobs=2, root=root, tty=False)
    assert {p.status for p in again.plans} == {UNCHANGED}


# ---------------------------------------------------------------------------------------------
# A 主管部门 is never a run behind, and a list it cannot sum is an error (issue 27)

#: 支出 of 示例区合成文管所 rewritten by hand: 人员支出 and one project spent less.
MUSEUM_SPENDING = [
    ["预算类型", "支出类别", "支出项目", "预算数（万元）", "执行数（万元）", "说明"],
    ["一般公共预算", "基本支出", "人员支出", "51.45", "49.31", ""],
    ["一般公共预算", "基本支出", "公用支出", "5.19", "5.09", ""],
    ["一般公共预算", "基本支出", "合计", "", "54.40", ""],
    ["一般公共预算", "项目支出", "图书购置专项（合成）", "9.89", "9.89", "合成数据"],
    ["一般公共预算", "项目支出", "阅读推广专项（合成）", "7.61", "6.12", "合成数据"],
    ["一般公共预算", "项目支出", "数字资源建设专项（合成）", "8.26", "8.26", "合成数据"],
    ["一般公共预算", "项目支出", "合计", "", "24.27", ""],
    ["政府性基金预算", "", "合计", "", "0", "无"],
]


def _stated_actual(folder: Path) -> float:
    """A unit's total 执行数 as its 支出.csv states it: the sum of its 合计 rows."""
    text = next(folder.glob("支出*.csv")).read_bytes().decode("utf-8-sig")
    return sum(float(r[4]) for r in csv.reader(io.StringIO(text)) if r[2] == "合计" and r[4])


@pytest.mark.no_pdf  # reads no PDF
def test_a_department_counting_a_department_shows_its_new_figures_after_one_run(project, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    museum = root / "data" / "raw" / "museum" / str(YEAR)
    # the museum becomes a department itself, and spends less: 54.40 + 24.27 + 0 = 78.67
    set_unit_items(museum, {"下属单位": "示例区不存在的二级单位"})
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(MUSEUM_SPENDING)
    next(museum.glob("支出*.csv")).write_bytes(out.getvalue().encode("utf-8-sig"))
    assert _stated_actual(museum) == pytest.approx(78.67)
    keys = [Key(u, YEAR) for u in [*UNITS, BUREAU]]
    result = run_batch(keys, jobs=2, root=root, tty=False)
    statuses = {p.key.unit: p.status for p in result.plans}
    assert statuses == {"library": UNCHANGED, "museum": BUILT, "culture": UNCHANGED, BUREAU: BUILT}
    tables = _html_tables(root / "outputs" / BUREAU / str(YEAR) / "report.html")
    rows = {r[0]: r for r in tables["department-units"]}
    assert rows[UNITS["museum"]][2] == "78.67"  # the museum's 执行数 of this run, not 81.29
    total = sum(_stated_actual(root / "data" / "raw" / u / str(YEAR)) for u in [BUREAU, *UNITS])
    spending = {r[0]: r for r in tables["department-spending"]}
    assert spending["合计"][2] == f"{total:.2f}"
    again = run_batch(keys, jobs=2, root=root, tty=False)  # settled: nothing left to rebuild
    assert {p.status for p in again.plans} == {UNCHANGED}


def test_a_unit_listed_twice_or_departments_listing_each_other_fail_only_their_year(
    project, tmp_path
):
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    raw = root / "data" / "raw"
    # the bureau lists the library by folder and by 单位名称 (counted twice: 700.13-style sums),
    # and itself; the museum and the culture centre list each other
    set_unit_items(raw / BUREAU / str(YEAR), {"下属单位": f"library、{UNITS['library']}、bureau"})
    set_unit_items(raw / "museum" / str(YEAR), {"下属单位": "culture"})
    set_unit_items(raw / "culture" / str(YEAR), {"下属单位": UNITS["museum"]})
    set_unit_items(raw / "library" / str(YEAR), {"填报日期": "2025-01-12"})  # still builds
    failing = ("bureau", "museum", "culture")
    before = {
        u: (tree(root / "outputs" / u / str(YEAR)), tree(root / "data" / "processed" / u))
        for u in failing
    }
    proc = run_build(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines() if f"/{YEAR} " in line}
    built = rows[f"library/{YEAR}"]  # 已生成, or 草稿 (built, still a draft)
    assert "失败" not in built and built.endswith(f"outputs/library/{YEAR}/report.html"), built
    twice = f"「library」、「{UNITS['library']}」是同一个单位（data/raw/library/），列了 2 次"
    itself = "列出了本单位自己（「bureau」，data/raw/bureau/）"
    assert twice in rows[f"bureau/{YEAR}"] and itself in rows[f"bureau/{YEAR}"]
    cycle = (
        f"data/raw/culture/{YEAR}（{UNITS['culture']}） 列出 data/raw/museum/{YEAR}，"
        f"data/raw/museum/{YEAR}（{UNITS['museum']}） 列出 data/raw/culture/{YEAR}"
    )
    assert cycle in rows[f"culture/{YEAR}"] and proc.stdout.count(cycle) == 1
    assert f"见 data/raw/culture/{YEAR} 的错误" in rows[f"museum/{YEAR}"]
    for unit in failing:  # nothing of a failed year was touched
        after = (
            tree(root / "outputs" / unit / str(YEAR)),
            tree(root / "data" / "processed" / unit),
        )
        assert after == before[unit], unit


@pytest.mark.no_pdf  # reads no PDF
def test_a_units_altered_results_fail_its_department_naming_the_unit_file_and_key(
    project, tmp_path
):
    """A unit's results.json edited by hand (a decimal comma: 「96,23」): the department's year
    fails at 02 with one Chinese line naming the unit, the file, the key and the command, and
    keeps its report; a lenient reader summed the figure as 9623万元."""
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    path = root / "data" / "processed" / "library" / str(YEAR) / "results.json"
    stored = json.loads(path.read_text("utf-8"))
    stored["figures"]["spending"]["types"]["一般公共预算"]["total"]["actual"] = "96,23"
    path.write_text(json.dumps(stored, ensure_ascii=False), "utf-8")
    out = root / "outputs" / BUREAU / str(YEAR)
    reports = ("report.html", "report.docx")
    before = [(out / name).read_bytes() for name in reports]
    proc = run_build(root, "--units", BUREAU, "--years", str(YEAR))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [line] = [x for x in proc.stdout.splitlines() if x.startswith(f"[{BUREAU}/{YEAR}] 失败")]
    assert f"MemberResultsError: 下属单位「{UNITS['library']}」的分析结果" in line
    assert f"来自 data/processed/library/{YEAR}/results.json" in line
    assert "figures.spending.types.一般公共预算.total.actual 应为数字" in line
    assert f'make report UNITS="library" YEARS="{YEAR}"' in line
    assert "Traceback" not in proc.stdout + proc.stderr
    assert [(out / name).read_bytes() for name in reports] == before  # the last good run's


@pytest.mark.no_pdf  # reads no PDF
def test_a_name_two_unit_folders_share_is_an_error_naming_both_folders(project, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(project, root)
    raw = root / "data" / "raw"
    shutil.copytree(raw / "library", raw / "library2")  # a copied unit, its 单位名称 unchanged
    set_unit_items(raw / BUREAU / str(YEAR), {"下属单位": f"{UNITS['library']}、museum"})
    before = tree(root / "outputs" / BUREAU / str(YEAR))
    keys = [Key(u, YEAR) for u in [*UNITS, BUREAU, "library2"]]
    result = run_batch(keys, jobs=2, root=root, tty=False)
    plans = {p.key.unit: p for p in result.plans}
    assert plans["library2"].status == BUILT  # the other units still build
    assert plans[BUREAU].status == FAILED
    assert (
        f"「{UNITS['library']}」是 data/raw/library/、data/raw/library2/ 2 个单位目录共同的单位名称"
        in plans[BUREAU].error
    )
    assert tree(root / "outputs" / BUREAU / str(YEAR)) == before


# ---------------------------------------------------------------------------------------------
# A raw file saved while its year is being built (issue 17)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build_editing(root: Path, edits: int) -> tuple[int, str]:
    """Run the batch; each time 01 has read the data ("开始 analyze"), save the workbook again
    (an analyst's edit), at most `edits` times."""
    env = {**os.environ, "SELFEVAL_ROOT": str(root), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "selfeval", "build", "--jobs", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    spending = next((root / "data" / "raw" / str(YEAR)).glob("支出*.csv"))
    lines = []
    done = 0

    def pump():
        nonlocal done
        for line in proc.stdout:
            lines.append(line)
            if f"[{YEAR}] 开始 analyze" in line and done < edits:
                data = spending.read_bytes()
                spending.write_bytes(
                    data.replace(b"\r\n", b"\n") if b"\r\n" in data else data + b"\n"
                )
                done += 1

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    code = proc.wait(timeout=600)
    thread.join(10)
    return code, "".join(lines)


@pytest.fixture
def single(tmp_path) -> Path:
    write_synthetic_years(tmp_path / "data" / "raw", [YEAR], activities_per_year=4)
    assert run_batch([YEAR], jobs=1, root=tmp_path, tty=False).exit_status == 0
    return tmp_path


@pytest.mark.no_pdf  # reads no PDF
def test_a_workbook_saved_once_during_the_build_is_rebuilt_from_what_it_holds_now(single):
    _force(single)
    code, output = _build_editing(single, edits=1)
    assert code == 0, output
    assert "重新生成一次" in output
    raw = single / "data" / "raw" / str(YEAR)
    stamp = json.loads((single / "outputs" / str(YEAR) / "stamp.json").read_text("utf-8"))
    assert stamp["inputs"]["raw"] == hash_tree(raw)  # the stamp covers exactly what was read
    meta = json.loads((single / "data" / "processed" / str(YEAR) / "meta.json").read_text("utf-8"))
    assert {s["file"]: s["sha256"] for s in meta["sources"]} == {
        p.name: _sha(p) for p in raw.iterdir() if p.name in {s["file"] for s in meta["sources"]}
    }


@pytest.mark.no_pdf  # reads no PDF
def test_a_workbook_saved_during_every_attempt_fails_and_keeps_the_earlier_report(single):
    _force(single)
    before = {p.name: _sha(p) for p in (single / "outputs" / str(YEAR)).iterdir() if p.is_file()}
    processed = hash_tree(single / "data" / "processed" / str(YEAR))
    code, output = _build_editing(single, edits=2)
    assert code == 1, output
    assert CHANGED_DURING_BUILD in output
    after = {p.name: _sha(p) for p in (single / "outputs" / str(YEAR)).iterdir() if p.is_file()}
    assert after == before and hash_tree(single / "data" / "processed" / str(YEAR)) == processed
    # the next run (nothing edited) rebuilds and stamps what it read
    result = run_batch([YEAR], jobs=1, root=single, tty=False)
    assert [p.status for p in result.plans] == [BUILT]
    assert FAILED not in {p.status for p in result.plans}


def _force(root: Path) -> None:
    """Make the year stale without touching the raw data (its stamp says another code)."""
    stamp_path = root / "outputs" / str(YEAR) / "stamp.json"
    stamp = json.loads(stamp_path.read_text("utf-8"))
    stamp["inputs"]["package"] = "stale"
    stamp_path.write_text(json.dumps(stamp), encoding="utf-8")
