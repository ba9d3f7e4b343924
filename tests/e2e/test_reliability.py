"""Reliability (issue 6): bad inputs analysts really produce, and faults during a batch.

Input tests run `selfeval.clean.clean_year` on real files written here (openpyxl workbooks, CSV
bytes). Fault tests run `python -m selfeval build` as a real subprocess on a temporary project
(SELFEVAL_ROOT) and hurt it with real signals, a failing year and a read-only output folder.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import psutil
import pytest
from openpyxl import Workbook, load_workbook

from selfeval import clean, synthetic
from selfeval.errors import InputError

pytestmark = pytest.mark.no_pdf

REPO = Path(__file__).resolve().parents[2]
RAW_2024 = REPO / "data" / "raw" / "2024"


# ---------------------------------------------------------------------------------------------
# Helpers: the 2024 data as an analyst's workbook


def _cell(text: str):
    """A CSV text as Excel would hold it after typing: numbers become numbers."""
    if text == "":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def _csv_rows(path: Path) -> list[list]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [[_cell(v) for v in row] for row in csv.reader(fh)]


def workbook_from_csvs(
    src: Path, dest: Path, rename: dict[str, str] | None = None, *, blank_first_row: str = ""
) -> Path:
    """Write the CSV sheets of `src` as one .xlsx in folder `dest`; returns the workbook path."""
    rename = rename or {}
    wb = Workbook()
    wb.remove(wb.active)
    for path in sorted(src.glob("*.csv")):
        ws = wb.create_sheet(rename.get(path.stem, path.stem))
        if path.stem == blank_first_row:
            ws.append([])
        for row in _csv_rows(path):
            ws.append(row)
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / "绩效自评数据.xlsx"
    wb.save(out)
    return out


def _frames_equal(a, b, ignore=("src_file", "src_sheet")) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        left = a.tables[name].drop(columns=[c for c in ignore if c in a.tables[name]])
        right = b.tables[name].drop(columns=[c for c in ignore if c in b.tables[name]])
        assert left.equals(right), name


@pytest.fixture(scope="module")
def baseline():
    """The 2024 CSVs as committed, cleaned."""
    return clean.clean_year(RAW_2024, 2024)


# ---------------------------------------------------------------------------------------------
# Workbooks: formulas, merged headers, blank first row, sheet names with spaces


def _set_formula(xlsx: Path, sheet_title: str, ref: str, formula: str, cached: str | None):
    """Turn cell `ref` of one sheet into `formula`, with `cached` as Excel's stored result."""
    with zipfile.ZipFile(xlsx) as zf:
        members = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    wb = load_workbook(xlsx, read_only=True)
    index = wb.sheetnames.index(sheet_title) + 1
    wb.close()
    member = f"xl/worksheets/sheet{index}.xml"
    xml = members[member].decode("utf-8")
    pattern = re.compile(rf'<c r="{ref}"([^>]*?)(?:/>|>.*?</c>)', re.DOTALL)
    assert pattern.search(xml), f"{ref} not found in {member}"
    value = f"<v>{cached}</v>" if cached is not None else ""
    attrs = re.sub(r'\s*t="[^"]*"', "", pattern.search(xml).group(1))
    xml = pattern.sub(f'<c r="{ref}"{attrs}><f>{formula}</f>{value}</c>', xml, count=1)
    members[member] = xml.encode("utf-8")
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _cell_ref(xlsx: Path, sheet: str, row_label: str, header_prefix: str) -> str:
    wb = load_workbook(xlsx)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(headers) if h and str(h).startswith(header_prefix))
    for row in ws.iter_rows(min_row=2):
        if row_label in [c.value for c in row]:
            return row[col].coordinate
    raise AssertionError(f"{row_label} not in {sheet}")


def test_workbook_of_the_2024_data_cleans_like_the_csvs(tmp_path, baseline) -> None:
    workbook_from_csvs(RAW_2024, tmp_path / "2024")
    result = clean.clean_year(tmp_path / "2024", 2024)
    _frames_equal(result, baseline)


def test_formulas_read_cached_values_never_evaluated(tmp_path, baseline) -> None:
    xlsx = workbook_from_csvs(RAW_2024, tmp_path / "2024")
    ref = _cell_ref(xlsx, "支出", "人员支出", "执行数")
    # The stored result is what Excel showed; evaluating the formula would give 2.
    _set_formula(xlsx, "支出", ref, "1+1", "63.44")
    assert load_workbook(xlsx)["支出"][ref].value == "=1+1"
    result = clean.clean_year(tmp_path / "2024", 2024)
    spending = result.tables["spending"]
    staff = spending.loc[spending["item"] == "人员支出", "actual"]
    assert staff.tolist() == [63.44]
    _frames_equal(result, baseline)


