"""Fixtures of the end-to-end suites: the system Chromium and one shared browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import shared_browser

from tools import browser as br


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The system Chromium; skip with the install command, or fail under CI=true."""
    path = br.find_chromium()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(br.INSTALL_HINT)
        pytest.skip(br.INSTALL_HINT)
    return path


@pytest.fixture(scope="session")
def browser(chromium: Path):
    """One headless Chromium (fresh profile, networking blocked) shared by the session."""
    with shared_browser(chromium) as b:
        yield b
