"""Shared test fixtures."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

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


@pytest.fixture(scope="session")
def build_2024(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Build the real 2024 report once per name in the session's temp folder; returns outputs."""
    from selfeval.run import notebooks as render

    def build(name: str) -> Path:
        root = tmp_path_factory.getbasetemp() / name
        out = root / "outputs" / "2024"
        if not (out / "report.html").is_file():
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
