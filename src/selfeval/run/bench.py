"""`make bench`: the batch's measurements on 20 synthetic years, against this machine's floor.

Everything runs in a temporary project root (SELFEVAL_ROOT) through the real command line, so
each figure includes what a user waits for. Not part of the tests: timings vary with the load.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from selfeval import config

YEARS = list(range(2005, 2025))
MB = 1024 * 1024

FLOOR_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "floor",
            "metadata": {},
            "outputs": [],
            "source": [
                "import pandas as pd\n",
                "import seaborn as sns\n",
                "import matplotlib.pyplot as plt\n",
                "df = pd.DataFrame({'x': range(10), 'y': range(10)})\n",
                "sns.lineplot(data=df, x='x', y='y')\n",
                "plt.show()\n",
            ],
        }
    ],
    "metadata": {"kernelspec": {"name": config.KERNEL_NAME, "display_name": "selfeval"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}

FLOOR_SCRIPT = """
import sys, papermill as pm
from nbconvert import HTMLExporter
pm.execute_notebook(sys.argv[1], sys.argv[2], kernel_name=sys.argv[3], progress_bar=False)
body, _ = HTMLExporter().from_filename(sys.argv[2])
open(sys.argv[2] + ".html", "w", encoding="utf-8").write(body)
"""


def _env(root: Path, code: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["SELFEVAL_ROOT"] = str(root)
    env.pop("SELFEVAL_BATCH_FAULT", None)
    if code is not None:  # run the snapshot, also in the kernels (PYTHONPATH precedes the venv)
        env["PYTHONPATH"] = os.pathsep.join([str(code / "src"), env.get("PYTHONPATH", "")])
    return env


def snapshot_code(dest: Path) -> Path:
    """Copy src/, notebooks/ and requirements.txt, so that edits in the working tree during the
    bench (a shared tree) neither change what is measured nor turn the no-op into a rebuild."""
    code_root = config.PACKAGE_DIR.parents[1]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(code_root / "src", dest / "src", ignore=ignore)
    shutil.copytree(config.NOTEBOOKS_DIR, dest / "notebooks", ignore=ignore)
    shutil.copy2(code_root / "requirements.txt", dest / "requirements.txt")
    return dest


def _timed(cmd: list[str], env: dict[str, str], sampler: _PeakSampler | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if sampler is not None:
        sampler.watch(proc.pid)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if sampler is not None:
        sampler.stop()
    if proc.returncode != 0:
        tail = err.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd)} 失败 / failed:\n{tail}")
    return elapsed


class _PeakSampler:
    """Peak RSS of one batch worker (the worker plus the kernels it started), sampled."""

    def __init__(self) -> None:
        self.peak_worker = 0
        self.peak_tree = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, pid: int) -> None:
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _run(self, pid: int) -> None:
        import psutil

        try:
            batch = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                workers = batch.children(recursive=False)
            except psutil.NoSuchProcess:
                return
            for worker in workers:
                try:
                    rss = worker.memory_info().rss
                    tree = rss + sum(c.memory_info().rss for c in worker.children(recursive=True))
                except psutil.NoSuchProcess:
                    continue
                self.peak_worker = max(self.peak_worker, rss)
                self.peak_tree = max(self.peak_tree, tree)
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _build_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "selfeval", "build", *args]


def _floor(tmp: Path, runs: int = 2) -> float:
    import nbformat

    nb_path = tmp / "floor.ipynb"
    nbformat.write(nbformat.from_dict(FLOOR_NOTEBOOK), nb_path)
    times = [
        _timed(
            [
                sys.executable,
                "-c",
                FLOOR_SCRIPT,
                str(nb_path),
                str(tmp / "floor-out.ipynb"),
                config.KERNEL_NAME,
            ],
            dict(os.environ),
        )
        for _ in range(runs)
    ]
    return min(times)


def _interpreter_start(runs: int = 5) -> float:
    return statistics.median(
        _timed([sys.executable, "-c", "pass"], dict(os.environ)) for _ in range(runs)
    )


def _line(name: str, ratio: float, limit: float, a: str, b: str, less: bool = True) -> str:
    ok = ratio <= limit if less else ratio >= limit
    mark = "通过 pass" if ok else "未达标 FAIL"
    return f"{name:<34} {ratio:6.3f} (≤ {limit})  {a}; {b}  [{mark}]"


def run_bench(workdir: Path) -> list[str]:
    """Run every measurement in `workdir` and return the report lines."""
    from selfeval.synthetic import write_synthetic_years

    lines: list[str] = []
    root = workdir / "root"
    write_synthetic_years(root / "data" / "raw", YEARS)
    code = snapshot_code(workdir / "code")
    env = _env(root, code)
    print("测量基线 / measuring the floor …", flush=True)
    floor = _floor(workdir)
    start = _interpreter_start()

    print(f"  floor {floor:.2f}s, interpreter start {start:.3f}s", flush=True)
    print("冷构建一个年度 / cold build of one year …", flush=True)
    sampler = _PeakSampler()
    cold = _timed(_build_cmd("--years", str(YEARS[-1]), "--jobs", "1", "--force"), env, sampler)
    print(f"  cold {cold:.2f}s, worker peak {sampler.peak_tree / MB:.0f} MB", flush=True)

    for sub in ("outputs", "data/processed"):
        shutil.rmtree(root / sub, ignore_errors=True)
    print(f"{len(YEARS)} 个年度 JOBS=1 …", flush=True)
    jobs1 = _timed(_build_cmd("--jobs", "1", "--force"), env)
    print(f"  JOBS=1 {jobs1:.2f}s", flush=True)
    print(f"{len(YEARS)} 个年度 JOBS=2 …", flush=True)
    jobs2 = _timed(_build_cmd("--jobs", "2", "--force"), env)
    print(f"  JOBS=2 {jobs2:.2f}s", flush=True)
    print("无变化重建 / no-op rebuild …", flush=True)
    noop = min(_timed(_build_cmd(), env) for _ in range(3))
    size_synthetic = (root / "outputs" / str(YEARS[-1]) / "report.html").stat().st_size

    real_raw = config.raw_root(config.PACKAGE_DIR.parents[1]) / "2024"
    size_real = None
    if real_raw.is_dir():
        real_root = workdir / "real"
        shutil.copytree(real_raw, real_root / "data" / "raw" / "2024")
        print("真实 2024 年度 / the real 2024 data …", flush=True)
        _timed(_build_cmd("--years", "2024", "--jobs", "1"), _env(real_root, code))
        size_real = (real_root / "outputs" / "2024" / "report.html").stat().st_size

    noop_beyond = max(noop - start, 0.0)
    lines.append(f"机器 / machine: {os.cpu_count()} cores; interpreter start {start:.3f}s")
    lines.append(f"负载 / load average at the end: {os.getloadavg()[0]:.2f}")
    lines.append(
        _line(
            "冷构建一年 / cold build ÷ floor",
            cold / floor,
            2.5,
            f"cold {cold:.2f}s",
            f"floor {floor:.2f}s",
        )
    )
    lines.append(
        _line(
            f"{len(YEARS)} 年 JOBS=2 ÷ JOBS=1",
            jobs2 / jobs1,
            0.55,
            f"JOBS=2 {jobs2:.2f}s",
            f"JOBS=1 {jobs1:.2f}s",
        )
    )
    lines.append(
        _line(
            "无变化重建 / no-op ÷ cold build",
            noop_beyond / cold,
            0.05,
            f"no-op {noop_beyond:.3f}s beyond start ({noop:.3f}s total)",
            f"cold {cold:.2f}s",
        )
    )
    lines.append(
        _line(
            "单个工作进程峰值内存 / worker MB",
            sampler.peak_tree / MB / 400,
            1.0,
            f"worker+kernels {sampler.peak_tree / MB:.0f} MB "
            f"(worker alone {sampler.peak_worker / MB:.0f} MB)",
            "limit 400 MB",
        )
    )
    lines.append(
        _line(
            "2024 report.html (MB)",
            size_synthetic / MB / 1.5,
            1.0,
            f"synthetic 2024 {size_synthetic / MB:.2f} MB",
            "limit 1.5 MB",
        )
    )
    if size_real is not None:
        lines.append(
            _line(
                "真实 2024 report.html (MB)",
                size_real / MB / 1.5,
                1.0,
                f"real 2024 {size_real / MB:.2f} MB",
                "limit 1.5 MB",
            )
        )
    return lines


def bench_cli() -> int:
    """Entry point of `make bench`: prints each ratio with its two measured times."""
    with tempfile.TemporaryDirectory(prefix="selfeval-bench-") as tmp:
        try:
            lines = run_bench(Path(tmp))
        except RuntimeError as exc:
            print(f"基准测试失败 / benchmark failed: {exc}", file=sys.stderr)
            return 1
    print("\n".join(lines))
    return 1 if any("FAIL" in line for line in lines) else 0
