"""`make bench` (`python -m tools.bench` from the repo root): speed of one year and of a batch,
local and on a cluster, each a ratio of two times measured here.

Everything runs in a temporary project root (SELFEVAL_ROOT) through the real command line, on a
snapshot of the code (edits of a shared working tree during the bench change nothing), so each
figure includes what a user waits for. Runs alternate (A, B, A, B, …) so that a change of the
machine's load hits both sides; each figure is the median with min and max. The targets live
here only: timings vary with the load, no test asserts them.
"""

from __future__ import annotations

import compileall
import contextlib
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import psutil

from selfeval import config
from selfeval.run import pdf
from selfeval.synthetic import write_synthetic_years
from tools.cluster import CliCluster

YEARS = list(range(2005, 2025))
COLD_YEAR = 2024
#: 40 unit-years: 4 units x 10 years (a department-sized project).
CLUSTER_UNITS = ("u1", "u2", "u3", "u4")
CLUSTER_YEARS = list(range(2015, 2025))
MB = 1024 * 1024
RUNS = int(os.environ.get("SELFEVAL_BENCH_RUNS", "3"))
#: The whole bench should run in under ten minutes on the project's two-core machine.
RUNTIME_LIMIT = 600
#: JOBS=2 on two cores: the build's processes keep at least this many cores busy over the run
#: (CPU seconds of the build's process tree ÷ wall seconds). A target that two cores can meet,
#: unlike JOBS=2 ÷ JOBS=1 ≤ 0.53, which also depends on how busy JOBS=1 alone keeps them
#: (its worker and kernel overlap); that ratio is printed beside it.
BUSY_CORES_TARGET = 1.85

#: The same package calls as the three notebooks, in one plain Python process, writing the
#: same tables, results, charts and text: the floor a year cannot go below.
FLOOR_SCRIPT = """
import sys
from pathlib import Path
from selfeval import results
from selfeval.clean import clean_year
from selfeval.present import charts, docx, form_xlsx, html, scoring_view
from selfeval.present.build import build_document
from selfeval.store import (read_json, read_processed, read_results, write_output,
                            write_processed, write_results, write_summary)
raw, proc, out, year = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
write_processed(clean_year(raw, year), proc)
year_results = results.compute_year(
    read_processed(proc), read_json(proc, "meta"), read_json(proc, "checks"), year,
    previous_tables=None, previous_summary=None)
write_results(results.to_json(year_results), proc)
write_summary(scoring_view.year_summary(year_results), proc)
charts.set_theme()
document = build_document(results.from_json(read_results(proc)))
write_output(out, "report.docx", docx.build_docx(document.submitted()))
write_output(out, "review.docx", docx.build_docx(document))
write_output(out, form_xlsx.FILE_NAME, form_xlsx.build_xlsx(document))
(out / "report.html").write_text("\\n".join(html.parts(document)), "utf-8")
"""
#: LibreOffice's docx → pdf conversion is timed on its own (it is neither the notebooks' nor the
#: batch's work, and the floor has no counterpart): the builds measured here make no PDF.
NO_PDF = {"SELFEVAL_SOFFICE": ""}

CHAINED_NOTEBOOKS = ("01_clean.ipynb", "02_analyze.ipynb", "03_report.ipynb")