def test_formula_without_cached_value_is_a_clear_error(tmp_path) -> None:
    xlsx = workbook_from_csvs(RAW_2024, tmp_path / "2024")
    ref = _cell_ref(xlsx, "支出", "人员支出", "执行数")
    _set_formula(xlsx, "支出", ref, "SUM(1,2)", None)  # as openpyxl or a script leaves it
    with pytest.raises(InputError) as info:
        clean.clean_year(tmp_path / "2024", 2024)
    text = str(info.value)
    assert "支出" in text and ref in text and "公式" in text


def test_merged_header_cells_name_the_sheet(tmp_path) -> None:
    xlsx = workbook_from_csvs(RAW_2024, tmp_path / "2024")
    wb = load_workbook(xlsx)
    wb["活动"].merge_cells("H1:I1")  # "参与人次" spread over 线下/线上, as people lay it out
    wb.save(xlsx)
    with pytest.raises(InputError) as info:
        clean.clean_year(tmp_path / "2024", 2024)
    problems = [p for p in info.value.problems if p.sheet == "活动"]
    assert problems, str(info.value)
    assert "合并" in str(problems[0]) and "H1:I1" in str(problems[0])
    assert "工作表「活动」" in str(info.value)


def test_blank_first_row_names_the_sheet(tmp_path) -> None:
    workbook_from_csvs(RAW_2024, tmp_path / "2024", blank_first_row="支出")
    with pytest.raises(InputError) as info:
        clean.clean_year(tmp_path / "2024", 2024)
    problems = info.value.problems
    assert [p.sheet for p in problems] == ["支出"], str(info.value)
    assert problems[0].row == 1 and "表头" in str(problems[0])
    assert "工作表「支出」" in str(info.value)


def test_sheet_names_with_trailing_spaces(tmp_path, baseline) -> None:
    workbook_from_csvs(
        RAW_2024, tmp_path / "2024", rename={"活动": "活动 ", "支出": "支出\u3000", "馆藏": " 馆藏"}
    )
    result = clean.clean_year(tmp_path / "2024", 2024)
    _frames_equal(result, baseline)
    assert set(result.tables["activities"]["src_sheet"]) == {"活动"}


def test_csv_file_names_with_trailing_spaces(tmp_path, baseline) -> None:
    dest = tmp_path / "2024"
    dest.mkdir()
    for path in RAW_2024.glob("*.csv"):
        name = f"{path.stem} .csv" if path.stem in ("活动", "支出") else path.name
        shutil.copyfile(path, dest / name)
    _frames_equal(clean.clean_year(dest, 2024), baseline)


# ---------------------------------------------------------------------------------------------
# CSV line endings


def test_csv_with_mixed_line_endings(tmp_path, baseline) -> None:
    dest = tmp_path / "2024"
    shutil.copytree(RAW_2024, dest)
    for path in dest.glob("*.csv"):
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
        endings = [b"\r\n", b"\n", b"\r"]
        data = b"".join(
            line.encode("utf-8") + endings[i % 3] for i, line in enumerate(lines) if line
        )
        path.write_bytes(b"\xef\xbb\xbf" + data)
    activities = (dest / "活动.csv").read_bytes()
    assert b"\r\n" in activities and re.search(rb"[^\r]\n", activities)
    assert re.search(rb"\r[^\n]", activities)
    _frames_equal(clean.clean_year(dest, 2024), baseline, ignore=())


# ---------------------------------------------------------------------------------------------
# A large workbook: ~10 MB, 20,000 activity rows, cleaned in a separate process

_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def write_large_workbook(dest: Path, year: int, rows: int, text_chars: int) -> Path:
    """A synthetic year as one workbook, its 活动 sheet `rows` long with long free text."""
    synthetic.write_synthetic_years(dest, [year], activities_per_year=rows, fmt="csv")
    folder = dest / str(year)
    rng = random.Random(year)
    wb = Workbook(write_only=True)
    for path in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(path.stem)
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if year % 2 == 0 else data.decode("gb18030")
        records = list(csv.reader(text.splitlines()))
        header = records[0]
        long_cols = {i for i, h in enumerate(header) if h in ("成效", "说明")}
        ws.append(header)
        for record in records[1:]:
            if path.stem == "活动":
                record = [
                    "".join(rng.choices(_HAN, k=text_chars)) if i in long_cols else v
                    for i, v in enumerate(record)
                ]
            ws.append([_cell(v) for v in record])
        path.unlink()
    out = folder / "大数据量.xlsx"
    wb.save(out)
    return out


