"""Notebook execution (papermill, reproducible), HTML export (nbconvert, offline template) and
the PDF of the Word file 03 writes (LibreOffice, `selfeval.run.pdf`).

`build_year` runs one year's three notebooks in order with explicit directories, on one kernel
(`selfeval.run.kernel.SharedKernel`); batching, caching and atomic swapping belong to
`selfeval.run.batch`, which calls it.
"""

from __future__ import annotations

import contextlib
import copy
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selfeval import config, folders
from selfeval.errors import (
    BuildError,
    ConverterMissing,
    InputError,
    KernelSetupError,
    PdfError,
    UnsafeParameterError,
)
from selfeval.rules import check_year
from selfeval.store import UNITS_FILE, write_json_atomic

if TYPE_CHECKING:  # nbformat costs ~2 s to import; every notebook kernel imports this module
    import nbformat

    from selfeval.run.kernel import SharedKernel

#: The notebooks of one year, in the order they run, keyed by stage name.
STAGES: tuple[tuple[str, str], ...] = (
    ("clean", "01_clean.ipynb"),
    ("analyze", "02_analyze.ipynb"),
    ("report", "03_report.ipynb"),
)
#: Key an output's metadata carries when the report notebook states the document title.
TITLE_KEY = "selfeval"
DEFAULT_TITLE = "整体支出绩效自评报告"
NBCONVERT_TEMPLATE = config.TEMPLATES_DIR / "nbconvert" / "offline.html.j2"

_PATH_PARAMETERS = ("raw_dir", "processed_dir", "output_dir", "previous_processed_dir")
_LITERAL_TYPES = (bool, int, float, str, type(None))


# ---------------------------------------------------------------------------------------------
# Validation: nothing reaches papermill unless it is a plain, expected literal.


def _allowed_roots(build_root: Path | None) -> list[Path]:
    roots = [Path(config.PROJECT_ROOT).resolve()]
    if build_root is not None:
        roots.append(Path(build_root).resolve())
    return roots


def check_path(path: Path | str, roots: list[Path], what: str) -> Path:
    """Resolve `path` (relative to the project root) and refuse it outside every allowed root."""
    raw = Path(path)
    resolved = (raw if raw.is_absolute() else roots[0] / raw).resolve()
    if not any(resolved.is_relative_to(root) for root in roots):
        shown = "、".join(str(r) for r in roots)
        raise UnsafeParameterError(
            f"{what} 路径 {str(path)!r} 不在项目目录或构建目录（{shown}）之内"
            f" / path escapes the allowed roots"
        )
    return resolved


def check_parameters(parameters: dict, roots: list[Path]) -> dict:
    """Validate notebook parameters and return them with path values made absolute."""
    clean: dict[str, Any] = {}
    for key, value in parameters.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise UnsafeParameterError(f"参数名无效 / invalid parameter name: {key!r}")
        if not isinstance(value, _LITERAL_TYPES):
            raise UnsafeParameterError(
                f"参数 {key} 只能是数字、字符串或布尔值，收到 {type(value).__name__}"
                f" / parameters must be plain literals"
            )
        if key == "year":
            value = check_year(value)
        elif key in _PATH_PARAMETERS and value not in ("", None):
            if not isinstance(value, str):
                raise UnsafeParameterError(f"参数 {key} 必须是路径字符串 / must be a path string")
            value = str(check_path(value, roots, key))
        clean[key] = value
    return clean


# ---------------------------------------------------------------------------------------------
# Execution


