"""`make lab` saves notebooks as the repository holds them (run.lab's pre-save hook), so that
running and saving them in JupyterLab leaves `git status` clean and rebuilds no year."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest

from selfeval import config, store
from selfeval.run import lab

REPO = Path(__file__).resolve().parents[3]
NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def _as_jupyterlab_sends_it(path: Path) -> dict:
    """The committed notebook as JupyterLab sends it to be saved after a run: outputs,
    execution counts, language_info, cell metadata JupyterLab keeps (collapsed, scrolled,
    execution timing, trusted)."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    nb.metadata["widgets"] = {}
    for n, cell in enumerate(nb.cells):
        cell.metadata["trusted"] = True
        if cell.cell_type == "code":
            cell.execution_count = n
            cell.metadata["execution"] = {"iopub.execute_input": "2026-12-04T19:00:00.000Z"}
            cell.metadata["collapsed"] = False
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text="写入 /home/x/outputs\n"),
                nbformat.v4.new_output("display_data", {"text/html": "<table></table>"}),
            ]
    return copy.deepcopy(dict(nb))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_saved_notebook_is_byte_for_byte_the_committed_one(path, tmp_path):
    model = {"type": "notebook", "content": _as_jupyterlab_sends_it(path)}
    lab.strip_for_git(model=model, path=path.name, contents_manager=None)
    # What jupyter_server's FileContentsManager then writes: nbformat.write
    saved = tmp_path / path.name
    nbformat.write(nbformat.from_dict(model["content"]), saved)
    assert saved.read_bytes() == path.read_bytes()
    assert store.notebook_fingerprint(saved.read_bytes()) == store.notebook_fingerprint(
        path.read_bytes()
    )


def test_other_files_are_saved_as_they_are():
    model = {"type": "file", "content": "x = 1\n"}
    lab.strip_for_git(model=model, path="a.py")
    assert model == {"type": "file", "content": "x = 1\n"}


def test_make_lab_installs_the_hook():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    lab_recipe = re.search(r"^lab:.*\n\t(.*)$", makefile, re.M).group(1)
    assert all(arg in lab_recipe for arg in lab.LAB_ARGS)
