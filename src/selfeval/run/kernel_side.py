"""Runs inside the kernel: preload heavy modules, snapshot the fresh state, return to it.

The parent (selfeval.run.kernel) sends this file's source once per kernel and executes it as the
module ``_selfeval_kernel_state``, registered in ``sys.modules`` so that it survives IPython's
namespace reset. Nothing here is imported by the parent process, and it imports nothing of
selfeval itself (it is the same code in a dask worker's kernel).

What a reset restores (the state a kernel had right after start and preload):
user namespace, Out/_ caches and the execution counter (IPython ``reset(new_session=True)``),
open figures, matplotlib rcParams (so seaborn/matplotlib styles do not leak), pandas options, numpy
print options, IPython display formatters (``%config InlineBackend.figure_formats``), warning
filters and the "already shown once" registries (a warning 01 showed is shown again in 03, as in a
kernel of its own), root logger level and handlers, cwd, sys.path, os.environ.

What deliberately survives: ``sys.modules`` (the point of sharing the kernel) and therefore any
module-level state of imported modules (caches, registered fonts). What exists after the
preload and after each reset is frozen out of the garbage collector (``gc.freeze``), so the
permanent generation grows at each reset: a reference cycle in it is never collected (freed
with the kernel, which serves one year). Why: docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import importlib
import logging
import os
import sys
import warnings

from IPython import get_ipython

MODULE_NAME = "_selfeval_kernel_state"
_snapshot: dict = {}


def prepare(preload: list[str], optional: list[str] = ()) -> dict:
    """Import `preload` (must import) and `optional` (when they do), then snapshot the state."""
    for name in preload:
        importlib.import_module(name)
    for name in optional:
        with contextlib.suppress(Exception):  # the notebook's own import will say what is wrong
            importlib.import_module(name)
    _snapshot.clear()
    _snapshot.update(
        cwd=os.getcwd(),
        path=list(sys.path),
        environ=dict(os.environ),
        filters=list(warnings.filters),
        log_level=logging.root.level,
        log_handlers=list(logging.root.handlers),
        rc=_rc_params(),
        numpy=_numpy_printoptions(),
        formatters=_formatters(),
    )
    _snapshot["frozen_at_start"] = gc.get_freeze_count()  # > 0 in a kernel forked by run.zygote
    gc.freeze()  # the imports live as long as the kernel: not walked by each collection
    return {"pid": os.getpid(), "modules": len(sys.modules)}


def reset() -> None:
    """Bring the kernel back to the snapshot taken by prepare(); keep sys.modules."""
    shell = get_ipython()
    shell.reset(new_session=True)  # user namespace, Out cache, execution_count = 1
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        if _snapshot.get("rc") is not None:
            matplotlib.rcParams.update(_snapshot["rc"])
        else:  # imported only by a notebook: defaults are what a fresh kernel would have
            matplotlib.rcdefaults()
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("all")
    numpy = sys.modules.get("numpy")
    if numpy is not None and _snapshot.get("numpy") is not None:
        numpy.set_printoptions(**_snapshot["numpy"])
    _restore_formatters(shell, _snapshot.get("formatters"))
    # resetwarnings() marks the filters changed, which empties every module's
    # __warningregistry__ ("once" state) at its next warning; then the snapshot's filters
    warnings.resetwarnings()
    warnings.filters[:] = _snapshot["filters"]
    warnings.onceregistry.clear()
    logging.root.setLevel(_snapshot["log_level"])
    logging.root.handlers[:] = _snapshot["log_handlers"]
    os.chdir(_snapshot["cwd"])
    sys.path[:] = _snapshot["path"]
    if dict(os.environ) != _snapshot["environ"]:
        os.environ.clear()
        os.environ.update(_snapshot["environ"])
    gc.collect()
    gc.freeze()  # mostly module state now (imports, caches): not walked by each collection


def _rc_params() -> dict | None:
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is None:
        return None
    params = dict(matplotlib.rcParams.copy())  # as matplotlib.rc_context does
    params.pop("backend", None)
    return params


def _numpy_printoptions() -> dict | None:
    numpy = sys.modules.get("numpy")
    return None if numpy is None else numpy.get_printoptions()


def _formatters() -> dict | None:
    shell = get_ipython()
    if shell is None:
        return None
    return {
        mime: (f.enabled, copy.copy(f.type_printers), copy.copy(f.deferred_printers))
        for mime, f in shell.display_formatter.formatters.items()
    }


def _restore_formatters(shell, saved: dict | None) -> None:
    if shell is None or saved is None:
        return
    for mime, formatter in shell.display_formatter.formatters.items():
        if mime in saved:
            formatter.enabled, type_printers, deferred = saved[mime]
            formatter.type_printers = copy.copy(type_printers)
            formatter.deferred_printers = copy.copy(deferred)
