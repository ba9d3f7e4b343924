"""Builders a test's LocalPool runs in its workers (named as "module:function", as the real
`selfeval.run.notebooks:build_year` is)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

#: A child of the worker, in its process group (as its kernel is), writing into the staged
#: processed folder until it is stopped.
_WRITER = """
import sys, time, pathlib
folder = pathlib.Path(sys.argv[1])
n = 0
while True:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"part-{n % 5}.tmp").write_text(str(n))
    n += 1
    time.sleep(0.01)
"""


def spawn_writer_and_hang(year, raw_dir, processed_dir: Path, output_dir: Path, **_kwargs):
    """Start a writer in this worker's group, say its pid, then never finish."""
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(processed_dir)])
    (output_dir / "writer.pid").write_text(str(child.pid))
    while True:
        time.sleep(1)
