"""Two batches at once: the second says that one is running and waits (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from selfeval.config import Roots

pytestmark = pytest.mark.no_pdf


def test_second_batch_waits_for_the_first(tmp_path):
    roots = Roots.of(tmp_path)
    roots.raw.mkdir(parents=True)
    env = {**os.environ, "SELFEVAL_ROOT": str(tmp_path)}
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys
                from pathlib import Path
                from selfeval.run.batch import batch_lock
                with batch_lock(Path({str(roots.outputs)!r})):
                    print("held", flush=True)
                    sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        # 2099 has no raw folder: the batch fails that year without starting any notebook.
        second = subprocess.Popen(
            [sys.executable, "-m", "selfeval", "build", "--years", "2099"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        first_line = second.stdout.readline()
        assert "另一个批量生成正在运行" in first_line
        assert second.poll() is None, "the second batch went on while the lock was held"
        assert not (roots.outputs / "2099").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    rest = second.stdout.read()
    assert second.wait(timeout=60) == 1
    assert "2099" in rest and "failed" in rest and "找不到原始数据目录" in rest


def test_a_lock_path_that_is_a_folder_is_a_located_message(tmp_path):
    roots = Roots.of(tmp_path)
    (roots.outputs / ".batch.lock").mkdir(parents=True)
    (roots.raw / "2024").mkdir(parents=True)
    env = {**os.environ, "SELFEVAL_ROOT": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "selfeval", "build"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "outputs/.batch.lock" in proc.stderr and "是一个目录" in proc.stderr
    assert (roots.outputs / ".batch.lock").is_dir()  # someone's folder: not removed


def _hold_lock(roots: Roots, *, stdin=subprocess.PIPE) -> subprocess.Popen:
    """A real process that takes the batch lock, prints 'held' and waits on its stdin."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from selfeval.run.batch import batch_lock
        with batch_lock(Path({str(roots.outputs)!r})):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "holder-marker"],
        stdin=stdin,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.slow  # waits out the configured bound on purpose
def test_a_held_lock_names_its_holder_and_gives_up_after_the_configured_wait(tmp_path):
    import socket
    import time

    roots = Roots.of(tmp_path)
    (roots.raw / "2024").mkdir(parents=True)
    (roots.outputs / "2023").mkdir(parents=True)
    (roots.outputs / "2023" / "report.html").write_text("earlier", encoding="utf-8")
    holder = _hold_lock(roots)
    env = {**os.environ, "SELFEVAL_ROOT": str(tmp_path), "SELFEVAL_LOCK_TIMEOUT": "2"}
    try:
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "selfeval", "build"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,  # before the fix the second build waited forever
        )
        elapsed = time.monotonic() - started
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    out = second.stdout + second.stderr
    assert second.returncode == 1, out
    assert 2 <= elapsed < 20, elapsed
    assert "Traceback" not in out
    # the waiting line and the final message both name the holder: pid, host, command
    for text in (second.stdout, second.stderr):
        assert f"进程 {holder.pid}" in text and f"主机 {socket.gethostname()}" in text, text
        assert "holder-marker" in text and "开始于" in text, text
    assert "等待 2 秒后锁文件" in second.stderr and "SELFEVAL_LOCK_TIMEOUT" in second.stderr
    assert not (roots.outputs / "2024").exists()
    assert (roots.outputs / "2023" / "report.html").read_text(encoding="utf-8") == "earlier"


def test_the_lock_of_a_killed_holder_is_taken_over_at_once(tmp_path):
    import signal

    roots = Roots.of(tmp_path)
    roots.raw.mkdir(parents=True)
    holder = _hold_lock(roots)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert str(holder.pid) in (roots.outputs / ".batch.lock").read_text()  # its record stays
    env = {**os.environ, "SELFEVAL_ROOT": str(tmp_path), "SELFEVAL_LOCK_TIMEOUT": "30"}
    proc = subprocess.run(
        [sys.executable, "-m", "selfeval", "build", "--years", "2099"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "另一个批量生成正在运行" not in proc.stdout + proc.stderr
    assert "找不到原始数据目录" in proc.stdout  # it went on to the year at once
