"""A fork server for a batch's kernels: the heavy imports are paid once per batch, not per year.

Why: a kernel of its own per year boots a fresh interpreter and imports ipykernel, pandas,
pyarrow, matplotlib, seaborn and the package (2.0 s of CPU a year, measured). One year does not
wait for it (the kernel boots while the worker imports papermill, and the next year's kernel
while this year runs), but on two cores a batch of years pays it on every year. A batch of more
than one year therefore starts this server once: a plain interpreter, started like the kernel
(the kernel spec's interpreter and flags), that imports what a kernel imports and then forks one
child per kernel asked for. The child becomes a normal IPython kernel (ipykernel's
``launch_new_instance``, as ``python -m ipykernel_launcher`` runs it) with the environment,
folder, standard output and error of the worker that asked, in the worker's process group; the
imported modules are shared copy-on-write.

Nothing else changes: the worker's kernel manager still writes the connection file and talks to
the kernel over ZMQ, papermill still runs every notebook, and the namespace reset between
notebooks is the same (``kernel_side``). A kernel command this server was not started for
(another interpreter or kernel) is refused, and the worker starts that kernel the usual way.

A kernel joins the process group of the worker that asked for it, so the batch's kill of a
worker's group ends its kernel as well. The server keeps no state a kernel could inherit: it
imports, listens and forks. It is single-threaded (nothing it imports starts a thread), never
creates a ZMQ context or an event loop, and exits when the batch closes its standard input (also
when the batch dies).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

LAUNCHER = "ipykernel_launcher"
MAX_REQUEST = 1 << 20  # bytes: an environment and a command line


# --------------------------------------------------------------------------- the batch's side


class Zygote:
    """The server process, started by the batch before it forks its workers."""

    def __init__(self, prefix: list[str], modules: tuple[str, ...], cwd: str) -> None:
        self.prefix = prefix  # the kernel command up to `-m` (launcher_prefix)
        self.folder = tempfile.mkdtemp(prefix="selfeval-z")  # a short Unix socket path
        self.path = str(Path(self.folder) / "zygote.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        listener.listen(16)
        env = dict(os.environ)
        # as ipykernel sets it before anything imports matplotlib (unless the user chose one)
        env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        try:
            self.proc = subprocess.Popen(
                [
                    *self.prefix,
                    "selfeval.run.zygote",
                    str(listener.fileno()),
                    json.dumps(self.prefix),
                    *modules,
                ],
                stdin=subprocess.PIPE,
                pass_fds=[listener.fileno()],
                cwd=cwd,
                env=env,
                process_group=0,  # the terminal's Ctrl-C is the batch's to handle, not its
            )
        finally:
            listener.close()  # the server holds it; the workers only connect

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # the server's signal to exit
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)


def start_server() -> Zygote | None:
    """The server for the project's kernel (None where it cannot serve: no fork, or a kernel
    spec that is not ``python -m ipykernel_launcher``; kernels then start on their own)."""
    if os.name != "posix":
        return None
    # here, not at module level: the server itself (this module run as a script) needs none
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from selfeval import config
    from selfeval.run.preload import PRELOAD, kernel_imports

    try:
        argv = KernelSpecManager().get_kernel_spec(config.KERNEL_NAME).argv
    except NoSuchKernel:
        return None  # the kernel's own start says what is missing, as before
    prefix = launcher_prefix(argv)
    if not prefix:
        return None
    try:
        return Zygote(prefix, PRELOAD + kernel_imports(), str(config.NOTEBOOKS_DIR))
    except OSError:
        return None


def launcher_prefix(kernel_argv: list[str]) -> list[str]:
    """The kernel command up to ``-m`` (interpreter and flags): the server is started with it.

    A kernel spec that does not run ``-m ipykernel_launcher`` has no prefix (empty list): its
    kernels are started the usual way.
    """
    for i in range(len(kernel_argv) - 1):
        if kernel_argv[i] == "-m" and kernel_argv[i + 1] == LAUNCHER:
            return list(kernel_argv[: i + 1])
    return []


# --------------------------------------------------------------------------- the worker's side


class ForkedKernel:
    """A kernel process forked by the server, as jupyter_client's provisioner handles a Popen.

    It is not this process's child (the server's, which reaps it at once), so its exit status
    is not known: a kernel that is gone polls as 1.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 1
            except PermissionError:  # the pid is someone else's now: ours is gone
                self.returncode = 1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Refused(Exception):
    """The server cannot start this kernel (another command, or the server is gone)."""