def _report_title(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(TITLE_KEY)
            if isinstance(meta, dict) and meta.get("title"):
                return str(meta["title"])
    return None


def make_reproducible(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop run timings and papermill metadata, give every cell a stable id, count from 1.

    Execution counts are shifted so that the first executed cell is 1 (gaps kept as the kernel
    made them): a notebook run on a kernel shared with the year's earlier notebooks is then
    byte-identical to one run on a kernel of its own.
    """
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    counts = [c.get("execution_count") for c in nb.cells if c.get("cell_type") == "code"]
    counts = [n for n in counts if isinstance(n, int)]
    offset = min(counts) - 1 if counts else 0
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{index:03d}"
        if offset and cell.get("cell_type") == "code":
            if isinstance(cell.get("execution_count"), int):
                cell["execution_count"] -= offset
            for output in cell.get("outputs", []):
                if isinstance(output.get("execution_count"), int):
                    output["execution_count"] -= offset
    title = _report_title(nb)
    if title:
        nb.metadata["title"] = title
    return nb


def run_notebook(
    src: Path,
    dst: Path,
    parameters: dict,
    cwd: Path | None = None,
    *,
    build_root: Path | None = None,
    kernel: SharedKernel | None = None,
) -> Path:
    """Execute `src` with papermill into `dst` reproducibly; returns `dst`.

    Parameters and paths are validated first (four-digit year, plain literals, every path inside
    the project root or `build_root`); a refused value raises UnsafeParameterError before any
    notebook runs. With `kernel`, the notebook runs on that running kernel after a namespace
    reset (its cwd is the kernel's); without, papermill starts a kernel of its own in `cwd`. On
    a failing cell papermill's error propagates, and `dst` holds the notebook executed up to the
    failure.
    """
    # here: papermill costs ~2.3 s to import (measured) and every notebook kernel imports this
    # module (see TYPE_CHECKING above); only the worker that executes notebooks pays it
    import papermill as pm

    roots = _allowed_roots(build_root)
    src_roots = [*roots, config.NOTEBOOKS_DIR.resolve()]
    src = check_path(src, src_roots, "笔记本")
    dst = check_path(dst, roots, "输出笔记本")
    run_cwd = check_path(cwd, src_roots, "工作目录") if cwd is not None else src.parent
    params = check_parameters(dict(parameters), roots)
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        if kernel is not None:
            kernel.run(src, dst, params)
        else:
            pm.execute_notebook(
                str(src),
                str(dst),
                parameters=params,
                kernel_name=config.KERNEL_NAME,
                cwd=str(run_cwd),
                progress_bar=False,
                record_timing=False,
            )
    except BaseException:
        # Keep the failed notebook readable for diagnosis, but never let a half-written file
        # (full disk, killed writer) replace the error that explains what went wrong.
        with contextlib.suppress(Exception):
            _normalise(dst)
        raise
    _normalise(dst)
    return dst


def _normalise(path: Path) -> None:
    """Rewrite an executed notebook without timings, papermill metadata or random ids."""
    if path.is_file():
        import nbformat  # here: ~1.3 s to import, kernels import this module (see above)

        nb = nbformat.read(path, as_version=4)
        nbformat.write(make_reproducible(nb), path)


# ---------------------------------------------------------------------------------------------
# Export


def _for_export(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep only what a reader sees: rich outputs of code cells, no parameters, no logs."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            continue
        if cell.cell_type != "code":
            continue  # analysts' notes in markdown cells are not part of the document
        cell.outputs = [o for o in cell.get("outputs", []) if o.output_type == "display_data"]
        if cell.outputs:
            cells.append(cell)
    nb.cells = cells
    return nb


@cache
def html_exporter():
    """The process's one HTMLExporter: its first export compiles the templates (~0.35 s), a warm
    one takes ~0.02 s. Batch workers are forked after `warm_exporter()`, so none pays again."""
    from nbconvert import HTMLExporter  # here: ~2.8 s to import, kernels import this module

    exporter = HTMLExporter(template_file=str(NBCONVERT_TEMPLATE))
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


def warm_exporter() -> None:
    """Export a one-cell notebook so that templates, filters and lexers are loaded and compiled."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output  # here: as _normalise

    cell = new_code_cell("1", outputs=[new_output("display_data", {"text/html": "<b>1</b>"})])
    html_exporter().from_notebook_node(
        new_notebook(cells=[cell]), resources={"metadata": {"name": "warm"}}
    )


def export_html(executed_nb: Path, html: Path) -> Path:
    """Export an executed report notebook to one offline HTML file (no code, no CDN); returns it."""
    import nbformat  # here: as _normalise

    nb = nbformat.read(executed_nb, as_version=4)
    title = _report_title(nb) or nb.metadata.get("title") or DEFAULT_TITLE
    nb = _for_export(nb)
    nb.metadata["title"] = title
    body, _ = html_exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    html = Path(html)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8", newline="\n")
    return html


# ---------------------------------------------------------------------------------------------
# One year


def _error_detail(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def build_year(
    year: int,
    raw_dir: Path,
    processed_dir: Path,
    output_dir: Path,
    previous_processed_dir: Path | None = None,
    on_stage: Callable[[str], None] | None = None,
    *,
    build_root: Path | None = None,
    kernel: SharedKernel | None = None,
    units: list[dict] | None = None,
    shown_paths: dict[str, str] | None = None,
    word: bool = True,
) -> dict:
    """Run 01 → 02 → 03 for `year` on one kernel, export `output_dir/report.html`, convert
    report.docx.

    `word=False` (the preview, which shows the page only): 03 writes no Word file and no
    自评表.xlsx, and no PDF is converted (LibreOffice takes longer than the whole build).

    `kernel`: a launched `SharedKernel` (the batch launches it while the worker waits for a slot
    or for year-1's data); without one, a kernel is launched here. Either way it is killed as
    soon as the report notebook is saved.

    `units` (a 主管部门's build, see run.department): written as units.json into
    `processed_dir` after 01; 02 computes the department as a whole from it and its own
    results, and 03 writes that section into the one document (report.html and report.docx).

    Returns a dict with the year and the paths written (`report_ipynb`, `report_html`,
    `report_docx`, `report_pdf` or None, `summary`) and `pdf`: "made", "missing" (no
    LibreOffice here) or "failed" with `pdf_error`; a made PDF brings `pdf_fonts`, the line
    naming the faces that stood in for missing Fandol fonts ("" when none did). A failed
    conversion never fails the year: its HTML and Word file stand, and the batch reports the
    PDF. Raises BuildError naming the year and the stage; when a notebook fails, the executed
    notebook is left at `output_dir/failed/<notebook>.ipynb`.
    """
    check_year(year)
    roots = _allowed_roots(build_root)
    raw_dir = check_path(raw_dir, roots, "raw_dir")
    processed_dir = check_path(processed_dir, roots, "processed_dir")
    output_dir = check_path(output_dir, roots, "output_dir")
    previous = (
        check_path(previous_processed_dir, roots, "previous_processed_dir")
        if previous_processed_dir is not None
        else None
    )
    params = {
        "year": year,
        "raw_dir": str(raw_dir),
        "processed_dir": str(processed_dir),
        "output_dir": str(output_dir),
        "previous_processed_dir": str(previous) if previous is not None else "",
    }
    # The folders are checked before the first notebook: an output folder holding files of
    # someone else's is refused (the batch replaces it as a whole later), and is marked ours.
    folders.check_apart(
        {"raw_dir": raw_dir, "processed_dir": processed_dir, "output_dir": output_dir}
    )
    folders.claim(output_dir, folders.OUTPUTS, "output_dir")
    failed_dir = output_dir / "failed"
    report_nb = output_dir / "report.ipynb"
    report_html = output_dir / "report.html"
    if kernel is None:
        # here: jupyter_client and zmq (~0.3 s) are for the process that starts kernels, not for
        # the kernels that import this module
        from selfeval.run.kernel import SharedKernel

        kernel = SharedKernel(cwd=config.NOTEBOOKS_DIR).launch()
    try:
        with tempfile.TemporaryDirectory(prefix=".build-", dir=output_dir) as tmp:
            work = Path(tmp)
            run = (params, work, failed_dir, on_stage, kernel, build_root)
            report_parameters = {} if word else {"report": {"word": False}}
            executed = _run_stages(
                year, list(STAGES), *run, units=units, stage_parameters=report_parameters
            )
            kernel.stop()  # the report is saved: nothing the year needs is in it
            if on_stage is not None:
                on_stage("export")
            try:
                export_html(executed, report_html)
                _merge(executed, report_nb, _path_texts(params, shown_paths))
            except Exception as exc:
                raise BuildError(year, "export", _error_detail(exc)) from exc
    finally:
        kernel.shutdown(now=True)
    if failed_dir.is_dir():
        shutil.rmtree(failed_dir)
    return {
        "year": year,
        "report_ipynb": report_nb,
        "report_html": report_html,
        "report_docx": output_dir / "report.docx",
        "summary": processed_dir / "summary.json",
        **(
            convert_pdf(output_dir / "report.docx", output_dir / "report.pdf")
            if word
            else {"report_pdf": None, "pdf": None, "pdf_error": ""}
        ),
    }


def _path_texts(params: dict, shown: dict[str, str] | None) -> dict[str, str]:
    """{the build's absolute path: the text to show} for the parameters given in `shown`."""
    if not shown:
        return {}
    return {params[k]: v for k, v in shown.items() if params.get(k) and params[k] != v}


def _merge(executed: Path, report_nb: Path, paths: dict[str, str]) -> None:
    """report.ipynb: 03 as executed, build folders as shown.

    Every occurrence of a build folder (the injected parameters, and any output that prints a
    path, e.g. the PosixPath 03's last cell returns) becomes its project-relative final place,
    so report.ipynb does not depend on where or in which staging folder the year was built.
    """
    if not paths:
        shutil.move(executed, report_nb)
        return
    import nbformat  # here: as _normalise

    nb = nbformat.read(executed, as_version=4)
    text = nbformat.writes(make_reproducible(nb))
    for build_path, shown in sorted(paths.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(build_path, shown)
    report_nb.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    executed.unlink(missing_ok=True)


#: Parameters the batch gives one notebook only: 02 shows the year's charts to an analyst in
#: JupyterLab, but in a build its executed notebook is kept only when it fails, and 03 draws
#: the same charts into the report.
STAGE_PARAMETERS: dict[str, dict[str, object]] = {"analyze": {"charts": False}}


def _run_stages(
    year: int,
    stages: list[tuple[str, str]],
    params: dict,
    work: Path,
    failed_dir: Path,
    on_stage: Callable[[str], None] | None,
    kernel: SharedKernel,
    build_root: Path | None,
    *,
    units: list[dict] | None = None,
    stage_parameters: dict[str, dict[str, object]] | None = None,
) -> Path:
    """Execute the notebooks in order into `work`; returns the executed report notebook (03).
    `stage_parameters`: a caller's parameters of one notebook, over STAGE_PARAMETERS."""

    executed: Path | None = None
    report: Path | None = None
    for stage, name in stages:
        if stage == "analyze" and units is not None:  # 01 has written the processed folder
            write_json_atomic(Path(params["processed_dir"]) / UNITS_FILE, units)
        if on_stage is not None:
            on_stage(stage)
        executed = work / name
        try:
            run_notebook(
                config.NOTEBOOKS_DIR / name,
                executed,
                {
                    **params,
                    **STAGE_PARAMETERS.get(stage, {}),
                    **(stage_parameters or {}).get(stage, {}),
                },
                cwd=config.NOTEBOOKS_DIR,
                build_root=build_root,
                kernel=kernel,
            )
        except UnsafeParameterError as exc:
            raise BuildError(year, stage, str(exc)) from exc
        except KernelSetupError as exc:
            detail = f"内核无法启动或复位 / kernel setup failed: {exc}"
            raise BuildError(year, stage, detail) from exc
        except Exception as exc:
            kept = None
            if executed.is_file():
                failed_dir.mkdir(parents=True, exist_ok=True)
                kept = failed_dir / name
                shutil.move(executed, kept)
            # The InputError was raised in the kernel, another process: papermill hands back
            # its class name as a string (PapermillExecutionError.ename), so compare names.
            input_problems = getattr(exc, "ename", None) == InputError.__name__
            detail = str(exc.evalue) if input_problems else _error_detail(exc)
            raise BuildError(year, stage, detail, kept, input_problems=input_problems) from exc
        if stage == "report":
            report = executed
    assert report is not None
    return report


def convert_pdf(docx: Path, pdf: Path) -> dict:
    """report.pdf from report.docx, as `build_year` reports it (never raises for the PDF)."""
    # here: run.pdf brings the index page's modules (~0.7 s, pandas); kernels import this module
    from selfeval.run import pdf as converter

    try:
        converter.docx_to_pdf(docx, pdf)
    except ConverterMissing:
        return {"report_pdf": None, "pdf": "missing", "pdf_error": ""}
    except PdfError as exc:
        return {"report_pdf": None, "pdf": "failed", "pdf_error": str(exc)}
    # which fallback faces stood in for the Word fonts on this machine ("" when none did)
    return {"report_pdf": pdf, "pdf": "made", "pdf_error": "", "pdf_fonts": converter.font_note()}
