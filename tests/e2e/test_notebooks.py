"""The three notebooks: parameter cells, no definitions, clean commits, and real papermill runs."""

from __future__ import annotations

import ast
import json

import nbformat
import openpyxl
import pytest
from bs4 import BeautifulSoup

from selfeval import config
from selfeval.run import notebooks as render
from selfeval.synthetic import write_synthetic_years

pytestmark = pytest.mark.no_pdf

NOTEBOOKS = [config.NOTEBOOKS_DIR / name for _, name in render.STAGES]
PARAMETERS = {
    "year": ("int", 2024),
    "unit": ("str", ""),
    "raw_dir": ("str", ""),
    "processed_dir": ("str", ""),
    "output_dir": ("str", ""),
    "previous_processed_dir": ("str", ""),
}
ESCAPE = "<script>alert(1)</script>"


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_first_with_typed_literals_and_comments(path):
    nb = nbformat.read(path, as_version=4)
    first = _code_cells(nb)[0]
    assert first.metadata.get("tags") == ["parameters"]
    tree = ast.parse(first.source)
    found = {}
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), ast.dump(node)  # typed, nothing derived
        assert isinstance(node.value, ast.Constant)
        found[node.target.id] = (node.annotation.id, node.value.value)
    # 02 alone has `charts`, which the batch turns off (run.notebooks.STAGE_PARAMETERS); 03
    # alone has `word`, which the preview turns off (it shows the page only)
    extra = {
        "02": {"charts": ("bool", True)},
        "03": {"word": ("bool", True)},
    }.get(path.name[:2], {})
    assert found == {**PARAMETERS, **extra}
    for line in first.source.splitlines():
        if not line or line.startswith("# "):
            continue  # the comment that heads the batch's folder parameters
        assert "  # " in line and any("\u4e00" <= ch <= "\u9fff" for ch in line.split("#", 1)[1])
    # An analyst sees year (and unit) first; the folders are grouped below, for the batch.
    head, batch = first.source.split("\n\n# ", 1)
    assert head.startswith('year: int = 2024  # 报告年度\nunit: str = ""  # ')
    assert "make report" in batch.splitlines()[0]
    assert [n for n in found if n.endswith("_dir")] == [
        n for n in PARAMETERS if n.endswith("_dir")
    ] and all(n in batch for n in found if n.endswith("_dir"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_def_or_class_in_notebooks(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
            ), cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_with_project_kernel(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == config.KERNEL_NAME
    for cell in _code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None
    # derived values live in the cell after the parameters, from selfeval.config.resolve_dirs
    assert "resolve_dirs(year, raw_dir, processed_dir, output_dir" in _code_cells(nb)[1].source


def test_notebook_order_is_clean_analyze_report():
    assert [name for _, name in render.STAGES] == [
        "01_clean.ipynb",
        "02_analyze.ipynb",
        "03_report.ipynb",
    ]
    assert [stage for stage, _ in render.STAGES] == ["clean", "analyze", "report"]


# ---------------------------------------------------------------------------------------------
# Executed by papermill on synthetic fixture years in a temporary project


@pytest.fixture(scope="module")
def project(tmp_path_factory, monkeypatch_module):
    """A temporary project root with two synthetic years; 2023 has an activity named <script>."""
    root = tmp_path_factory.mktemp("project")
    raw = root / "data" / "raw"
    folders = write_synthetic_years(raw, [2022, 2023], activities_per_year=6, seed=7, fmt="xlsx")
    workbook = next(folders[1].glob("*.xlsx"))
    wb = openpyxl.load_workbook(workbook)
    sheet = wb["活动"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("名称") + 1, value=ESCAPE)
    wb.save(workbook)
    # the kernel inherits the environment: its default paths point into this project
    monkeypatch_module.setenv("SELFEVAL_ROOT", str(root))
    return root


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def defaults_run(project):
    """01 and 02 for 2022 with only `-p year 2022`: every path from the defaults."""
    executed = []
    for name in ("01_clean.ipynb", "02_analyze.ipynb"):
        dst = project / "executed" / name
        render.run_notebook(config.NOTEBOOKS_DIR / name, dst, {"year": 2022}, build_root=project)
        executed.append(dst)
    return executed


@pytest.fixture(scope="module")
def built_2023(project, defaults_run):
    stages: list[str] = []
    result = render.build_year(
        2023,
        project / "data" / "raw" / "2023",
        project / "data" / "processed" / "2023",
        project / "outputs" / "2023",
        previous_processed_dir=project / "data" / "processed" / "2022",
        on_stage=stages.append,
        build_root=project,
    )
    return result, stages


@pytest.mark.slow
def test_defaults_write_into_the_project_locations(project, defaults_run):
    processed = project / "data" / "processed" / "2022"
    assert (processed / "activities.parquet").is_file()
    assert (processed / "meta.json").is_file()
    summary = json.loads((processed / "summary.json").read_text(encoding="utf-8"))
    assert summary["year"] == 2022
    assert set(summary) >= {
        "total_spending",
        "events",
        "sessions",
        "participants_offline",
        "participants_online",
        "books",
        "materials",
        "holdings",
        "satisfaction",
    }
    assert isinstance(summary["events"], int) and summary["events"] > 0


@pytest.mark.slow
def test_build_year_runs_stages_in_order(built_2023):
    result, stages = built_2023
    assert stages == ["clean", "analyze", "report", "export"]
    assert result["report_html"].is_file() and result["report_ipynb"].is_file()
    assert result["report_ipynb"].name == "report.ipynb"
    assert result["summary"].is_file()


@pytest.mark.slow
def test_activity_named_script_shows_as_text(built_2023):
    result, _ = built_2023
    soup = BeautifulSoup(result["report_html"].read_text(encoding="utf-8"), "html.parser")
    assert soup.find_all("script") == []
    events = [p.get_text() for p in soup.select("p.event")]
    assert any(f"“{ESCAPE}”" in p for p in events)


@pytest.mark.slow
def test_year_on_year_against_previous_year_of_same_unit(built_2023):
    result, _ = built_2023
    soup = BeautifulSoup(result["report_html"].read_text(encoding="utf-8"), "html.parser")
    table = soup.find("table", class_="yoy")
    assert table is not None
    headers = [th.get_text() for th in table.thead.find_all("th")]
    assert headers == ["指标", "2022年", "2023年", "增减", "增减率"]
    labels = [tr.th.get_text() for tr in table.tbody.find_all("tr")]
    assert "一般公共预算支出（万元）" in labels


@pytest.mark.slow
def test_no_warning_or_error_output_while_running(built_2023, defaults_run):
    result, _ = built_2023
    for path in [result["report_ipynb"], *defaults_run]:
        nb = nbformat.read(path, as_version=4)
        for cell in _code_cells(nb):
            for out in cell.get("outputs", []):
                assert out.output_type != "error", out
                if out.output_type == "stream":
                    assert out.name == "stdout", out.text  # no warning (e.g. a missing glyph)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["02_analyze.ipynb", "03_report.ipynb"])
def test_running_a_later_notebook_first_says_what_to_run(project, name):
    """JupyterLab: 02 or 03 for a year that was never cleaned tells the analyst what to do."""
    import papermill as pm

    dst = project / "executed" / f"uncleaned-{name}"
    with pytest.raises(pm.PapermillExecutionError) as caught:
        render.run_notebook(config.NOTEBOOKS_DIR / name, dst, {"year": 2031}, build_root=project)
    shown = "\n".join(caught.value.traceback)
    assert "请先运行 notebooks/01_clean.ipynb" in shown and "make report YEARS=2031" in shown
    assert "FileNotFoundError" not in shown and "Traceback" not in shown
    assert caught.value.ename == "StageOrderError"


# ---------------------------------------------------------------------------------------------
# What an analyst reads in each executed notebook (issue 28)

RAW_IN_OUTPUT = ("NaN", "PosixPath", "{'", "': ", " at 0x", "<NA>", "Traceback")
ENGLISH_KEYS = ("data_date", "total_income", "listings", "offline", "online", "category")


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [o for c in _code_cells(nb) for o in c.get("outputs", [])]


def _shown_text(output) -> str:
    """What JupyterLab shows of an output: its richest text form (stream text, error lines)."""
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join(output.traceback)
    data = output.get("data", {})
    for mime in ("text/html", "text/markdown", "text/plain"):
        if mime in data:
            return data[mime]
    return ""


@pytest.mark.slow
def test_clean_with_a_typo_shows_the_problem_table_not_a_traceback(project):
    import shutil

    import papermill as pm

    raw = project / "data" / "raw"
    shutil.copytree(raw / "2022", raw / "2031")
    workbook = next((raw / "2031").glob("*.xlsx"))
    wb = openpyxl.load_workbook(workbook)
    sheet = wb["支出"]
    headers = [c.value for c in sheet[1]]
    column = next(i for i, h in enumerate(headers) if str(h).startswith("执行数")) + 1
    sheet.cell(row=2, column=column, value="3O.2")
    wb.save(workbook)
    dst = project / "executed" / "typo-01.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as caught:
        render.run_notebook(
            config.NOTEBOOKS_DIR / "01_clean.ipynb", dst, {"year": 2031}, build_root=project
        )
    assert caught.value.ename == "InputError"  # the batch still stops, on the input
    outputs = _outputs(dst)
    tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(tables) == 1
    soup = BeautifulSoup(tables[0].data["text/html"], "html.parser")
    assert [th.get_text() for th in soup.find_all("th")] == [
        "文件",
        "工作表",
        "行",
        "列",
        "取值",
        "问题",
        "应填写",
    ]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in soup.find("tbody").find_all("tr")]
    cells = next(r for r in rows if r[4] == "3O.2")
    assert cells[:3] == [workbook.name, "支出", "2"]
    assert cells[5] == "不是金额数字：含有字母O，应为数字0"
    error = next(o for o in outputs if o.output_type == "error")
    shown = "\n".join(error.traceback)
    assert "Traceback" not in shown and ".py" not in shown and "见上表" in shown
    assert not (project / "data" / "processed" / "2031").exists()


@pytest.mark.slow
def test_analysis_reads_as_chinese_tables_and_charts(project, defaults_run):
    outputs = _outputs(defaults_run[1])
    texts = [_shown_text(o) for o in outputs]
    for text in texts:
        for raw in RAW_IN_OUTPUT:
            assert raw not in text, (raw, text[:300])
        assert not any(f"'{key}'" in text or f">{key}<" in text for key in ENGLISH_KEYS), text
    page = "\n".join(texts)
    for header in ("预算类型", "执行数（万元）", "占一般公共预算支出", "活动类别", "检查项"):
        assert f">{header}</th>" in page, header
    assert "未填报" in page and "✓" in page
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    # it still writes what 03 and the batch read
    processed = project / "data" / "processed" / "2022"
    assert (processed / "results.json").is_file() and (processed / "summary.json").is_file()


@pytest.mark.slow
def test_report_previews_as_printed_and_ends_on_where_files_are(built_2023):
    result, _ = built_2023
    outputs = _outputs(result["report_ipynb"])
    last = outputs[-1]
    assert last.output_type == "stream"
    assert (
        last.text.startswith("报告文件在 ") and "outputs/2023：report.docx（报送稿）" in last.text
    )
    assert "PosixPath" not in last.text and last.text.count("\n") == 1
    previews = [o for o in outputs if o.output_type == "execute_result"]
    assert len(previews) == 1 and previews[0].data["text/html"].startswith("<iframe")
    assert "<iframe" not in result["report_html"].read_text(encoding="utf-8")
