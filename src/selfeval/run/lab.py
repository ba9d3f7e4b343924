"""JupyterLab for the analyst: what a saved notebook keeps (`make lab`).

An analyst runs 01–03 in JupyterLab and saves them. Saved with their outputs, execution counts
and JupyterLab's metadata, the notebooks would differ from git after every session (tables,
charts, paths of this machine in a file everybody shares). The server's pre-save hook
(`LAB_ARGS`) stores them as the repository holds them: sources, tags and the kernel only,
written exactly as nbformat writes them, so saving a notebook whose cells are unchanged leaves
the file byte for byte as it was and `git status` clean; the batch hashes sources and tags only
(`store.notebook_fingerprint`), so saving never rebuilds a year either. The outputs stay on the
analyst's screen until the notebook is closed; the executed report is outputs/<year>/report.ipynb.
"""

from __future__ import annotations

from typing import Any

#: Command-line options of `jupyter lab` that install the hook (the Makefile's `lab` target).
LAB_ARGS = ("--ContentsManager.pre_save_hook=selfeval.run.lab.strip_for_git",)

#: Cell metadata a notebook keeps: papermill's `parameters` tag is what the batch needs.
KEPT_CELL_METADATA = ("tags",)
#: Notebook metadata it keeps: the kernel, so that JupyterLab picks it without a dialog.
KEPT_NOTEBOOK_METADATA = ("kernelspec",)


def strip_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook JSON (a dict, changed in place and returned) without outputs, execution
    counts and the metadata JupyterLab adds."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata", {})
        cell["metadata"] = {k: meta[k] for k in KEPT_CELL_METADATA if k in meta}
    meta = nb.get("metadata", {})
    nb["metadata"] = {k: meta[k] for k in KEPT_NOTEBOOK_METADATA if k in meta}
    return nb


def strip_for_git(model: dict[str, Any], **_: Any) -> None:
    """jupyter_server's pre-save hook: a notebook is saved stripped (`strip_notebook`)."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip_notebook(model["content"])
