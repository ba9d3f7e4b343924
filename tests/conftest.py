"""Shared test fixtures."""

from __future__ import annotations

import os
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
