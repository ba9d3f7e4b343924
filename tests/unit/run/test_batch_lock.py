"""Two batches at once: the second says that one is running and waits (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from selfeval.config import Roots


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
