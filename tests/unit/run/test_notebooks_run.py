"""render: parameter validation before any kernel, reproducible execution, offline export."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from selfeval import config
from selfeval.errors import BuildError, UnsafeParameterError
from selfeval.run import notebooks as render

pytestmark = pytest.mark.no_pdf

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import|import\(""",
    re.I,
)


def _notebook(path: Path, *cells: str, parameters: str = "year: int = 2024  # 报告年度") -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": config.KERNEL_NAME,
        "display_name": "selfeval",
        "language": "python",
    }
    nb.cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    nb.cells += [new_code_cell(c) for c in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"t-{i}"
    nbformat.write(nb, path)
    return path


# ---------------------------------------------------------------------------------------------
# Validation: refused before a kernel starts (papermill would create dst; nothing may exist).


@pytest.mark.parametrize("year", [24, 20245, "2024", 2024.0, True, -2024])
def test_bad_year_is_refused_before_any_kernel(tmp_path, year):
    src = _notebook(tmp_path / "nb.ipynb", "print(year)")
    dst = tmp_path / "out.ipynb"
    with pytest.raises(UnsafeParameterError, match="四位整数"):
        render.run_notebook(src, dst, {"year": year}, build_root=tmp_path)
    assert not dst.exists()


@pytest.mark.parametrize(
    "key,value",
    [
        ("raw_dir", "../../../etc"),
        ("processed_dir", "/etc"),
        ("output_dir", "data/../../outside"),
    ],
)
def test_escaping_path_is_refused(tmp_path, key, value):
    src = _notebook(tmp_path / "nb.ipynb", "print(year)")
    dst = tmp_path / "out.ipynb"
    with pytest.raises(UnsafeParameterError, match="不在项目目录或构建目录"):
        render.run_notebook(src, dst, {"year": 2024, key: value}, build_root=tmp_path)
    assert not dst.exists()


def test_destination_outside_roots_is_refused(tmp_path):
    src = _notebook(tmp_path / "nb.ipynb", "print(year)")
    with pytest.raises(UnsafeParameterError):
        render.run_notebook(
            src, tmp_path / ".." / "escaped.ipynb", {"year": 2024}, build_root=tmp_path
        )
    assert not (tmp_path.parent / "escaped.ipynb").exists()


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, object(), Path("/tmp")])
def test_non_literal_parameter_is_refused(tmp_path, value):
    src = _notebook(tmp_path / "nb.ipynb", "print(year)")
    with pytest.raises(UnsafeParameterError, match="数字、字符串"):
        render.run_notebook(
            src, tmp_path / "o.ipynb", {"year": 2024, "x": value}, build_root=tmp_path
        )


def test_parameter_name_must_be_identifier(tmp_path):
    src = _notebook(tmp_path / "nb.ipynb", "print(year)")
    with pytest.raises(UnsafeParameterError, match="参数名"):
        render.run_notebook(src, tmp_path / "o.ipynb", {"year; import os": 1}, build_root=tmp_path)


def test_build_year_refuses_bad_year_and_escaping_dirs(tmp_path):
    with pytest.raises(UnsafeParameterError):
        render.build_year(99, tmp_path, tmp_path / "p", tmp_path / "o", build_root=tmp_path)
    with pytest.raises(UnsafeParameterError):
        render.build_year(2024, Path("/etc"), tmp_path / "p", tmp_path / "o", build_root=tmp_path)
    assert not (tmp_path / "o").exists()


def test_relative_paths_resolve_against_project_root():
    roots = [Path(config.PROJECT_ROOT).resolve()]
    assert render.check_path("data/raw/2024", roots, "raw_dir") == roots[0] / "data/raw/2024"


# ---------------------------------------------------------------------------------------------
# Execution and export


@pytest.mark.slow
def test_run_notebook_is_reproducible_and_export_is_offline(tmp_path):
    src = _notebook(
        tmp_path / "nb.ipynb",
        "from IPython.display import HTML, display\n"
        "title = '某单位' + str(year) + '年度整体支出绩效自评报告'\n"
        "display(HTML('<p>正文 ' + str(year) + '</p>'), metadata={'selfeval': {'title': title}})",
        "print('日志不进入报告')\nimport uuid\nx = 1",
    )
    a = render.run_notebook(src, tmp_path / "a.ipynb", {"year": 2031}, build_root=tmp_path)
    b = render.run_notebook(src, tmp_path / "b.ipynb", {"year": 2031}, build_root=tmp_path)
    assert a.read_bytes() == b.read_bytes()
    nb = nbformat.read(a, as_version=4)
    assert "papermill" not in nb.metadata
    assert all("execution" not in c.metadata and "papermill" not in c.metadata for c in nb.cells)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "year = 2031" in injected[0].source  # parameters recorded for audit
    assert nb.metadata["title"] == "某单位2031年度整体支出绩效自评报告"

    html_a = render.export_html(a, tmp_path / "a.html")
    html_b = render.export_html(b, tmp_path / "b.html")
    assert html_a.read_bytes() == html_b.read_bytes()
    text = html_a.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    assert soup.title.string == "某单位2031年度整体支出绩效自评报告"
    assert soup.find_all("script") == []
    assert not EXTERNAL.search(text)
    assert "http://" not in text and "https://" not in text
    assert "正文 2031" in soup.get_text()
    assert "日志不进入报告" not in text  # stream output is not part of the document
    assert "import uuid" not in text  # no code
    assert "year = 2031" not in text  # injected parameters removed
    assert soup.find(class_="jp-InputPrompt") is None


