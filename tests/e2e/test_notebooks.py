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
    assert found == PARAMETERS
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