_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    t0 = time.perf_counter()
    from selfeval import clean
    result = clean.clean_year(Path(sys.argv[1]), int(sys.argv[2]))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak,
                      "activities": len(result.tables["activities"])}))
    """
)


@pytest.mark.slow
def test_ten_megabyte_workbook_with_20000_activities(tmp_path) -> None:
    xlsx = write_large_workbook(tmp_path, 2031, rows=20_000, text_chars=110)
    size_mb = xlsx.stat().st_size / 1e6
    assert size_mb > 9, size_mb
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(xlsx.parent), "2031"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["activities"] >= 20_000
    # Bounded memory: far below what loading the workbook several times over would take.
    assert figures["peak_mb"] < 2048, figures
    print(f"\n大工作簿 {size_mb:.1f} MB, {figures}")


# ---------------------------------------------------------------------------------------------
# Faults during a batch: `python -m selfeval build` on a temporary project, hurt for real

STEPS = {"clean": "清洗", "analyze": "分析", "report": "报告", "export": "导出"}
BUILD_TIMEOUT = 900


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "SELFEVAL_ROOT": str(root), "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "selfeval", "build", "--jobs", "2", *args]


def run_build(root: Path, *args: str, preexec_fn=None) -> subprocess.CompletedProcess:
    """Run a whole batch to its end; stdout and stderr together."""
    return subprocess.run(
        _command(*args),
        cwd=root,
        env=_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BUILD_TIMEOUT,
        preexec_fn=preexec_fn,
    )


class RunningBuild:
    """A batch started in its own session (as a terminal starts it), its output pumped live."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            _command(*args),
            cwd=root,
            env=_env(root),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._pump = threading.Thread(target=self._read, daemon=True)
        self._pump.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, pattern: str, timeout: float = BUILD_TIMEOUT) -> int:
        """Wait until a line matches; returns the number of lines read so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(re.search(pattern, line) for line in list(self.lines)):
                return len(self.lines)
            if self.proc.poll() is not None:
                self._pump.join(5)
                if any(re.search(pattern, line) for line in self.lines):
                    return len(self.lines)
                pytest.fail(f"build ended before {pattern!r}:\n{''.join(self.lines)}")
            time.sleep(0.05)
        self.proc.kill()
        pytest.fail(f"no {pattern!r} within {timeout}s:\n{''.join(self.lines)}")

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        """Wait for the batch to exit; returns (exit status, whole output)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            pytest.fail(f"batch did not end within {timeout}s:\n{''.join(self.lines)}")
        self._pump.join(10)
        return code, "".join(self.lines)

    def worker(self) -> tuple[psutil.Process, list[psutil.Process]]:
        """The batch's one worker process (a direct child) once its kernel runs, and the kernel."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for worker in psutil.Process(self.proc.pid).children():
                with contextlib.suppress(psutil.Error):
                    kernels = worker.children(recursive=True)
                    if kernels:
                        return worker, kernels
            time.sleep(0.05)
        pytest.fail(f"no worker with a running kernel:\n{''.join(self.lines)}")


def _digest(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {
        p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file() and "failed" not in p.relative_to(path).parts
    }


def snapshot(root: Path, year: int = 2024) -> dict[str, dict[str, str]]:
    """Content hashes of a year's committed outputs and processed data (failed/ aside)."""
    return {
        "outputs": _digest(root / "outputs" / str(year)),
        "processed": _digest(root / "data" / "processed" / str(year)),
    }


def leftovers(root: Path) -> list[str]:
    """Staging folders, backups or swap journals an interrupted batch left behind."""
    found = []
    for folder in (root / "outputs", root / "data" / "processed"):
        for entry in folder.iterdir() if folder.is_dir() else []:
            if entry.name.startswith((".tmp-", ".old-", ".swap-")) or entry.name.endswith(".tmp"):
                found.append(str(entry.relative_to(root)))
    return found


def failure_text(output: str, year: int) -> str:
    """The lines of a batch's output that report `year` as failed or interrupted."""
    lines = [
        line
        for line in output.splitlines()
        if str(year) in line and re.search(r"失败|failed|中断|interrupt", line)
    ]
    return "\n".join(lines)


def assert_names_step(text: str, step: str) -> None:
    assert step in text or STEPS[step] in text, f"step {step!r} not named in:\n{text}"


def group_alive(pgid: int) -> list[psutil.Process]:
    """Processes still running in process group `pgid` (zombies aside)."""
    alive = []
    for proc in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(proc)
    return alive