def spawn(path: str, cmd: list[str], env: dict[str, str], cwd: str) -> ForkedKernel:
    """Ask the server at `path` for a kernel running `cmd`; Refused when it cannot."""
    request = {"cmd": cmd, "env": env, "cwd": cwd, "pgid": os.getpgrp()}
    request = json.dumps(request).encode() + b"\n"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(path)
            socket.send_fds(conn, [request], [1, 2])  # the kernel writes where we do
            conn.shutdown(socket.SHUT_WR)
            reply = b""
            while chunk := conn.recv(4096):
                reply += chunk
    except OSError as exc:
        raise Refused(str(exc)) from exc
    answer = json.loads(reply or b"{}")
    if "pid" not in answer:
        raise Refused(answer.get("error", "no reply"))
    return ForkedKernel(int(answer["pid"]))


# --------------------------------------------------------------------------- the server


def _read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, MAX_REQUEST, 2)
    while not data.endswith(b"\n") and len(data) < MAX_REQUEST:
        chunk = conn.recv(MAX_REQUEST)
        if not chunk:
            break
        data += chunk
    return json.loads(data), fds


def _become_kernel(request: dict, fds: list[int], args: list[str]) -> None:
    """In the forked child: the state a freshly started ``python -m ipykernel_launcher`` has."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's subprocesses are its own
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        # the asking worker's process group: killing the worker's group kills its kernel too
        os.setpgid(0, int(request["pgid"]))
    except (OSError, KeyError, TypeError, ValueError):
        os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    for target, fd in zip((1, 2), fds, strict=False):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())  # ipykernel exits if this server dies
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # the server's folder, put there by -m: ipykernel_launcher drops it too
    os.chdir(request["cwd"])  # IPython puts '' (this folder) on the path, as for any kernel
    # ipykernel read JPY_PARENT_PID when the server imported it: say it again, so that the
    # kernel watches its parent (and prints no "ipython kernel entry point" note)
    args = [*args, f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = [find_spec(LAUNCHER).origin, *args]  # as `python -m ipykernel_launcher` sets it
    # here: main() imported it before forking, so this only binds the name; at module level
    # every worker asking for a kernel would import ipykernel (~0.4 s) for nothing
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=args)


def _serve_one(listener: socket.socket, prefix: list[str]) -> None:
    conn, _ = listener.accept()
    with conn:
        try:
            request, fds = _read_request(conn)
            cmd = list(request["cmd"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"error": f"bad request: {exc}"}).encode())
            return
        n = len(prefix)
        if launcher_prefix(cmd) != prefix:
            conn.sendall(
                json.dumps({"error": f"not this server's kernel: {cmd[: n + 1]}"}).encode()
            )
            for fd in fds:
                os.close(fd)
            return
        pid = os.fork()
        if pid == 0:  # the kernel
            status = 0
            try:
                listener.close()
                conn.close()
                _become_kernel(request, fds, cmd[n + 1 :])
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # said on the kernel's stderr, then exit
                import traceback  # here: only a kernel that failed to start needs it

                traceback.print_exc()
                status = 1
            finally:
                os._exit(status)
        for fd in fds:
            os.close(fd)
        conn.sendall(json.dumps({"pid": pid}).encode())


def _reap_kernels(_signum: int, _frame: object) -> None:
    """Wait for every kernel that has exited. Waiting, not SIG_IGN's automatic reaping, adds a
    kernel's CPU time to this server's rusage and so, once the batch waits for the server, to
    the build's (`time make report`, `make bench`'s busy cores): Linux drops the times of
    children reaped automatically."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def main(argv: list[str]) -> int:
    listener = socket.socket(fileno=int(argv[0]))
    # everything a kernel imports, once (a module that fails to import fails in the kernel)
    import ipykernel.kernelapp  # noqa: F401

    prefix = json.loads(argv[1])  # the kernel command it serves, up to `-m`
    for name in argv[2:]:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    # shared with every kernel forked from here: out of the collector's reach, a kernel's
    # collections neither walk nor write to them (docs/architecture.md)
    gc.freeze()
    signal.signal(signal.SIGCHLD, _reap_kernels)  # kernels are reaped as they exit
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        ready, _, _ = select.select([listener, sys.stdin.fileno()], [], [])
        if sys.stdin.fileno() in ready and not os.read(sys.stdin.fileno(), 1):
            return 0  # the batch closed the pipe or died
        if listener in ready:
            _serve_one(listener, prefix)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
