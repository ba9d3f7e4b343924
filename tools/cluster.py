"""A real dask cluster on 127.0.0.1 started with the CLI, for tests and `make bench`.

    with CliCluster(tmp_path, n_workers=2, nanny=False) as cluster:
        client = cluster.client()
        ...
        cluster.kill_worker_running("build-...")   # SIGKILL mid-task
        cluster.kill_scheduler()
        cluster.freeze_scheduler()   # SIGSTOP (thawed by stop)

Readiness: the scheduler writes its address to ``--scheduler-file`` once it listens (port 0:
the OS picks a free port, so parallel test runs never collide); workers are waited for with
``Client.wait_for_workers``. Cleanup: every process gets its own session (``killpg`` reaches a
nanny's worker too) and, on Linux, PR_SET_PDEATHSIG so that nothing outlives a killed pytest;
workers also get ``--death-timeout`` so they stop by themselves once the scheduler is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _dask_cli(command: str) -> list[str]:
    """`dask scheduler` / `dask worker` of this interpreter's environment."""
    script = Path(sys.executable).with_name("dask")
    if script.is_file():
        return [str(script), command]
    return [sys.executable, "-m", f"distributed.cli.dask_{command}"]


class CliCluster:
    """``dask scheduler`` + N ``dask worker`` subprocesses on 127.0.0.1."""

    def __init__(
        self,
        workdir: Path,
        n_workers: int = 2,
        *,
        nanny: bool = False,
        death_timeout: float = 15,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.n_workers = n_workers
        self.nanny = nanny
        self.death_timeout = death_timeout
        self.scheduler_file = self.workdir / "scheduler.json"
        self.env = {**os.environ, **(env or {})}
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self._clients: list = []

    # ---- processes

    def _spawn(self, argv: list[str], log_name: str, env: dict | None = None) -> subprocess.Popen:
        log = (self.workdir / log_name).open("ab")
        try:
            return subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env or self.env,
                cwd=self.workdir,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        finally:
            log.close()

    def start(self, timeout: float = 60) -> CliCluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.scheduler_file.unlink(missing_ok=True)
        self.scheduler = self._spawn(
            [
                *_dask_cli("scheduler"),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(self.scheduler_file),
            ],
            "scheduler.log",
        )
        self.address = self._wait_for_scheduler_file(timeout)
        for index in range(self.n_workers):
            self.start_worker(index)
        if self.n_workers:  # none: a scheduler without workers (a fault the batch must say)
            self.client().wait_for_workers(self.n_workers, timeout=timeout)
        return self

    def start_worker(self, index: int, pythonpath: str | None = None) -> subprocess.Popen:
        """Start worker `index`; `pythonpath` goes first on its sys.path (other code)."""
        env = dict(self.env)
        if pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH")) if p)
        proc = self._spawn(
            [
                *_dask_cli("worker"),
                "--scheduler-file",
                str(self.scheduler_file),
                "--name",
                f"w{index}",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--nanny" if self.nanny else "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--local-directory",
                str(self.workdir / f"w{index}"),
                "--death-timeout",
                str(self.death_timeout),
            ],
            f"worker-{index}.log",
            env,
        )
        self.workers.append(proc)
        return proc

    def _wait_for_scheduler_file(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.scheduler.poll() is not None:
                raise RuntimeError(f"dask scheduler exited: {self.log('scheduler.log')}")
            with contextlib.suppress(OSError, ValueError):
                address = json.loads(self.scheduler_file.read_text())["address"]
                if address:
                    return address
            time.sleep(0.05)
        raise TimeoutError(f"no scheduler file after {timeout} s: {self.log('scheduler.log')}")

    def client(self, **kwargs):
        # distributed (cluster extra, ~0.5 s to import) only when a client is asked for: the
        # cluster's processes are started through the dask CLI, so importing this module (the
        # bench, every cluster test) costs nothing until then.
        from distributed import Client

        kwargs.setdefault("timeout", 10)
        client = Client(self.address, set_as_default=False, **kwargs)
        self._clients.append(client)
        return client

    def log(self, name: str) -> str:
        with contextlib.suppress(OSError):
            return (self.workdir / name).read_text(errors="replace")[-4000:]
        return ""

    # ---- faults

    def worker_pids(self, client) -> dict[str, int]:
        """Worker address -> pid of the process that runs tasks (the nanny's child if any)."""
        return client.run(os.getpid)

    def kill_worker_running(self, client, prefix: str, timeout: float = 30) -> tuple[str, int]:
        """SIGKILL the worker process executing a task whose key starts with `prefix`.

        Returns (address, pid) of the killed worker.
        """
        deadline = time.monotonic() + timeout
        pids = self.worker_pids(client)
        while time.monotonic() < deadline:
            for address, keys in client.processing().items():
                if any(str(k).startswith(prefix) for k in keys):
                    executing = client.run(
                        lambda dask_worker: [
                            str(ts.key)
                            for ts in dask_worker.state.tasks.values()
                            if ts.state == "executing"
                        ],
                        workers=[address],
                    )
                    if any(k.startswith(prefix) for k in executing.get(address, [])):
                        os.kill(pids[address], signal.SIGKILL)
                        return address, pids[address]
            time.sleep(0.02)
        raise TimeoutError(f"no task {prefix}* started executing")

    def freeze_scheduler(self) -> None:
        """SIGSTOP the scheduler: its socket stays open and nothing answers (a hung host)."""
        os.kill(self.scheduler.pid, signal.SIGSTOP)

    def kill_scheduler(self) -> None:
        if self.scheduler is not None and self.scheduler.poll() is None:
            os.killpg(self.scheduler.pid, signal.SIGKILL)
            self.scheduler.wait(10)

    # ---- cleanup

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # thaw a frozen one first
                os.kill(self.scheduler.pid, signal.SIGCONT)
        for client in self._clients:
            with contextlib.suppress(Exception):
                client.close(timeout=2)
        # Workers first (they tell the scheduler they leave), then the scheduler: ~0.3 s each.
        # A worker whose scheduler is already gone may hang in its goodbye: SIGKILL after 3 s.
        groups = [self.workers, [self.scheduler] if self.scheduler else []]
        for procs in groups:
            for proc in procs:
                if proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(3)
                with contextlib.suppress(ProcessLookupError):  # the session: a nanny's worker too
                    os.killpg(proc.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(5)

    def __enter__(self) -> CliCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
