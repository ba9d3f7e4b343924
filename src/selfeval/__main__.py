"""`python -m selfeval` runs the command-line interface."""

import gc

from selfeval.cli import main

status = main()
# Nothing is collected at exit that a collection would free for anyone: out of the collector's
# reach, the interpreter's teardown skips walking what a batch imported (papermill, nbconvert,
# jupyter_client: 0.2 s of one core after the last year, tools/bench.py's JOBS figure).
gc.freeze()
raise SystemExit(status)