@dataclass
class Series:
    """Times (or sizes) of one measurement over the runs."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, unit: str = "s", fmt: str = ".2f") -> str:
        v = self.values
        return f"{self.median:{fmt}}{unit} (min {min(v):{fmt}}, max {max(v):{fmt}}, n={len(v)})"


def ratio_series(a: Series, b: Series) -> Series:
    """Per-run ratios a[i] / b[i] (runs alternate, so pairs share the machine's state)."""
    return Series([x / y for x, y in zip(a.values, b.values, strict=True)])


# --------------------------------------------------------------------------- processes


def _env(root: Path, code: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SELFEVAL_ROOT"] = str(root)
    env["MPLBACKEND"] = "Agg"
    env.update(NO_PDF)
    # run the snapshot, also in the kernels and dask workers (PYTHONPATH precedes the venv)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code / "src"), env.get("PYTHONPATH")) if p)
    return env


def snapshot_code(dest: Path) -> Path:
    """Copy src/, notebooks/ and requirements.txt (what the stamps and the workers hash), and
    compile src/ to bytecode as installing a package does.

    Without the compiled files every process compiles every module it imports, each time, when
    the environment forbids writing them (PYTHONDONTWRITEBYTECODE, set on some machines and in
    containers): measured here, 44 ms of a 0.2 s no-op build, and again in every kernel."""
    code_root = config.PACKAGE_DIR.parents[1]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(code_root / "src", dest / "src", ignore=ignore)
    compileall.compile_dir(dest / "src", quiet=1)
    shutil.copytree(config.NOTEBOOKS_DIR, dest / "notebooks", ignore=ignore)
    shutil.copy2(code_root / "requirements.txt", dest / "requirements.txt")
    return dest


class TreeSampler:
    """Peak memory of a process and all its descendants (PSS where the kernel offers it)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self.kind = "PSS"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, pid: int) -> None:
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _size(self, proc) -> int:
        try:
            return proc.memory_full_info().pss
        except (AttributeError, psutil.AccessDenied):
            self.kind = "RSS"
            return proc.memory_info().rss

    def _run(self, pid: int) -> None:
        try:
            root = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for proc in procs:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                    total += self._size(proc)
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def busy_ticks(cpu_line: str) -> int | None:
    """Busy clock ticks in /proc/stat's "cpu" line: user, nice, system, irq, softirq (guest time
    is already in user and nice; idle, iowait and steal are not busy)."""
    fields = cpu_line.split()
    if fields[:1] != ["cpu"] or len(fields) < 8:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[1:8])
    return user + nice + system + irq + softirq


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine's cores have been busy since boot (Linux), None elsewhere.
    The difference over a build is the build's CPU time (`timed_cpu`) plus any other load on
    the machine: printed beside the build's own figure, it shows how busy the machine was."""
    try:
        ticks = busy_ticks(Path("/proc/stat").read_text().split("\n", 1)[0])
    except OSError:
        return None
    return None if ticks is None else ticks / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's children that have ended and been waited
    for, theirs included (getrusage RUSAGE_CHILDREN). Around one build run by `timed` (the
    bench starts nothing else meanwhile) the difference is the CPU time of the build's whole
    process tree: every process of a build is waited for by its parent (the kernel server
    waits for its kernels, run.zygote), so none is dropped; other load on the machine is not
    counted."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (its process tree's) of one command."""
    cpu = children_cpu_seconds()
    wall = timed(cmd, env)
    return wall, children_cpu_seconds() - cpu


def timed(cmd: list[str], env: dict[str, str], sampler: TreeSampler | None = None) -> float:
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


def _build(*args: str) -> list[str]:
    return [sys.executable, "-m", "selfeval", "build", *args]


def _bin(name: str) -> str:
    script = Path(sys.executable).with_name(name)
    return str(script) if script.is_file() else name


def chained_commands(raw: Path, work: Path, year: int) -> list[list[str]]:
    """What a user chaining the notebooks by hand runs: papermill three times, then nbconvert."""
    params = [
        "-p", "year", str(year),
        "-p", "raw_dir", str(raw),
        "-p", "processed_dir", str(work / "processed"),
        "-p", "output_dir", str(work / "out"),
        "-p", "previous_processed_dir", str(work / "none"),
    ]  # fmt: skip
    papermill = [_bin("papermill"), "--no-progress-bar"]
    cmds = [
        [*papermill, str(config.NOTEBOOKS_DIR / nb), str(work / nb), *params]
        for nb in CHAINED_NOTEBOOKS
    ]
    cmds.append(
        [
            _bin("jupyter"),
            "nbconvert",
            "--to",
            "html",
            "--no-input",
            str(work / CHAINED_NOTEBOOKS[-1]),
        ]
    )
    return cmds


# --------------------------------------------------------------------------- one year, a batch


def bench_year(workdir: Path, code: Path, lines: list[str]) -> None:
    """Cold year vs floor vs hand-chained, no-op, peak memory, report size: alternating runs."""
    real_raw = config.raw_root(config.PACKAGE_DIR.parents[1]) / str(COLD_YEAR)
    root = workdir / "year"
    raw = root / "data" / "raw" / str(COLD_YEAR)
    if real_raw.is_dir():
        shutil.copytree(real_raw, raw)
        what = f"真实 {COLD_YEAR} 年度数据 / the real {COLD_YEAR} data"
    else:
        write_synthetic_years(root / "data" / "raw", [COLD_YEAR])
        what = f"合成 {COLD_YEAR} 年度 / a synthetic {COLD_YEAR}"
    env = _env(root, code)
    cold, floor, chained, noop, peak = Series(), Series(), Series(), Series(), Series()
    print(f"单个年度（{what}），{RUNS} 轮交替 / one year, {RUNS} alternating rounds …", flush=True)
    cold_build = _build("--years", str(COLD_YEAR), "--jobs", "1", "--force")
    for n in range(RUNS):
        # The peak is taken in a build of its own: sampling every process's memory 20 times a
        # second costs CPU, which would slow the timed build (the floor is timed unobserved).
        sampler = TreeSampler()
        timed(cold_build, env, sampler)
        peak.values.append(sampler.peak / MB)
        cold.values.append(timed(cold_build, env))
        noop.values.append(timed(_build("--years", str(COLD_YEAR)), env))
        scratch = workdir / f"floor-{n}"
        args = [str(raw), str(scratch / "p"), str(scratch / "o"), str(COLD_YEAR)]
        floor.values.append(timed([sys.executable, "-c", FLOOR_SCRIPT, *args], env))
        chain = workdir / f"chained-{n}"
        chain.mkdir()
        start = time.perf_counter()
        for cmd in chained_commands(raw, chain, COLD_YEAR):
            timed(cmd, env)
        chained.values.append(time.perf_counter() - start)
        print(
            f"  round {n + 1}: cold {cold.values[-1]:.2f}s floor {floor.values[-1]:.2f}s"
            f" chained {chained.values[-1]:.2f}s no-op {noop.values[-1]:.3f}s"
            f" peak {peak.values[-1]:.0f} MiB",
            flush=True,
        )
    size = (root / "outputs" / str(COLD_YEAR) / "report.html").stat().st_size / MB
    kind = sampler.kind
    pdf_seconds = _pdf_time(root / "outputs" / str(COLD_YEAR) / "report.docx", workdir)
    lines.append(f"单个年度 / one year: {what}")
    lines.append(_line("冷构建 ÷ 纯 Python 下限 / cold ÷ floor", ratio_series(cold, floor), 1.5,
                       f"cold {cold.text()}; floor {floor.text()}"))  # fmt: skip
    lines.append(_line("冷构建 ÷ 手工串联 CLI / cold ÷ chained", ratio_series(cold, chained), 0.45,
                       f"chained {chained.text()}"))  # fmt: skip
    lines.append(_line("无变化 ÷ 冷构建 / no-op ÷ cold", ratio_series(noop, cold), 0.03,
                       f"no-op {noop.text(fmt='.3f')}"))  # fmt: skip
    lines.append(_line(f"一年进程树峰值 / tree peak ({kind}, MiB)", peak, 350, "", unit="MiB"))
    lines.append(f"{'report.html':<40} {size:.2f} MiB")
    if pdf_seconds is not None:
        lines.append(f"{'docx → pdf (LibreOffice), not in cold':<40} {pdf_seconds:.2f}s")


def _pdf_time(docx: Path, workdir: Path) -> float | None:
    """Seconds LibreOffice takes for the year's PDF (None when it is not installed)."""
    if pdf.find_soffice() is None or not docx.is_file():
        return None
    start = time.perf_counter()
    try:
        pdf.docx_to_pdf(docx, workdir / "bench.pdf")
    except pdf.PdfError:
        return None
    return time.perf_counter() - start


def bench_jobs(workdir: Path, code: Path, lines: list[str]) -> None:
    """20 synthetic years with JOBS=2 against JOBS=1, alternating, rebuilt with --force: how
    many cores JOBS=2 keeps busy (the target), with JOBS=2 ÷ JOBS=1 beside it."""
    root = workdir / "jobs"
    write_synthetic_years(root / "data" / "raw", YEARS, activities_per_year=6)
    env = _env(root, code)
    wall = {"1": Series(), "2": Series()}
    cores = {"1": Series(), "2": Series()}  # the build's own: CPU of its tree ÷ wall
    machine = {"1": Series(), "2": Series()}  # the whole machine's, other load included
    print(f"{len(YEARS)} 个年度 JOBS=1 / JOBS=2，{RUNS} 轮交替 …", flush=True)
    for n in range(RUNS):
        for jobs in ("1", "2") if n % 2 == 0 else ("2", "1"):
            busy = machine_busy_seconds()
            seconds, cpu = timed_cpu(_build("--jobs", jobs, "--force"), env)
            wall[jobs].values.append(seconds)
            cores[jobs].values.append(cpu / seconds)
            if busy is not None:
                machine[jobs].values.append((machine_busy_seconds() - busy) / seconds)
        print(
            f"  round {n + 1}: JOBS=1 {wall['1'].values[-1]:.1f}s"
            f" ({cores['1'].values[-1]:.2f} cores) JOBS=2 {wall['2'].values[-1]:.1f}s"
            f" ({cores['2'].values[-1]:.2f} cores)",
            flush=True,
        )
    ratio = ratio_series(wall["2"], wall["1"])
    lines.append(
        _line(
            f"{len(YEARS)} 年 JOBS=2 忙碌核数 / busy cores",
            cores["2"],
            BUSY_CORES_TARGET,
            f"JOBS=2 ÷ JOBS=1 {ratio.text('', '.3f')}; JOBS=2 {wall['2'].text()};"
            f" JOBS=1 {wall['1'].text()} ({cores['1'].text('')} cores)",
            at_least=True,
        )
    )
    if machine["1"].values and machine["2"].values:
        # above the build's own figures by whatever else ran on the machine meanwhile
        lines.append(
            f"{'  整机忙碌核数 / machine busy cores':<40} JOBS=1 {machine['1'].text('')};"
            f" JOBS=2 {machine['2'].text('')}"
        )


# --------------------------------------------------------------------------- make preview

#: The synthetic year's 数字服务 row 2 states 年推送期数 (column C); each round saves another value.
PREVIEW_SHEET, PREVIEW_CELL = "数字服务", "C2"


def preview_text(value: int) -> str:
    """The report's words for that cell's value: the reloaded page must say them (the synthetic
    year's 48 reads 「全年推送48期」; tests/unit/run/test_bench.py checks it on a real build)."""
    return f"全年推送{value}期"


def _next_version(events, after: int | None) -> int:
    """Read the preview's event stream until it announces a version other than `after`."""
    while True:
        line = events.readline()
        if not line:
            raise RuntimeError("预览服务器关闭了事件流 / the preview closed its event stream")
        value = line[6:].strip() if line.startswith(b"data: ") else b""
        if value.isdigit() and int(value) != after:  # not the "building" event's data
            return int(value)


def _first_build(address: str) -> None:
    """Wait until the preview has built the year once (version 0 is the waiting page)."""
    with urllib.request.urlopen(address + "__selfeval/events", timeout=300) as events:
        _next_version(events, 0)


def _preview_round(address: str, workbook: Path, value: int) -> float:
    """Seconds from the saved workbook to the rebuilt page fetched, as the open page does it:
    the event that the year was rebuilt, then the page."""
    wb = openpyxl.load_workbook(workbook)
    wb[PREVIEW_SHEET][PREVIEW_CELL] = value
    with urllib.request.urlopen(address + "__selfeval/events", timeout=300) as events:
        shown = _next_version(events, None)
        wb.save(workbook)
        start = time.perf_counter()
        _next_version(events, shown)
        with urllib.request.urlopen(address, timeout=60) as response:
            page = response.read().decode("utf-8")
        elapsed = time.perf_counter() - start
    if preview_text(value) not in page:
        raise RuntimeError(f"预览页面中没有新的数字 {value} / the page lacks the new figure")
    return elapsed


def bench_preview(workdir: Path, code: Path, lines: list[str]) -> None:
    """`make preview`: saving a changed workbook → the reloaded page, against a cold build of
    the same year (as `bench_year` times it), alternating."""
    root = workdir / "preview"
    (folder,) = write_synthetic_years(root / "data" / "raw", [COLD_YEAR], fmt="xlsx")
    (workbook,) = folder.glob("*.xlsx")
    env = _env(root, code)
    cmd = [sys.executable, "-m", "selfeval", "preview", "--year", str(COLD_YEAR), "--port", "0"]
    print(f"make preview：保存工作簿到页面刷新 ÷ 冷构建，{RUNS} 轮交替 …", flush=True)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    cold, reload = Series(), Series()
    try:
        address = None
        for raw_line in proc.stdout:
            found = re.search(r"(http://127\.0\.0\.1:\d+/)", raw_line.decode(errors="replace"))
            if found:
                address = found.group(1)
                break
        if address is None:
            raise RuntimeError(f"{' '.join(cmd)} 没有启动 / did not start")
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
        _first_build(address)
        cold_build = _build("--years", str(COLD_YEAR), "--jobs", "1", "--force")
        for n in range(RUNS):
            order = [cold, reload] if n % 2 else [reload, cold]
            for series in order:
                if series is cold:
                    cold.values.append(timed(cold_build, env))
                else:
                    reload.values.append(_preview_round(address, workbook, 60 + n))
            print(
                f"  round {n + 1}: save → page {reload.values[-1]:.2f}s"
                f" cold {cold.values[-1]:.2f}s",
                flush=True,
            )
    finally:
        proc.terminate()  # the preview stops as on Ctrl-C (SIGTERM is handled alike)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        if proc.poll() is None:
            proc.kill()
    lines.append(_line("预览刷新 ÷ 冷构建 / preview save→page ÷ cold", ratio_series(reload, cold),
                       0.5, f"save→page {reload.text()}; cold {cold.text()}"))  # fmt: skip


# --------------------------------------------------------------------------- units on a cluster


def _trivial(x: int) -> int:
    return x + 1


def _fork_overhead(n: int = 100) -> float:
    """Per-task cost (ms) of the local pool's mechanism: fork a worker, a pipe, a result."""
    ctx = multiprocessing.get_context("fork")
    start = time.perf_counter()
    for i in range(n):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_send, args=(child, i))
        proc.start()
        child.close()
        parent.recv()
        proc.join()
    return (time.perf_counter() - start) / n * 1000


