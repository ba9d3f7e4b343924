"""`python -m selfeval` leaves what it imported out of the collector's reach before the
interpreter's teardown: a batch's parent holds papermill, nbconvert and jupyter_client, whose
collection at exit took 0.2 s of one core after the last year (measured; `make bench`'s JOBS
figure). The check is gc's own state seen from an exit handler, which runs after the module's
last line: it fails if the freeze is dropped, or if gc.freeze stops existing."""

from __future__ import annotations

import subprocess
import sys

from selfeval import config

PROBE = """
import atexit, gc, runpy, sys
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0, flush=True))
sys.argv = ["selfeval", "build", "--years", "２０２４"]
runpy.run_module("selfeval", run_name="__main__", alter_sys=True)
"""


def test_the_command_line_freezes_what_it_holds_before_the_interpreter_exits():
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=config.PROJECT_ROOT,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr  # a year that is not one: refused, said, exit 2
    assert "２０２４" in proc.stderr
    assert proc.stdout.splitlines() == ["frozen True"]
