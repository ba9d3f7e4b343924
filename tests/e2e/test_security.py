"""Security (issue 6): nothing from data is executed, escapes the page, or reaches outside it.

- parameters for papermill are validated before any kernel starts, and a hostile-but-legal path
  is passed to the kernel as a string, never as code;
- markup typed into the data shows as text in a real browser and runs nothing;
- a built report references nothing outside itself;
- the one export of data to a workbook (the next-year template) neutralises formula triggers.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup, Comment
from support import HOSTILE_TEXTS, HOSTILE_YEAR, SYNTHETIC_YEARS, build_project, shared_browser

from selfeval import config
from selfeval.errors import UnsafeParameterError
from selfeval.run import notebooks as render

pytestmark = pytest.mark.no_pdf


def _notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": config.KERNEL_NAME,
        "language": "python",
        "display_name": "selfeval",
    }
    params = nbformat.v4.new_code_cell(
        'year: int = 2024\nraw_dir: str = ""\nprocessed_dir: str = ""'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


# ---------------------------------------------------------------------------------------------
# Parameters for papermill


@pytest.mark.parametrize(
    "year", ["2024", 24, 20245, True, 2024.0, "2024; import os", -2024, None, [2024]]
)
def test_bad_year_refused_before_any_kernel(tmp_path, year) -> None:
    src = _notebook(tmp_path / "p.ipynb", "print(year)")
    dst = tmp_path / "out.ipynb"
    with pytest.raises(UnsafeParameterError):
        render.run_notebook(src, dst, {"year": year}, build_root=tmp_path)
    assert not dst.exists()


@pytest.mark.parametrize("year", ["2024", 999, "../2024"])
def test_build_year_refuses_bad_year(tmp_path, year) -> None:
    with pytest.raises(UnsafeParameterError):
        render.build_year(
            year, tmp_path / "raw", tmp_path / "p", tmp_path / "o", build_root=tmp_path
        )
    assert not (tmp_path / "o").exists()


def test_paths_escaping_the_project_are_refused(tmp_path) -> None:
    inside = tmp_path / "build"
    inside.mkdir()
    (inside / "link").symlink_to("/etc")
    src = _notebook(inside / "p.ipynb", "print(raw_dir)")
    dst = inside / "out.ipynb"
    escaping = [
        "../../../../../../etc",
        "/etc",
        str(inside / ".." / "elsewhere"),
        str(inside / "link"),  # a symlink inside that points outside
        str(inside / "link" / "passwd"),
    ]
    for value in escaping:
        with pytest.raises(UnsafeParameterError):
            render.run_notebook(src, dst, {"year": 2024, "raw_dir": value}, build_root=inside)
    with pytest.raises(UnsafeParameterError):  # the executed notebook may not land outside either
        render.run_notebook(src, tmp_path / "escaped.ipynb", {"year": 2024}, build_root=inside)
    with pytest.raises(UnsafeParameterError):
        render.build_year(2024, Path("/etc"), inside / "p", inside / "o", build_root=inside)
    assert not dst.exists() and not (tmp_path / "escaped.ipynb").exists()


@pytest.mark.parametrize(
    "parameters",
    [
        {"year": 2024, "raw_dir": ["/etc"]},
        {"year": 2024, "raw_dir": {"a": 1}},
        {"year": 2024, "processed_dir": 42},
        {"year": 2024, "x; import os": 1},
        {"year": 2024, "__import__('os')": 1},
    ],
)
def test_non_literal_or_odd_parameters_refused(tmp_path, parameters) -> None:
    src = _notebook(tmp_path / "p.ipynb", "print(year)")
    with pytest.raises(UnsafeParameterError):
        render.run_notebook(src, tmp_path / "out.ipynb", parameters, build_root=tmp_path)


@pytest.mark.slow
def test_hostile_folder_names_reach_the_kernel_as_plain_strings(tmp_path) -> None:
    """Legal folder names inside the project that look like code are passed as data."""
    names = [
        "x'); open('PWNED-1', 'w').write('1'); ('",
        'y"""\nimport os; os.system("touch PWNED-2")\n"""',
    ]
    folders = []
    for name in names:
        folder = tmp_path / name
        folder.mkdir()
        folders.append(folder)
    src = _notebook(
        tmp_path / "p.ipynb",
        "import json\nprint(json.dumps([year, raw_dir, processed_dir]))",
    )
    dst = render.run_notebook(
        src,
        tmp_path / "out.ipynb",
        {"year": 2024, "raw_dir": str(folders[0]), "processed_dir": str(folders[1])},
        cwd=tmp_path,
        build_root=tmp_path,
    )
    nb = nbformat.read(dst, as_version=4)
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert json.loads(printed) == [2024, str(folders[0]), str(folders[1])]
    assert not list(tmp_path.rglob("PWNED*"))
    assert not list(Path(config.NOTEBOOKS_DIR).glob("PWNED*"))


# ---------------------------------------------------------------------------------------------
# Data shown in the browser: escaped, inert


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The session's temporary project built by test_browser's fixture (built once)."""
    return build_project(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(chromium: Path):
    """The Chromium test_browser uses (one per process)."""
    with shared_browser(chromium) as b:
        yield b


@pytest.mark.slow
@pytest.mark.browser
def test_markup_in_data_shows_as_text_and_runs_nothing(built: Path, browser) -> None:
    report = built / "outputs" / str(HOSTILE_YEAR) / "report.html"
    result = browser.check(report)
    assert result.dialogs == []
    assert result.console_errors == [] and result.page_errors == []
    assert result.blocked_requests == [] and result.local_requests == []
    # The hostile text reached the page, and shows there literally.
    for text in HOSTILE_TEXTS:
        assert text in result.text, f"{text!r} not shown as text"
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    assert soup.find_all("script") == []
    handlers = [
        (tag.name, attr)
        for tag in soup.find_all(True)
        for attr in tag.attrs
        if attr.startswith("on")
    ]
    assert handlers == []


@pytest.mark.slow
@pytest.mark.browser
def test_index_shows_hostile_unit_name_as_text(built: Path, browser) -> None:
    result = browser.check(built / "outputs" / "index.html")
    assert result.dialogs == [] and result.page_errors == [] and result.console_errors == []
    assert result.blocked_requests == [] and result.local_requests == []
    soup = BeautifulSoup((built / "outputs" / "index.html").read_text("utf-8"), "html.parser")
    assert soup.find_all("script") == []


# ---------------------------------------------------------------------------------------------
# Self-contained pages

_REF_ATTRS = ("src", "href", "srcset", "poster", "data", "action", "xlink:href", "background")


def _references(html: str) -> list[str]:
    """Every URL a page refers to: attributes, CSS url()/@import (comments aside)."""
    soup = BeautifulSoup(html, "html.parser")
    refs = []
    for tag in soup.find_all(True):
        for attr in _REF_ATTRS:
            value = tag.get(attr)
            if value:
                refs.append(value if isinstance(value, str) else " ".join(value))
        style = tag.get("style")
        if style:
            refs += re.findall(r"url\(\s*['\"]?([^'\")]+)", style)
    for style in soup.find_all("style"):
        css = re.sub(r"/\*.*?\*/", "", style.get_text(), flags=re.DOTALL)
        refs += re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
        refs += re.findall(r"@import\s+['\"]?([^'\";]+)", css)
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        assert "<script" not in comment
    return refs


@pytest.mark.slow
def test_reports_reference_nothing_outside_themselves(built: Path) -> None:
    years = sorted(int(p.parent.name) for p in built.glob("outputs/*/report.html"))
    assert years == sorted([2024, *SYNTHETIC_YEARS])
    for year in years:
        html = (built / "outputs" / str(year) / "report.html").read_text(encoding="utf-8")
        outside = [r for r in _references(html) if not r.startswith(("data:", "#"))]
        assert outside == [], f"{year}: {outside[:5]}"
        assert "<link" not in html.lower()


@pytest.mark.slow
def test_index_links_stay_inside_outputs(built: Path) -> None:
    outputs = built / "outputs"
    html = (outputs / "index.html").read_text(encoding="utf-8")
    for ref in _references(html):
        if ref.startswith(("data:", "#")):
            continue
        assert "://" not in ref and not ref.startswith("/"), ref
        target = (outputs / ref.split("#")[0]).resolve()
        assert target.is_relative_to(outputs.resolve()), ref
        assert target.exists(), ref


# ---------------------------------------------------------------------------------------------
# Formula injection in the workbook exported from data (make template)

TRIGGERS = {
    "单位名称": '=HYPERLINK("http://example.invalid/x","点此")',
    "单位性质": "+1+1",
    "主管部门": "-2+3",
    "主要职责": "@SUM(1,2)",
    "=cmd|'/c calc'!A0": "=1+1",
}


def test_template_neutralises_formula_triggers(tmp_path) -> None:
    raw = tmp_path / "data" / "raw" / "2025"
    raw.mkdir(parents=True)
    with (raw / "单位概况.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["项目", "内容"], *TRIGGERS.items()])
    env = {**os.environ, "SELFEVAL_ROOT": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "selfeval", "template", "--year", "2026"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = sorted((tmp_path / "data" / "raw" / "2026").glob("*.xlsx"))
    books = [b for b in written if b.name != "决算公开表（模板）.xlsx"]  # the empty 决算 set
    assert len(books) == 1 and len(written) == 2, written
    assert not books[0].name.startswith(("=", "+", "-", "@"))
    from openpyxl import load_workbook

    ws = load_workbook(books[0])["单位概况"]
    cells = {str(r[0].value): r[1] for r in ws.iter_rows(min_row=2) if r[0].value}
    for key, value in TRIGGERS.items():
        assert key in cells, f"{key!r} not pre-filled"
        cell = cells[key]
        assert cell.value == value and cell.data_type == "s", (key, cell.value, cell.data_type)
    for book in written:  # the 决算 set names the unit too (编制单位)
        with zipfile.ZipFile(book) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = zf.read(name).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, f"formula element in {name}"