def wait_group_gone(pgid: int, timeout: float = 15) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = group_alive(pgid)
        if not alive:
            return []
        time.sleep(0.2)
    return group_alive(pgid)


def wait_gone(processes: list[psutil.Process], timeout: float = 30) -> list[psutil.Process]:
    """The given processes still running (zombies aside) after up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for proc in processes:
            with contextlib.suppress(psutil.Error):
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A temporary project with the 2024 data, built once by a real batch."""
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(RAW_2024, root / "data" / "raw" / "2024")
    proc = run_build(root)
    assert proc.returncode == 0, proc.stdout
    assert (root / "outputs" / "2024" / "report.html").is_file()
    return root


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    """A copy of the built project for one fault; its 2024 report counts as up to date."""
    root = tmp_path / "project"
    shutil.copytree(pristine, root, symlinks=True)
    return root


@pytest.mark.slow
def test_pristine_copy_is_up_to_date(project: Path) -> None:
    before = snapshot(project)
    proc = run_build(project)
    assert proc.returncode == 0, proc.stdout
    assert "未变化" in proc.stdout or "unchanged" in proc.stdout
    assert snapshot(project) == before


@pytest.mark.slow
def test_year_whose_notebook_raises(project: Path) -> None:
    before = snapshot(project)
    spending = project / "data" / "raw" / "2024" / "支出.csv"
    good = spending.read_bytes()
    spending.write_bytes(good.replace(b"63.44", "六十三点四四".encode()))
    proc = run_build(project)
    assert proc.returncode == 1, proc.stdout
    failure = failure_text(proc.stdout, 2024)
    assert failure, proc.stdout
    assert_names_step(failure, "clean")
    assert "人员支出" in proc.stdout or "六十三点四四" in proc.stdout  # the offending cell
    assert snapshot(project) == before
    assert leftovers(project) == []
    assert (project / "outputs" / "2024" / "failed").is_dir()

    spending.write_bytes(good)  # the analyst fixes the cell; nobody cleans anything up
    proc = run_build(project)
    assert proc.returncode == 0, proc.stdout
    assert not (project / "outputs" / "2024" / "failed").exists()
    assert (project / "outputs" / "2024" / "report.html").is_file()
    assert leftovers(project) == []


