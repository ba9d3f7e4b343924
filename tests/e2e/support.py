"""What the end-to-end suites share: one real build of a temporary project per session, and one
headless Chromium per process (Playwright's sync API allows one per thread)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from selfeval.run import pdf
from tools import browser as br

REPO = Path(__file__).resolve().parents[2]

# Synthetic years built next to the real 2024 data; the second one carries hostile text.
SYNTHETIC_YEARS = (2022, 2023)
HOSTILE_YEAR = 2023
HOSTILE_TEXTS = (
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-img')\">",
)


_BUILT: dict[str, Path] = {}
#: LibreOffice as the session found it, before any module marked `no_pdf` (tests/conftest.py)
#: emptied SELFEVAL_SOFFICE: the shared builds below make the PDFs their users test whichever
#: module asks for them first.
_SOFFICE_AS_FOUND = os.environ.get(pdf.SOFFICE_ENV)


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file below `root` (hidden ones too; links and bytecode left out), by
    relative path: what a test compares before and after a refused or failed command."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts
    }


_SHARED: dict[str, object] = {"users": 0}


@contextlib.contextmanager
def shared_browser(chromium: Path):
    """One Chromium for every test module (Playwright's sync API allows one per thread)."""
    if not _SHARED["users"]:
        _SHARED["browser"] = br.Browser(chromium).__enter__()
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if not _SHARED["users"]:
            _SHARED.pop("browser").close()


_NUMBER_OR_DATE = re.compile(r"[\d\s\-/.,:年月日０-９]+")


def _hostile(raw_dir: Path) -> None:
    """Put script and img-onerror markup into the free-text cells of one year's CSVs."""
    import csv

    from selfeval.read.csv import decode_csv_bytes

    for path in sorted(raw_dir.glob("*.csv")):
        text, encoding = decode_csv_bytes(path.read_bytes())
        rows = list(csv.reader(io.StringIO(text)))
        targets = [i for i, h in enumerate(rows[0]) if h in ("名称", "内容", "成效", "地点")]
        for n, row in enumerate(rows[1:]):
            for i in targets:
                if i < len(row) and row[i] and not _NUMBER_OR_DATE.fullmatch(row[i]):
                    row[i] += HOSTILE_TEXTS[n % 2]
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        path.write_bytes(out.getvalue().encode(encoding))


def build_project(tmp_path_factory) -> Path:
    """Build 2024 (real data) and the synthetic years once per session; returns the project root.

    The build runs as `python -m selfeval build` in a subprocess with SELFEVAL_ROOT pointing at a
    temporary copy, exactly as `make report` runs it.
    """
    if "root" in _BUILT:
        return _BUILT["root"]
    from selfeval import synthetic

    root = tmp_path_factory.mktemp("project")
    raw = root / "data" / "raw"
    shutil.copytree(REPO / "data" / "raw" / "2024", raw / "2024")
    synthetic.write_synthetic_years(raw, list(SYNTHETIC_YEARS))
    hostile_dir = raw / str(HOSTILE_YEAR)
    if not any(hostile_dir.glob("*.csv")):
        pytest.fail(f"synthetic years are expected as CSV folders: {list(hostile_dir.iterdir())}")
    _hostile(hostile_dir)
    _build(root)
    _BUILT["root"] = root
    return root


def build_plain_years(tmp_path_factory) -> Path:
    """Build the synthetic years alone and untouched (no hostile text, which renames the unit
    of one year), once per session: the later year has a previous year of the same unit, so
    its report carries the 同比 table. Returns the project root."""
    if "plain" in _BUILT:
        return _BUILT["plain"]
    from selfeval import synthetic

    root = tmp_path_factory.mktemp("plain")
    synthetic.write_synthetic_years(root / "data" / "raw", list(SYNTHETIC_YEARS))
    _build(root)
    _BUILT["plain"] = root
    return root


def run_build(root: Path, *args: str, with_pdf: bool = False) -> subprocess.CompletedProcess:
    """`python -m selfeval build --jobs 2 [args]` of the project at `root`, as `make report`
    runs it; the finished process, whatever its exit status. `with_pdf`: with LibreOffice as the
    session found it, also inside a module marked `no_pdf`."""
    env = {**os.environ, "SELFEVAL_ROOT": str(root), "MPLBACKEND": "Agg"}
    if with_pdf:
        env.pop(pdf.SOFFICE_ENV, None)
        if _SOFFICE_AS_FOUND is not None:
            env[pdf.SOFFICE_ENV] = _SOFFICE_AS_FOUND
    return subprocess.run(
        [sys.executable, "-m", "selfeval", "build", "--jobs", "2", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _build(root: Path) -> None:
    """`run_build` with the PDF (the shared builds' users test it), failing the test unless
    every year built."""
    proc = run_build(root, with_pdf=True)
    if proc.returncode != 0:
        pytest.fail(f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
