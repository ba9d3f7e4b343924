"""Project paths and constants, anchored on this file so they hold from any working directory."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from selfeval import folders
from selfeval.errors import FolderRefused, ProjectMismatch

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


def env_seconds(name: str, default: float, *, zero: bool = False, most: float = 86400) -> float:
    """A duration setting (seconds) from the environment variable `name`: `default` when unset.

    A value that is no number, negative, zero (unless `zero`), NaN or longer than `most` is a
    ValueError whose message names the variable and its value, in Chinese; each caller raises
    it as its own error, so that a typo never silently means "no bound".
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 <= value <= most if zero else 0 < value <= most):
        least = "≥ 0" if zero else "> 0"
        raise ValueError(
            f"环境变量 {name}={text!r} 无效：应为秒数（{least}，至多 {most:g}）"
            f" / {name} must be a number of seconds"
        )
    return value


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


def project_mismatch() -> str | None:
    """Why the running code may not work on the project the command runs in, or None.

    The project a command runs in is the one whose .venv runs it. A project copied with
    ``cp -a`` (or moved) keeps a .venv whose editable install still points at the original
    ``src/``: the code, notebooks and default data folders would then be the original's, and a
    build in the copy would rewrite the original's reports. An explicit SELFEVAL_ROOT, or the
    package put first on PYTHONPATH on purpose, is a choice and is respected.
    """
    if os.environ.get("SELFEVAL_ROOT") or sys.prefix == sys.base_prefix:
        return None
    venv = Path(sys.prefix)
    home = venv.parent
    if not (home / "pyproject.toml").is_file() or not (home / "src" / "selfeval").is_dir():
        return None  # a venv outside any project (an installed package): nothing to compare
    code_home = PACKAGE_DIR.parents[1]
    if os.path.realpath(home) == os.path.realpath(code_home):
        return None
    chosen = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if any(p and os.path.realpath(p) == os.path.realpath(PACKAGE_DIR.parent) for p in chosen):
        return None
    return (
        f"本项目（{home}）的 .venv 是从另一个项目目录复制或移动来的：其中安装的 selfeval 仍指向"
        f" {code_home}，继续运行会读写那里的数据和报告。请在本项目目录运行 make venv（会自动重建"
        f" .venv），没有 make 时运行 python scripts/bootstrap.py，然后再运行原来的命令。"
        f" / this .venv belongs to {code_home}: run `make venv` here to rebuild it"
    )


def check_project() -> None:
    """ProjectMismatch when the running code belongs to another project folder."""
    problem = project_mismatch()
    if problem:
        raise ProjectMismatch(problem)


def resolve_dirs(
    year: int,
    raw_dir: str = "",
    processed_dir: str = "",
    output_dir: str = "",
    previous_processed_dir: str = "",
    unit: str = "",
) -> dict[str, Path | None]:
    """The notebooks' directories: an empty parameter means the default location, below the
    unit's folder when `unit` names one (a project of several units, data/raw/<unit>/<year>).

    Keys: raw, processed, output, previous_processed (None when no previous year exists).
    Before any notebook writes, the folders are checked (`selfeval.folders`): the processed and
    output folders must be new, empty or the product's own, and no two folders may overlap
    (nor the processed and output folders overlap the project's raw data); a refusal names the
    folders and nothing is touched.
    """
    from selfeval.rules import check_year, unit_folder_problem

    check_year(year)
    check_project()
    if unit and unit_folder_problem(unit):
        raise FolderRefused(f"参数 unit={unit!r} 不是可用的单位目录名：{unit_folder_problem(unit)}")
    own = Path(unit) if unit else Path()
    previous = (
        Path(previous_processed_dir)
        if previous_processed_dir
        else processed_root() / own / str(year - 1)
    )
    dirs: dict[str, Path | None] = {
        "raw": Path(raw_dir) if raw_dir else raw_root() / own / str(year),
        "processed": Path(processed_dir) if processed_dir else processed_root() / own / str(year),
        "output": Path(output_dir) if output_dir else outputs_root() / own / str(year),
        "previous_processed": previous if (previous / "meta.json").is_file() else None,
    }
    named = {
        "原始数据目录 raw_dir": dirs["raw"],
        "清洗结果目录 processed_dir": dirs["processed"],
        "报告输出目录 output_dir": dirs["output"],
        "上年清洗结果目录 previous_processed_dir": dirs["previous_processed"],
    }
    folders.check_apart(named)
    # The project's whole raw tree too: another year's or unit's raw folder is raw data.
    for name in ("清洗结果目录 processed_dir", "报告输出目录 output_dir"):
        folders.check_apart({"原始数据根目录 data/raw": raw_root(), name: named[name]})
    folders.check_owned(dirs["processed"], folders.PROCESSED, "清洗结果目录 processed_dir")
    folders.check_owned(dirs["output"], folders.OUTPUTS, "报告输出目录 output_dir")
    return dirs
