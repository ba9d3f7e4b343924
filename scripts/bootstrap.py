"""Create or refresh the project's .venv; standard library only, so a fresh machine can run it.

The venv is rebuilt only when requirements.txt or pyproject.toml changed (content hash), so a
second `make test` reuses it without touching the network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / ".selfeval-stamp"
KERNEL_NAME = "selfeval"
INPUTS = ("requirements.txt", "pyproject.toml")


def venv_python() -> Path:
    """Path of the venv's interpreter."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fingerprint() -> str:
    """Hash of every file that decides what the venv must contain."""
    h = hashlib.sha256()
    for name in INPUTS:
        h.update(name.encode())
        h.update((ROOT / name).read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def run(*cmd: object) -> None:
    """Run a command, echoing it, and stop on failure."""
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


STEPS = 4


def step(number: int, text: str) -> None:
    """One line per set-up step, so that a newcomer sees where the first run is."""
    print(f"[{number}/{STEPS}] {text}", flush=True)


def git_filter_keys() -> None:
    """Also strip what JupyterLab writes on opening a notebook (the kernel's language_info)."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        subprocess.run(
            ["git", "config", "filter.nbstripout.extrakeys", "metadata.language_info"],
            cwd=ROOT,
            check=False,
        )


def installed_from() -> Path | None:
    """The folder the venv's editable install of selfeval points at, or None if there is none.

    pip writes it into ``__editable__.selfeval-<version>.pth`` as an absolute path. A project
    copied with ``cp -a`` or moved keeps that path, so the copy would run the original's code
    on the original's data; every script in .venv/bin and the kernelspec also name the old
    interpreter by its absolute path (venvs cannot be moved), hence a rebuild rather than a fix.
    """
    site = "Lib/site-packages" if os.name == "nt" else "lib/python*/site-packages"
    for pth in sorted(VENV.glob(f"{site}/__editable__.selfeval-*.pth")):
        lines = pth.read_text(encoding="utf-8", errors="replace").splitlines()
        if lines and lines[0].strip():
            return Path(lines[0].strip())
    return None


def moved_from() -> Path | None:
    """The project folder the venv was made for, when it is not this one; else None."""
    src = installed_from()
    if src is None or os.path.realpath(src) == os.path.realpath(ROOT / "src"):
        return None
    return src.parent


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs on any system Python
        print(f"需要 Python 3.11 或更高版本，当前为 {sys.version.split()[0]}", file=sys.stderr)
        return 1
    want = fingerprint()
    current = STAMP.exists() and STAMP.read_text() == want and venv_python().exists()
    moved = moved_from() if current else None
    if current and moved is None:
        git_filter_keys()
        return 0
    if moved is not None:
        print(
            f"本项目是从 {moved} 复制或移动来的，.venv 仍属于原目录（虚拟环境不能搬移），重建 .venv"
            f" / this project was copied or moved from {moved}: rebuilding .venv",
            flush=True,
        )
        shutil.rmtree(VENV)
    elif VENV.exists():
        print("依赖已变化，重建 .venv / requirements changed, rebuilding .venv", flush=True)
        shutil.rmtree(VENV)
    step(1, "创建虚拟环境 .venv / creating .venv")
    run(sys.executable, "-m", "venv", VENV)
    py = venv_python()
    step(2, "安装锁定版本的依赖（首次约 3 分钟，下面逐个列出）/ installing the pinned packages")
    # pip's own lines (Collecting …, Installing …) show that the long first install is alive.
    run(py, "-m", "pip", "install", "--progress-bar", "on", "-r", ROOT / "requirements.txt")
    step(3, "安装 selfeval 本身 / installing selfeval")
    run(py, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ROOT)
    # The kernelspec lives inside the venv's own prefix: no global kernelspec is needed or touched.
    step(4, "安装项目内核 selfeval / installing the project's Jupyter kernel")
    run(
        py,
        "-m",
        "ipykernel",
        "install",
        "--prefix",
        VENV,
        "--name",
        KERNEL_NAME,
        "--display-name",
        "Python (selfeval)",
    )
    if (ROOT / ".git").exists():
        # Strip notebook outputs on `git add`, keeping cell tags such as `parameters`.
        subprocess.run([str(py), "-m", "nbstripout", "--install"], cwd=ROOT, check=False)
        git_filter_keys()
    STAMP.write_text(want)
    print("环境就绪 / environment ready:", VENV, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
