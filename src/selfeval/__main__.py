"""`python -m selfeval` runs the command-line interface."""

import gc

from selfeval.cli import main

status = main()
# The process ends here: collecting what a batch imported (papermill, nbconvert, jupyter_client)
# in the interpreter's teardown frees nothing anyone uses, and took 0.2 s of one core after the
# last year (tools/bench.py's JOBS figure). Frozen objects are out of the collector's reach.
gc.freeze()
raise SystemExit(status)
