"""Create or refresh the project's .venv; standard library only, so a fresh machine can run it.

What is installed fits the user: `make report` gets the runtime lock (requirements.txt) alone;
`--with lab` (make lab) adds JupyterLab, `--with cluster` (make report SCHEDULER=…) dask
distributed, `--with dev` (make test, make check) both and the test and lint tools. Each lock
file pins only what it adds to the ones below it, so the runtime set is the same in every venv.

The venv is rebuilt only when requirements.txt or pyproject.toml changed (content hash), and an
extra is installed again only when its own lock file changed, so a second `make test` reuses the
venv without touching the network.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / ".selfeval-stamp"
KERNEL_NAME = "selfeval"
INPUTS = ("requirements.txt", "pyproject.toml")
#: Lock file of each extra, and the extras it includes (requirements-dev.txt names the others
#: with `-r`, so installing it installs them).
EXTRAS = {
    "cluster": ("requirements-cluster.txt", ()),
    "lab": ("requirements-lab.txt", ()),
    "dev": ("requirements-dev.txt", ("cluster", "lab")),
}
#: What each extra is for, as the step line says.
EXTRA_PURPOSE = {
    "cluster": "dask distributed（make report SCHEDULER=…）",
    "lab": "JupyterLab（make lab）",
    "dev": "测试与检查工具（make test、make check）/ test and lint tools",
}
#: Seconds of silence from pip after which a line says the install is still going.
HEARTBEAT = 3.0


def venv_python() -> Path:
    """Path of the venv's interpreter."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fingerprint() -> str:
    """Hash of every file that decides what the venv's runtime part must contain."""
    h = hashlib.sha256()
    for name in INPUTS:
        h.update(name.encode())
        h.update((ROOT / name).read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def extra_stamp(extra: str) -> Path:
    return VENV / f".selfeval-stamp-{extra}"


def extra_fingerprint(extra: str) -> str:
    """Hash of an extra's lock file, on top of the runtime fingerprint it was installed over."""
    name = EXTRAS[extra][0]
    return hashlib.sha256(fingerprint().encode() + (ROOT / name).read_bytes()).hexdigest()


def installed_packages() -> int:
    """How many distributions the venv holds now (what a heartbeat line reports)."""
    site = "Lib/site-packages" if os.name == "nt" else "lib/python*/site-packages"
    return len(list(VENV.glob(f"{site}/*.dist-info")))


def run(*cmd: object) -> None:
    """Run a command, echoing it and its output, and stop on failure.

    While the command is silent for HEARTBEAT seconds (pip says nothing while it unpacks and
    installs 150 packages, 90 s on a slow machine), a line says it is still at work, with the
    time so far and the number of packages already in .venv, so a first install never looks hung.
    """
    print("+", " ".join(str(c) for c in cmd), flush=True)
    proc = subprocess.Popen(
        [str(c) for c in cmd],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    last = [time.monotonic()]

    def forward() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            last[0] = time.monotonic()
            print(line, end="", flush=True)

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    started = time.monotonic()
    while reader.is_alive():
        reader.join(0.2)
        now = time.monotonic()
        if reader.is_alive() and now - last[0] >= HEARTBEAT:
            print(
                f"  … 仍在进行，已 {now - started:.0f} 秒，.venv 中已有 {installed_packages()} 个包"
                f" / still working, {now - started:.0f} s",
                flush=True,
            )
            last[0] = now
    if proc.wait() != 0:
        raise subprocess.CalledProcessError(proc.returncode, [str(c) for c in cmd])


STEPS = 4


def step(number: int | str, text: str) -> None:
    """One line per set-up step, so that a newcomer sees where the first run is."""
    where = f"{number}/{STEPS}" if isinstance(number, int) else number
    print(f"[{where}] {text}", flush=True)


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


def requested(argv: list[str]) -> list[str]:
    """The extras asked for on the command line, each with the extras it includes."""
    parser = argparse.ArgumentParser(description="创建或更新 .venv / create or refresh .venv")
    parser.add_argument(
        "--with",
        dest="extras",
        action="append",
        default=[],
        choices=sorted(EXTRAS),
        help="另外安装：lab（JupyterLab）、cluster（dask）、dev（测试工具，含前两者）",
    )
    found: list[str] = []
    for extra in parser.parse_args(argv).extras:
        for name in (*EXTRAS[extra][1], extra):
            if name not in found:
                found.append(name)
    return found


def create_runtime(want: str) -> None:
    """A new .venv with the runtime lock, selfeval itself and the project's kernel."""
    step(1, "创建虚拟环境 .venv / creating .venv")
    run(sys.executable, "-m", "venv", VENV)
    py = venv_python()
    step(2, "安装生成报告所需的锁定依赖（首次约 2 分钟，逐个列出）/ installing the runtime lock")
    # pip's own lines (Collecting …, Installing …) and run()'s heartbeat show that it is alive.
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
    STAMP.write_text(want)


def install_extras(extras: list[str]) -> None:
    """Install the lock files of `extras` (a file naming others with -r installs them too)."""
    py = venv_python()
    covered: set[str] = set()
    for extra in sorted(extras, key=lambda e: -len(EXTRAS[e][1])):  # dev first: it holds all
        if extra in covered:
            continue
        step("+", f"安装 {EXTRA_PURPOSE[extra]}")
        run(py, "-m", "pip", "install", "--progress-bar", "on", "-r", ROOT / EXTRAS[extra][0])
        for name in (extra, *EXTRAS[extra][1]):
            covered.add(name)
            extra_stamp(name).write_text(extra_fingerprint(name))
    if "lab" in covered and (ROOT / ".git").exists():
        # Strip notebook outputs on `git add`, keeping cell tags such as `parameters`.
        subprocess.run([str(py), "-m", "nbstripout", "--install"], cwd=ROOT, check=False)


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs on any system Python
        print(f"需要 Python 3.11 或更高版本，当前为 {sys.version.split()[0]}", file=sys.stderr)
        return 1
    extras = requested(argv or [])
    want = fingerprint()
    current = STAMP.exists() and STAMP.read_text() == want and venv_python().exists()
    moved = moved_from() if current else None
    if moved is not None:
        print(
            f"本项目是从 {moved} 复制或移动来的，.venv 仍属于原目录（虚拟环境不能搬移），重建 .venv"
            f" / this project was copied or moved from {moved}: rebuilding .venv",
            flush=True,
        )
        shutil.rmtree(VENV)
    elif not current and VENV.exists():
        print("依赖已变化，重建 .venv / requirements changed, rebuilding .venv", flush=True)
        shutil.rmtree(VENV)
    if not current or moved is not None:
        create_runtime(want)
    missing = [
        e
        for e in extras
        if not (extra_stamp(e).exists() and extra_stamp(e).read_text() == extra_fingerprint(e))
    ]
    if missing:
        install_extras(missing)
    git_filter_keys()
    if missing or not current or moved is not None:
        print("环境就绪 / environment ready:", VENV, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
