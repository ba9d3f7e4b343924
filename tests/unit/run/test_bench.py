"""`make bench`'s instruments, on real processes and files (no build's speed is asserted).

The floor must be the same work as the pipeline, or the ratio against it says nothing: the
floor script's report is compared byte for byte with the one the real build writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from selfeval.synthetic import write_synthetic_years
from tools import bench

pytestmark = pytest.mark.slow


def test_the_floor_writes_the_report_the_build_writes(tmp_path):
    root = tmp_path / "root"
    year = 2023
    write_synthetic_years(root / "data" / "raw", [year], activities_per_year=4)
    env = dict(os.environ, SELFEVAL_ROOT=str(root), MPLBACKEND="Agg", SELFEVAL_SOFFICE="")
    subprocess.run(
        [sys.executable, "-m", "selfeval", "build", "--years", str(year)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    raw = root / "data" / "raw" / str(year)
    out = tmp_path / "floor-out"
    subprocess.run(
        [sys.executable, "-c", bench.FLOOR_SCRIPT, str(raw), str(tmp_path / "p"), str(out),
         str(year)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    built = root / "outputs" / str(year)
    # the preview bench waits for the page to state the saved 年推送期数 (48 in a synthetic year)
    assert bench.preview_text(48) in (built / "report.html").read_text(encoding="utf-8")
    for name in ("report.docx", "review.docx"):  # the 报送稿 and the 审核底稿, as 03 writes them
        assert (out / name).read_bytes() == (built / name).read_bytes(), name
    # the floor writes the report's body; the build's page is nbconvert's export of the
    # notebook, each part in an output area (that export is the one step of a year the floor
    # leaves out: the floor is lower for it). Same text, same pictures.
    floor = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    page = BeautifulSoup((built / "report.html").read_text(encoding="utf-8"), "html.parser")
    main = page.find("main")
    assert " ".join(floor.get_text(" ").split()) == " ".join(main.get_text(" ").split())
    pictures = [img["src"] for img in floor.find_all("img")]
    assert len(pictures) >= 3 and pictures == [img["src"] for img in main.find_all("img")]


def test_ratios_pair_alternating_runs_and_the_median_decides():
    a = bench.Series([9.0, 12.0, 10.0])
    b = bench.Series([6.0, 6.0, 5.0])
    ratios = bench.ratio_series(a, b)
    assert ratios.values == [1.5, 2.0, 2.0]  # 9/6, 12/6, 10/5
    assert ratios.median == 2.0
    assert "[未达标 FAIL]" in bench._line("x", ratios, 1.5, "")
    assert "[通过 pass]" in bench._line("x", bench.Series([1.4, 1.6, 1.2]), 1.5, "")


def test_the_tree_sampler_sees_memory_of_a_grandchild(tmp_path):
    """The peak counts every process of the tree: here a child whose own child holds 200 MB."""
    code = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', "
        "'import time; b = b\"x\" * (200 * 1024 * 1024); time.sleep(1.5)'])\n"
    )
    sampler = bench.TreeSampler(interval=0.05)
    bench.timed([sys.executable, "-c", code], dict(os.environ), sampler)
    assert sampler.peak / bench.MB >= 200


def test_busy_ticks_are_user_nice_system_irq_softirq_of_the_cpu_line():
    line = "cpu  4447259 5650 721274 2851379 21029 0 13585 120941 0 0"
    assert bench.busy_ticks(line) == 4447259 + 5650 + 721274 + 0 + 13585  # not idle/iowait/steal
    assert bench.busy_ticks("cpu0 1 2 3 4 5 6 7 8") is None  # one core's line, not the total
    assert bench.busy_ticks("intr 1 2") is None


@pytest.mark.skipif(not Path("/proc/stat").is_file(), reason="Linux /proc/stat")
def test_the_machines_busy_seconds_count_a_child_burning_cpu():
    """A child that burns 1 s of CPU moves the machine's counters by about that much (other
    load can only add; the bound allows for time the hypervisor books as stolen)."""
    before = bench.machine_busy_seconds()
    burn = "import time\nend = time.process_time() + 1.0\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)
    after = bench.machine_busy_seconds()
    assert after - before >= 0.7


def test_a_builds_cpu_seconds_count_a_grandchild_burning_cpu():
    """The busy-cores figure counts the whole process tree of the command, not just its first
    process: here a child that waits for its own child burning 1 s of CPU."""
    burn = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'import time\\n"
        "end = time.process_time() + 1.0\\n"
        "while time.process_time() < end: pass'], check=True)\n"
    )
    wall, cpu = bench.timed_cpu([sys.executable, "-c", burn], dict(os.environ))
    assert 1.0 <= cpu <= wall + 1.0  # the grandchild's burn, and no other load of the machine


def test_busy_cores_is_a_lower_bound_and_the_median_decides():
    assert "(≥ 1.85)" in bench._line("x", bench.Series([1.9, 1.8, 1.86]), 1.85, "", at_least=True)
    assert "[通过 pass]" in bench._line(
        "x", bench.Series([1.9, 1.8, 1.86]), 1.85, "", at_least=True
    )
    assert "[未达标 FAIL]" in bench._line(
        "x", bench.Series([1.9, 1.8, 1.7]), 1.85, "", at_least=True
    )