@pytest.mark.slow
def test_failing_notebook_raises_with_executed_notebook_kept(tmp_path):
    src = _notebook(tmp_path / "nb.ipynb", "raise ValueError('坏数据')")
    dst = tmp_path / "out.ipynb"
    with pytest.raises(Exception, match="坏数据"):
        render.run_notebook(src, dst, {"year": 2024}, build_root=tmp_path)
    nb = nbformat.read(dst, as_version=4)
    assert any(o.get("ename") == "ValueError" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_build_year_names_year_and_stage_and_keeps_failed_notebook(tmp_path):
    raw = tmp_path / "raw" / "2024"
    raw.mkdir(parents=True)
    # contract v2 needs only 单位名称; a 单位概况 without it is the one problem
    (raw / "单位概况.csv").write_text("项目,内容\n单位性质,事业单位\n", encoding="utf-8")
    stages: list[str] = []
    out = tmp_path / "out" / "2024"
    with pytest.raises(BuildError) as info:
        render.build_year(
            2024, raw, tmp_path / "p" / "2024", out, on_stage=stages.append, build_root=tmp_path
        )
    assert stages == ["clean"]
    assert info.value.year == 2024 and info.value.stage == "clean"
    assert "2024" in str(info.value) and "clean" in str(info.value)
    assert "单位名称" in str(info.value)  # the cleaner's message about the missing item
    assert (out / "failed" / "01_clean.ipynb").is_file()
    assert not (out / "report.html").exists()
    assert not (tmp_path / "p" / "2024").exists()
    # A clerk reads the problems first; the notebook kept for debugging is named after them.
    lines = str(info.value).splitlines()
    assert lines[0].startswith("2024 年度的输入数据有") and "InputError" not in lines[0]
    problems = [n for n, line in enumerate(lines) if line.startswith("  - ")]
    debug = [n for n, line in enumerate(lines) if "调试" in line]
    assert problems and debug == [len(lines) - 1] and max(problems) < debug[0]
    assert str(out / "failed" / "01_clean.ipynb") in lines[-1]


def test_export_drops_markdown_and_parameters(tmp_path):
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# 分析人员的笔记"),
        new_code_cell("year = 2024", metadata={"tags": ["parameters"]}),
    ]
    nb.cells[1].outputs = []
    shown = new_code_cell("x")
    shown.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<p>可见</p>"}),
        nbformat.v4.new_output("stream", name="stderr", text="warning"),
    ]
    nb.cells.append(shown)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    html = render.export_html(path, tmp_path / "nb.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert "可见" in soup.get_text()
    assert "分析人员的笔记" not in html
    assert "warning" not in soup.get_text()
    assert soup.title.string == render.DEFAULT_TITLE


def test_resolve_dirs_defaults_and_explicit(tmp_path):
    dirs = config.resolve_dirs(2024)
    assert dirs["raw"] == config.raw_root() / "2024"
    assert dirs["processed"] == config.processed_root() / "2024"
    assert dirs["output"] == config.outputs_root() / "2024"
    prev = tmp_path / "prev"
    assert config.resolve_dirs(2024, previous_processed_dir=str(prev))["previous_processed"] is None
    prev.mkdir()
    (prev / "meta.json").write_text("{}", encoding="utf-8")
    explicit = config.resolve_dirs(2024, str(tmp_path / "r"), "", "", str(prev))
    assert explicit["raw"] == tmp_path / "r"
    assert explicit["previous_processed"] == prev


def test_resolve_dirs_of_a_unit(tmp_path, monkeypatch):
    """`unit` (the notebooks' parameter in a project of several units) picks that unit's
    folders; a name that cannot be a unit folder (a path, ..) is refused before any write."""
    from selfeval.errors import FolderRefused

    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    previous = tmp_path / "data" / "processed" / "图书馆" / "2023"
    previous.mkdir(parents=True)
    (previous / "meta.json").write_text("{}", encoding="utf-8")
    dirs = config.resolve_dirs(2024, unit="图书馆")
    assert dirs["raw"] == tmp_path / "data" / "raw" / "图书馆" / "2024"
    assert dirs["processed"] == tmp_path / "data" / "processed" / "图书馆" / "2024"
    assert dirs["output"] == tmp_path / "outputs" / "图书馆" / "2024"
    assert dirs["previous_processed"] == previous
    for bad in ("a/b", "..", "x "):
        with pytest.raises(FolderRefused, match="unit="):
            config.resolve_dirs(2024, unit=bad)
    assert not (tmp_path / "outputs").exists()