def _send(conn, i: int) -> None:
    conn.send(_trivial(i))
    conn.close()


def _dask_overhead(client, n: int = 400) -> float:
    """Per-task cost (ms) through the scheduler: n trivial tasks, submitted and gathered.

    The task is a builtin, pickled by reference: the workers have the code snapshot on their path,
    not the repo's tools/, and a function of `python -m tools.bench` (`__main__`) would be
    pickled by value, a cost the product's tasks (functions of selfeval.run) do not pay."""
    client.gather(client.map(abs, range(20), pure=False))  # warm
    start = time.perf_counter()
    client.gather(client.map(abs, range(n), pure=False))
    return (time.perf_counter() - start) / n * 1000


def bench_cluster(workdir: Path, code: Path, lines: list[str]) -> None:
    """40 unit-years: the local pool (JOBS=2) against a local scheduler with 2 workers."""
    raw = workdir / "units-raw"
    for seed, unit in enumerate(CLUSTER_UNITS):
        write_synthetic_years(raw / unit, CLUSTER_YEARS, activities_per_year=4, seed=seed)
    n = len(CLUSTER_UNITS) * len(CLUSTER_YEARS)
    local_root, remote_root = workdir / "units-local", workdir / "units-remote"
    for root in (local_root, remote_root):
        shutil.copytree(raw, root / "data" / "raw")
    print(f"{n} 个单位年度：本机进程池 JOBS=2 与本机调度器+2 个工作进程 …", flush=True)
    local = timed(_build("--jobs", "2", "--force"), _env(local_root, code))
    print(f"  pool {local:.1f}s", flush=True)
    env = _env(remote_root, code)
    with CliCluster(workdir / "cluster", n_workers=2, env=env) as cluster:
        samplers = []
        for proc in cluster.workers:
            sampler = TreeSampler(interval=0.2)
            sampler.watch(proc.pid)
            samplers.append(sampler)
        remote = timed(_build("--scheduler", cluster.address, "--force"), env)
        for sampler in samplers:
            sampler.stop()
        overhead = _dask_overhead(cluster.client())
    fork = _fork_overhead()
    print(f"  cluster {remote:.1f}s", flush=True)
    per_worker = max(s.peak for s in samplers) / MB
    lines.append(
        f"{n} 个单位年度 / unit-years: scheduler+2 workers ÷ pool JOBS=2 = {remote / local:.3f}"
        f" (cluster {remote:.1f}s; pool {local:.1f}s; one run each)"
    )
    lines.append(
        f"每任务开销 / per-task overhead: dask {overhead:.2f} ms, fork pool {fork:.2f} ms;"
        f" per unit-year {local * 2 / n:.2f} s of a worker"
    )
    lines.append(
        f"工作进程峰值 / peak per worker (+ its kernels, {samplers[0].kind}): {per_worker:.0f} MiB"
    )


