"""Project paths and constants, anchored on this file so they hold from any working directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Project root: src/selfeval/config.py -> parents[2]. SELFEVAL_ROOT overrides it (tests, benches).
PROJECT_ROOT = Path(os.environ.get("SELFEVAL_ROOT") or Path(__file__).resolve().parents[2])
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "present" / "templates"
NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
#: Report frames, one TOML file each (data read by the contract for 「报告格式」 and by present
#: for the report's sections). SELFEVAL_FRAMES_DIR points at another folder to try a new frame
#: (a copy of these files plus the new one) before it is added to the package.
FRAMES_DIR = Path(os.environ.get("SELFEVAL_FRAMES_DIR") or PACKAGE_DIR / "frames")
#: The frame of a unit that names none (its file name without .toml).
DEFAULT_FRAME = "nine_sections"

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


@dataclass(frozen=True)
class Roots:
    """The three data folders a batch works in."""

    raw: Path
    processed: Path
    outputs: Path

    @classmethod
    def of(cls, root: Path | None = None) -> Roots:
        """Roots under an explicit project root, default the configured one."""
        return cls(raw_root(root), processed_root(root), outputs_root(root))


def resolve_dirs(
    year: int,
    raw_dir: str = "",
    processed_dir: str = "",
    output_dir: str = "",
    previous_processed_dir: str = "",
) -> dict[str, Path | None]:
    """The notebooks' directories: an empty parameter means the default location.

    Keys: raw, processed, output, previous_processed (None when no previous year exists).
    """
    from selfeval.rules import check_year

    check_year(year)
    previous = (
        Path(previous_processed_dir) if previous_processed_dir else processed_root() / str(year - 1)
    )
    return {
        "raw": Path(raw_dir) if raw_dir else raw_root() / str(year),
        "processed": Path(processed_dir) if processed_dir else processed_root() / str(year),
        "output": Path(output_dir) if output_dir else outputs_root() / str(year),
        "previous_processed": previous if (previous / "meta.json").is_file() else None,
    }
