"""One IPython kernel for the three notebooks of a year, isolated by a namespace reset between them.

Why: starting, preloading and gracefully stopping a kernel per notebook cost ~3 s of a ~13 s year.
papermill stays the executor of each notebook (every stage still writes its executed
notebook for audit); it is only given a kernel that is already running.

How papermill/nbclient share a kernel (papermill 2.7, nbclient 0.11):

- ``papermill.execute_notebook(..., km=km)`` passes ``km`` through ``**engine_kwargs`` into
  ``nbclient.NotebookClient(nb, km=km)``. ``NotebookClient`` then sets ``owns_km = False``: it
  starts a kernel only ``if not km.has_kernel`` and never shuts down or restarts one it did not
  start.
- Every notebook asks ``km.client()`` for a fresh client whose channels are never stopped (~18
  file descriptors leak per notebook): ``SharedKernelManager.client`` hands out one client whose
  ``start_channels`` is idempotent.
- papermill's cell loop takes execution counts from the kernel; ``reset()`` restarts them (IPython
  ``reset(new_session=True)``) and ``notebooks.make_reproducible`` renumbers them anyway, so an
  executed notebook is byte-identical to one run on a kernel of its own.

What is restored between notebooks is listed in ``kernel_side.py`` (user namespace, matplotlib
and pandas settings, warnings, cwd, environment, …); ``sys.modules`` deliberately survives.

Kernels talk over Unix sockets (``transport="ipc"``) in a short private folder: with TCP the
manager picks free ports and the kernel binds them later, so two kernels started at once (two
years, two units) could pick the same port, and the loser died with ``ZMQError: Address already in
use``. A socket file is created by its kernel alone and needs no port.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync

from selfeval import config
from selfeval.errors import KernelSetupError
from selfeval.run import zygote
from selfeval.run.preload import (  # noqa: F401 - callers and tests import them from here too
    PRELOAD,
    kernel_imports,
    notebook_imports,
)

KERNEL_SIDE = Path(__file__).with_name("kernel_side.py")
STATE_MODULE = "_selfeval_kernel_state"
RESET_CODE = f"__import__({STATE_MODULE!r}).reset()"
#: nbclient runs IPython kernels with this history file (NotebookClient.ipython_hist_file).
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


class ReusableKernelClient(AsyncKernelClient):
    """A client whose channels may be 'started' again by every NotebookClient that gets it."""

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Ready once the kernel has answered a kernel_info request on both channels.

        nbclient calls this before every notebook. jupyter_client's version, written for a
        client that has just connected, ends by reading IOPub until it has been silent for
        0.2 s: 0.6 s a year of nobody working, and on two cores 0.6 s of a core a year. This
        client has been talking to the kernel since its setup, so it waits for the reply and
        for the kernel's "idle" after it instead: IOPub is in order, so everything published
        before (the reset's messages) has then been read and dropped, as the flush drops it.
        A kernel that does not answer within a few seconds gets jupyter_client's full wait.
        """
        budget = 5.0 if timeout is None else min(timeout, 5.0)
        deadline = time.monotonic() + budget
        msg_id = self.kernel_info()
        try:
            while True:
                reply = await self.get_shell_msg(timeout=max(0.0, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    self._adapt_protocol(reply)
                    break
            while True:
                msg = await self.get_iopub_msg(timeout=max(0.0, deadline - time.monotonic()))
                if (
                    msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id
                ):
                    return
        except Empty:
            await super().wait_for_ready(timeout=timeout)

    def _adapt_protocol(self, reply: dict) -> None:
        """What jupyter_client does with a kernel_info reply (its own handler is private): a
        kernel speaking another major protocol version gets its messages adapted."""
        major = int(reply["content"]["protocol_version"].split(".")[0])
        if major != protocol_version_info[0]:
            self.session.adapt_version = major


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the process forked by the batch's kernel server
    (`run.zygote`) instead of started from nothing; the usual start when the server refuses."""

    zygote_path: str = ""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        # what Popen would not take (LocalProvisioner drops the same two before its launch)
        scrubbed = {k: v for k, v in kwargs.items() if k not in ("extra_arguments", "kernel_id")}
        cwd = str(scrubbed.get("cwd") or Path.cwd())
        try:
            self.process = zygote.spawn(self.zygote_path, cmd, scrubbed["env"], cwd)
        except zygote.Refused:
            return await super().launch_kernel(cmd, **kwargs)
        self.pid = self.process.pid
        # It is in the worker's process group: signals go to the kernel alone (a kill of the
        # group would take the worker with it).
        self.pgid = None
        self.cwd = cwd
        return self.connection_info


class SharedKernelManager(AsyncKernelManager):
    """A kernel manager that gives the same started client to every notebook it runs.

    A kernel forked from the batch's kernel server comes from its `provisioner`, set before the
    start (`use_fork_server`): jupyter_client creates a provisioner only when none is set.
    """

    _shared_client: ReusableKernelClient | None = None

    def use_fork_server(self, zygote_path: str) -> None:
        """Fork the kernel from the kernel server at `zygote_path` (before `start_kernel`)."""
        self.kernel_id = self.kernel_id or str(uuid.uuid4())
        provisioner = ForkProvisioner(
            kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
        )
        provisioner.zygote_path = zygote_path
        self.provisioner = provisioner

    def client(self, **kwargs: Any) -> ReusableKernelClient:
        if self._shared_client is None:
            self.client_factory = ReusableKernelClient
            self._shared_client = super().client(**kwargs)
        return self._shared_client

    def stop_client(self) -> None:
        if self._shared_client is not None:
            self._shared_client.stop_channels()
            self._shared_client = None


def _kernel_setup_code(preload: tuple[str, ...], optional: tuple[str, ...]) -> str:
    source = KERNEL_SIDE.read_text(encoding="utf-8")
    return (
        "import sys as _sys, types as _types\n"
        f"_mod = _types.ModuleType({STATE_MODULE!r})\n"
        "_sys.modules[_mod.__name__] = _mod\n"
        f"exec(compile({source!r}, {str(KERNEL_SIDE)!r}, 'exec'), _mod.__dict__)\n"
        f"_mod.prepare({list(preload)!r}, {list(optional)!r})\n"
        "del _sys, _types, _mod\n"
    )


async def _reply(kc: AsyncKernelClient, msg_id: str, timeout: float) -> dict:
    """Wait for the shell reply to `msg_id`; raise KernelSetupError if it is not 'ok'."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise KernelSetupError(f"内核在 {timeout:.0f} 秒内没有响应 / no reply from the kernel")
        try:
            msg = await kc.get_shell_msg(timeout=min(remaining, 1.0))
        except Empty:  # still running, or dead?
            if not await kc.is_alive():
                raise KernelSetupError("内核进程已退出 / the kernel died") from None
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        content = msg["content"]
        if content.get("status") != "ok":
            raise KernelSetupError(f"{content.get('ename')}: {content.get('evalue')}")
        return content


class SharedKernel:
    """A started kernel that runs notebooks one after another.

    ``launch()`` only starts the process and queues the setup code (ZMQ delivers it once the
    kernel listens), so the kernel boots and preloads while the caller does something else;
    ``ready()`` waits for it. ``run()`` resets the namespace, then executes one notebook with
    papermill on this kernel. ``shutdown(now=True)`` kills it once everything is saved: the
    polite shutdown request waits ~0.8 s for nothing a saved year needs.
    """

    def __init__(
        self,
        kernel_name: str = config.KERNEL_NAME,
        *,
        cwd: Path | str | None = None,
        preload: tuple[str, ...] = PRELOAD,
        optional: tuple[str, ...] | None = None,
        startup_timeout: float = 120,
        zygote_path: str | None = None,
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = str(cwd if cwd is not None else config.NOTEBOOKS_DIR)
        self.preload = tuple(preload)
        #: Imported when possible (`kernel_imports`): a module a notebook names but that does
        #: not import fails in that notebook's cell, where papermill locates it.
        self.optional = kernel_imports() if optional is None else tuple(optional)
        self.startup_timeout = startup_timeout
        # A short folder of its own: a Unix socket path must stay under ~100 bytes.
        self._sockets = tempfile.mkdtemp(prefix="selfeval-k")
        self.km = SharedKernelManager(
            kernel_name=kernel_name,
            transport="ipc",
            connection_file=str(Path(self._sockets) / "kernel.json"),
        )
        if zygote_path:
            self.km.use_fork_server(zygote_path)
        self._setup_msg: str | None = None
        self._ready = False

    # ---- lifecycle

    def launch(self) -> SharedKernel:
        """Start the kernel process and queue the setup code; do not wait."""
        run_sync(self.km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=self.cwd)
        kc = self.km.client()
        kc.start_channels()
        self._setup_msg = kc.execute(
            _kernel_setup_code(self.preload, self.optional), silent=True, store_history=False
        )
        return self

    @property
    def pid(self) -> int | None:
        """The kernel process's id (None before launch)."""
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def ready(self) -> SharedKernel:
        """Wait until the kernel has answered the setup code (preloaded, state snapshot taken)."""
        if self._setup_msg is None:
            self.launch()
        if not self._ready:
            run_sync(_reply)(self.km.client(), self._setup_msg, self.startup_timeout)
            self._ready = True
        return self

    def reset(self) -> None:
        """Empty the user namespace and restore the snapshot (see kernel_side.reset)."""
        kc = self.ready().km.client()
        msg_id = kc.execute(RESET_CODE, silent=True, store_history=False)
        run_sync(_reply)(kc, msg_id, 60)

    def stop(self) -> None:
        """Kill the kernel without waiting for it to go: a year's last notebook is saved, and
        the export needs nothing of it. jupyter_client's `shutdown_kernel` polls the dying
        process every 0.1 s, so waiting there left the year's core idle 0.11 s (measured) before
        its export; `shutdown` afterwards finds the kernel gone and returns at once."""
        if self.km.has_kernel:
            with contextlib.suppress(Exception):
                run_sync(self.km.signal_kernel)(signal.SIGKILL)

    def shutdown(self, now: bool = True) -> None:
        """Stop the kernel: `now` kills it (nothing of a saved year is lost), else politely."""
        with contextlib.suppress(Exception):
            self.km.stop_client()
        if self.km.has_kernel:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=now)
        shutil.rmtree(self._sockets, ignore_errors=True)

    def __enter__(self) -> SharedKernel:
        return self.ready()

    def __exit__(self, *exc: object) -> None:
        self.shutdown(now=True)

    # ---- notebooks

    def run(self, src: Path | str, dst: Path | str, parameters: dict, **papermill_kwargs: Any):
        """Reset, then execute `src` into `dst` with papermill on this kernel; returns the nb.

        Errors behave as with a kernel of its own: papermill raises PapermillExecutionError
        after writing `dst` executed up to the failing cell.
        """
        # here: papermill costs ~2.3 s to import; a worker starts its kernel first, so the kernel
        # boots while the worker imports papermill (see run.zygote)
        import papermill as pm

        self.reset()
        papermill_kwargs.setdefault("progress_bar", False)
        papermill_kwargs.setdefault("record_timing", False)
        # No papermill cwd=: it os.chdir()s this whole process (threads of a dask worker) and
        # only matters for kernels papermill starts. This one was launched in self.cwd, and
        # reset() returns to it before every notebook.
        return pm.execute_notebook(
            str(src),
            str(dst),
            parameters=parameters,
            kernel_name=self.kernel_name,
            km=self.km,
            **papermill_kwargs,
        )


class KernelPool:
    """Keep one kernel launched ahead, so that the next year's kernel boots during this one.

    ``take()`` hands out a launched kernel (waiting until it is ready) and, when `ahead`, launches
    its replacement first. Kernels not taken are killed by ``close()``. Used by long-lived
    workers (a dask worker's process); the batch's per-year workers launch their kernel while a
    slot is still busy instead (see run.pool, "held" workers).
    """

    def __init__(self, **kernel_kwargs: Any) -> None:
        self.kernel_kwargs = kernel_kwargs
        self._spare: SharedKernel | None = None

    def take(self, ahead: bool = True) -> SharedKernel:
        kernel, self._spare = self._spare, None
        if kernel is None or not kernel.km.has_kernel:
            kernel = SharedKernel(**self.kernel_kwargs).launch()
        if ahead:
            self._spare = SharedKernel(**self.kernel_kwargs).launch()
        return kernel.ready()

    def close(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.shutdown(now=True)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
