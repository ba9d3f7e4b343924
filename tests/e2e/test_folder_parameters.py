"""A misdirected folder parameter, given to the notebooks through papermill as an analyst would,
is refused with one message naming the folders, and nothing that was there changes.

Before the folder checks, `processed_dir` set to the year's raw folder deleted every raw CSV,
set to `data/` deleted data/raw, set to data/processed deleted every other year and unit, and
set to a folder outside the project deleted that folder's files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import papermill as pm
import pytest
from support import snapshot

from selfeval import config, store
from selfeval.clean import clean_year

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.no_pdf]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project with the real 2024 data, 2024 cleaned and analysed by the notebooks' defaults,
    and another unit's processed year beside it."""
    root = tmp_path_factory.mktemp("folders") / "project"
    shutil.copytree(REPO / "data" / "raw" / "2024", root / "data" / "raw" / "2024")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SELFEVAL_ROOT", str(root))  # the kernel inherits it: defaults point here
        mp.setattr(config, "PROJECT_ROOT", root)
        store.write_processed(
            clean_year(root / "data" / "raw" / "2024", 2024),
            root / "data" / "processed" / "文化馆" / "2023",
        )
        for name in ("01_clean.ipynb", "02_analyze.ipynb"):
            run(name, root.parent / "good" / name, {"year": 2024})
        yield root


def run(name: str, dst: Path, parameters: dict) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / name),
        str(dst),
        parameters=parameters,
        kernel_name=config.KERNEL_NAME,
        progress_bar=False,
    )


def refused(project: Path, name: str, parameters: dict, outside: Path | None = None) -> str:
    """Run the notebook, expect the refusal, check every file is unchanged; the message."""
    watched = [project] + ([outside] if outside else [])
    before = [snapshot(p) for p in watched]
    dst = project.parent / "executed" / f"{len(list(project.parent.rglob('*.ipynb')))}-{name}"
    with pytest.raises(pm.PapermillExecutionError) as caught:
        run(name, dst, {"year": 2024, **parameters})
    assert caught.value.ename == "FolderRefused"
    assert [snapshot(p) for p in watched] == before
    # The analyst sees the message, not a traceback through the package's source.
    saved = json.loads(dst.read_text(encoding="utf-8"))
    errors = [
        o for c in saved["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert len(errors) == 1
    shown = "\n".join(errors[0]["traceback"])
    assert ".py" not in shown and "Traceback" not in shown
    return caught.value.evalue


def test_processed_dir_at_the_raw_folder(project):
    raw = project / "data" / "raw" / "2024"
    message = refused(project, "01_clean.ipynb", {"processed_dir": str(raw)})
    assert "是同一个目录" in message
    assert message.count(str(raw)) >= 2  # both folders named: raw_dir and processed_dir


def test_processed_dir_at_data(project):
    message = refused(project, "01_clean.ipynb", {"processed_dir": str(project / "data")})
    assert f"（{project / 'data'}）" in message and "位于后者之内" in message
    assert f"（{project / 'data' / 'raw' / '2024'}）" in message


def test_processed_dir_at_the_processed_root(project):
    processed = project / "data" / "processed"
    assert (processed / "2024" / "results.json").is_file()  # other years are there
    message = refused(project, "01_clean.ipynb", {"processed_dir": str(processed)})
    assert str(processed) in message and "2024、文化馆" in message


def test_processed_dir_outside_the_project(project, tmp_path):
    outside = tmp_path / "mine"
    outside.mkdir()
    (outside / "预算.xlsx").write_bytes(b"someone's workbook")
    (outside / "notes.json").write_text("{}", encoding="utf-8")
    message = refused(project, "01_clean.ipynb", {"processed_dir": str(outside)}, outside)
    assert str(outside) in message and "预算.xlsx" in message


def test_output_dir_at_the_raw_folder(project):
    raw = project / "data" / "raw" / "2024"
    message = refused(project, "03_report.ipynb", {"output_dir": str(raw)})
    assert "是同一个目录" in message


def test_an_empty_folder_outside_is_written_and_marked(project, tmp_path):
    """The refusal is not a blanket one: a new folder anywhere may receive a cleaned year."""
    target = tmp_path / "elsewhere" / "2024"
    run("01_clean.ipynb", tmp_path / "ok.ipynb", {"year": 2024, "processed_dir": str(target)})
    assert (target / "meta.json").is_file()
    assert (target / ".selfeval-folder").read_text(encoding="utf-8") == "processed\n"
