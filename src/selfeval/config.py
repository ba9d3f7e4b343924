"""Project paths and constants, anchored on this file so they hold from any working directory."""

from __future__ import annotations

import os
from pathlib import Path

#: Project root: src/selfeval/config.py -> parents[2]. SELFEVAL_ROOT overrides it (tests, benches).
PROJECT_ROOT = Path(os.environ.get("SELFEVAL_ROOT") or Path(__file__).resolve().parents[2])
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"

#: Name of the kernelspec that `make venv` installs into .venv's own prefix.
KERNEL_NAME = "selfeval"


def raw_root(root: Path | None = None) -> Path:
    """Folder holding one sub-folder of raw input per year."""
    return (root or PROJECT_ROOT) / "data" / "raw"


def processed_root(root: Path | None = None) -> Path:
    """Folder holding the cleaned tables of each year."""
    return (root or PROJECT_ROOT) / "data" / "processed"


def outputs_root(root: Path | None = None) -> Path:
    """Folder holding one report folder per year and the index page."""
    return (root or PROJECT_ROOT) / "outputs"