@pytest.mark.slow
def test_notebook_raising_in_a_later_stage(project: Path) -> None:
    """The previous year's processed data is damaged: 2024 gets past clean, then a notebook
    reading that data raises mid-way."""
    before = snapshot(project)
    damaged = project / "data" / "processed" / "2023"
    damaged.mkdir(parents=True)
    meta = {"year": 2023, "unit_name": "云溪区图书馆", "data_date": None, "sources": []}
    (damaged / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    (damaged / "checks.json").write_text('{"normalised": [], "reconciled": [], "warnings": []}')
    for table in ("unit", "spending", "activities", "texts"):
        (damaged / f"{table}.parquet").write_bytes(b"PAR1 truncated by a failing disk")
    proc = run_build(project)
    assert proc.returncode == 1, proc.stdout
    failure = failure_text(proc.stdout, 2024)
    assert failure, proc.stdout
    assert "clean" not in failure and "清洗" not in failure, failure
    assert re.search(r"[「'\"](analyze|report)[」'\"]", failure), failure
    assert snapshot(project) == before
    assert leftovers(project) == []
    findings = Findings()
    for shown in re.findall(r"笔记本见 (\S+?\.ipynb)", proc.stdout):
        findings.expect(Path(shown).is_file(), f"the message points to a missing file: {shown}")
    findings.expect(
        any((project / "outputs" / "2024" / "failed").glob("*.ipynb")),
        "the failed notebook is not kept under outputs/2024/failed/",
    )

    shutil.rmtree(damaged)  # the damaged folder is removed; the batch's own state needs nothing
    proc = run_build(project)
    assert proc.returncode == 0, proc.stdout
    assert not (project / "outputs" / "2024" / "failed").exists()
    assert leftovers(project) == []
    findings.check()


class Findings:
    """Expectations checked after the whole scenario ran, so one report lists every defect."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, condition: bool, message: str) -> None:
        if not condition:
            self.failed.append(message)

    def names_step(self, text: str, step: str) -> None:
        self.expect(step in text or STEPS[step] in text, f"step {step!r} not named in: {text!r}")

    def check(self) -> None:
        assert not self.failed, "\n".join(self.failed)


@pytest.mark.slow
def test_worker_killed_mid_build(project: Path) -> None:
    before = snapshot(project)
    build = RunningBuild(project, "--force")
    build.wait_for(r"\[2024\] 开始 analyze")
    worker, kernels = build.worker()
    pgid = os.getpgid(worker.pid)
    os.kill(worker.pid, signal.SIGKILL)
    code, output = build.finish()
    assert code == 1, output
    failure = failure_text(output, 2024)
    assert failure, output
    assert snapshot(project) == before
    assert leftovers(project) == []
    findings = Findings()
    findings.names_step(failure, "analyze")
    survivors = wait_gone(kernels) + wait_group_gone(pgid)
    findings.expect(survivors == [], f"kernels orphaned by the killed worker: {survivors}")
    for proc in survivors:  # do not leave them to the next test
        with contextlib.suppress(psutil.Error):
            proc.kill()

    proc = run_build(project, "--force")
    assert proc.returncode == 0, proc.stdout
    assert leftovers(project) == []
    assert not (project / "outputs" / "2024" / "failed").exists()
    findings.check()


@pytest.mark.slow
def test_batch_interrupted_with_sigint(project: Path) -> None:
    before = snapshot(project)
    build = RunningBuild(project, "--force")
    build.wait_for(r"\[2024\] 开始 analyze")
    worker, kernels = build.worker()
    pgid = os.getpgid(worker.pid)
    seen = len(build.lines)
    os.killpg(build.proc.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's process group
    code, output = build.finish()
    after = "".join(build.lines[seen:])
    assert code == 130, output
    assert "中断" in after or "interrupted" in after
    assert snapshot(project) == before
    assert leftovers(project) == []
    assert wait_group_gone(pgid) == []
    survivors = wait_gone(kernels)
    assert survivors == [], f"kernels left running after Ctrl-C: {survivors}"
    findings = Findings()
    findings.expect("2024" in after, f"the interrupted year is not named: {after!r}")
    findings.names_step(after, "analyze")

    proc = run_build(project, "--force")
    assert proc.returncode == 0, proc.stdout
    assert "另一个批量生成正在运行" not in proc.stdout  # the lock was released
    assert leftovers(project) == []
    findings.check()


def _without_dac_override() -> None:  # runs in the child between fork and exec
    """Drop root's power to ignore file modes, so a read-only folder is read-only for root too."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _read_only_runner():
    """preexec_fn under which a 0555 folder refuses writes (None when not root)."""
    return _without_dac_override if os.geteuid() == 0 else None


@pytest.mark.slow
def test_read_only_output_directory(project: Path) -> None:
    before = snapshot(project)
    outputs = project / "outputs"
    preexec = _read_only_runner()
    outputs.chmod(0o555)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(outputs / 'probe')!r}, 'w')"],
            preexec_fn=preexec,
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0:
            (outputs / "probe").unlink()
            pytest.skip("cannot make a folder read-only for this user (no CAP_SETPCAP?)")
        assert "PermissionError" in probe.stderr
        proc = run_build(project, "--force", preexec_fn=preexec)
    finally:
        outputs.chmod(0o755)
    assert proc.returncode != 0, proc.stdout
    assert snapshot(project) == before
    assert leftovers(project) == []
    findings = Findings()
    findings.expect("Traceback" not in proc.stdout, f"traceback, not a message: {proc.stdout}")
    findings.expect(failure_text(proc.stdout, 2024) != "", "no line says that 2024 failed")

    proc = run_build(project, "--force")  # space freed / permission restored: same command
    assert proc.returncode == 0, proc.stdout
    assert leftovers(project) == []
    assert not (project / "outputs" / "2024" / "failed").exists()
    findings.check()


def _small_disk() -> None:  # runs in the child between fork and exec
    """Files may not grow past 200 KB (EFBIG, as a full disk fails a write mid-way)."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


@pytest.mark.slow
def test_disk_full_while_writing_the_report(project: Path) -> None:
    before = snapshot(project)
    assert (project / "outputs" / "2024" / "report.html").stat().st_size > 200_000
    proc = run_build(project, "--force", preexec_fn=_small_disk)
    assert proc.returncode != 0, proc.stdout
    failure = failure_text(proc.stdout, 2024)
    assert failure, proc.stdout
    assert re.search(r"[「'\"](clean|analyze|report|export)[」'\"]", failure), failure
    assert snapshot(project) == before
    assert leftovers(project) == []
    findings = Findings()
    findings.expect(
        re.search(r"Errno 2[78]|File too large|No space left|磁盘|空间不足", failure) is not None,
        f"the message hides that a write failed for lack of space: {failure}",
    )

    proc = run_build(project, "--force")
    assert proc.returncode == 0, proc.stdout
    assert leftovers(project) == []
    assert not (project / "outputs" / "2024" / "failed").exists()
    findings.check()