# --------------------------------------------------------------------------- report


def _line(
    name: str, series: Series, limit: float, detail: str, unit: str = "", at_least: bool = False
) -> str:
    """One figure against its target: the median at most `limit` (at least, with `at_least`)."""
    ok = series.median >= limit if at_least else series.median <= limit
    mark = "通过 pass" if ok else "未达标 FAIL"
    shown = series.text(unit=unit, fmt=".3f" if not unit else ".0f")
    return f"{name:<40} {shown}  ({'≥' if at_least else '≤'} {limit}{unit})  {detail}  [{mark}]"


def run_bench(workdir: Path) -> list[str]:
    """Run every measurement in `workdir` and return the report lines."""
    lines: list[str] = []
    code = snapshot_code(workdir / "code")
    started = time.perf_counter()
    bench_year(workdir, code, lines)
    bench_preview(workdir, code, lines)
    bench_jobs(workdir, code, lines)
    try:
        bench_cluster(workdir, code, lines)
    except ImportError as exc:
        lines.append(f"集群基准跳过 / cluster bench skipped: {exc}")
    load = os.getloadavg()[0]
    took = time.perf_counter() - started
    lines.insert(0, f"机器 / machine: {os.cpu_count()} cores; load at the end {load:.2f}")
    mark = "通过 pass" if took <= RUNTIME_LIMIT else "未达标 FAIL"
    lines.append(f"{'基准总用时 / bench runtime':<40} {took:.0f}s  (≤ {RUNTIME_LIMIT}s)  [{mark}]")
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


if __name__ == "__main__":
    sys.exit(bench_cli())
