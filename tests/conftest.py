"""Shared test fixtures."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout under test."""
    return REPO


@pytest.fixture(autouse=True, scope="session")
def _offline_matplotlib() -> None:
    """Draw charts with the non-interactive backend in every test process."""
    os.environ.setdefault("MPLBACKEND", "Agg")


def no_pdf() -> dict[str, str]:
    """The environment under which a build makes no PDF (SELFEVAL_SOFFICE empty, as the product
    reads it). A build converts report.docx with LibreOffice when it is installed (≈3 s a year,
    the largest single step of a one-year build); a module marked `no_pdf` never reads a PDF,
    so its builds skip it. The PDF has tests of its own (tests/unit/run/test_pdf.py,
    tests/e2e/test_print*.py, test_units, test_batch, test_submission, …)."""
    # here: run.pdf imports pandas and the present layer (~1.7 s), which a conftest imported by
    # every pytest run (make check too) should not pay up front
    from selfeval.run import pdf

    return {pdf.SOFFICE_ENV: ""}


def _without_pdf(request: pytest.FixtureRequest) -> Iterator[None]:
    """SELFEVAL_SOFFICE empty while the node marked `no_pdf` runs."""
    if request.node.get_closest_marker("no_pdf") is None:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        for name, value in no_pdf().items():
            patch.setenv(name, value)
        yield


@pytest.fixture(autouse=True, scope="module")
def _no_pdf_module(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module marked `no_pdf`: its module fixtures too build without a PDF (autouse fixtures
    come first in their scope). Session builds that the PDF tests share (tests/e2e/support.py)
    ask for LibreOffice themselves."""
    yield from _without_pdf(request)


@pytest.fixture(autouse=True)
def _no_pdf_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test marked `no_pdf` (in a module whose other tests read PDFs): its own builds, and
    those of its function fixtures, make none."""
    yield from _without_pdf(request)


@pytest.fixture(scope="session")
def build_2024(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Build the real 2024 report once per name in the session's temp folder; returns outputs."""
    from selfeval.run import notebooks as render

    def build(name: str) -> Path:
        root = tmp_path_factory.getbasetemp() / name
        out = root / "outputs" / "2024"
        if not (out / "report.html").is_file():
            # no PDF: its users (test_report, test_report_fidelity) read HTML, Word, notebook
            with mock.patch.dict(os.environ, no_pdf()):
                render.build_year(
                    2024,
                    REPO / "data" / "raw" / "2024",
                    root / "processed" / "2024",
                    out,
                    previous_processed_dir=root / "processed" / "none",  # no previous year
                    build_root=root,
                )
        return out

    return build
