"""Kernels forked from the batch's kernel server (run.zygote) behave as kernels of their own.

Every test starts the real server with the project's kernel spec and runs notebooks through
papermill on the kernels it forks.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from test_kernel import outputs, write_nb

from selfeval import config
from selfeval.run import notebooks as render
from selfeval.run import zygote
from selfeval.run.kernel import PRELOAD, SharedKernel

pytestmark = pytest.mark.slow

ARGV = KernelSpecManager().get_kernel_spec(config.KERNEL_NAME).argv


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("server-cwd")
    z = zygote.Zygote(zygote.launcher_prefix(ARGV), PRELOAD, str(cwd))
    yield z
    z.close()


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid):
            return True
        time.sleep(0.05)
    return False


def test_the_prefix_is_the_kernel_command_up_to_dash_m():
    assert zygote.launcher_prefix(["/py", "-X", "a", "-m", "ipykernel_launcher", "-f", "c"]) == [
        "/py",
        "-X",
        "a",
        "-m",
    ]
    assert zygote.launcher_prefix(["/usr/bin/R", "--slave", "-f", "c"]) == []


def test_a_forked_kernel_is_the_servers_child_with_the_askers_state(server, tmp_path, capfd):
    """Parent, process group, folder, environment, signals, sys.path, standard error: all as a
    kernel started for this process would have them, except the parent (the server)."""
    cwd = tmp_path / "nb"
    cwd.mkdir()
    os.environ["SELFEVAL_TEST_MARK"] = "from-the-asker"
    try:
        kernel = SharedKernel(cwd=cwd, optional=(), zygote_path=server.path).launch().ready()
    finally:
        del os.environ["SELFEVAL_TEST_MARK"]
    try:
        proc = psutil.Process(kernel.pid)
        assert proc.ppid() == server.proc.pid
        assert os.getpgid(kernel.pid) == os.getpgrp()  # killing our group kills it
        src = write_nb(
            tmp_path / "probe.ipynb",
            textwrap.dedent(
                """
                import json, os, signal, subprocess, sys
                print(json.dumps({
                    "cwd": os.getcwd(),
                    "mark": os.environ.get("SELFEVAL_TEST_MARK"),
                    "sigchld": signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL,
                    "blocked": sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])),
                    "child": subprocess.run([sys.executable, "-c", "print(7)"],
                                            capture_output=True, text=True).stdout,
                    "server_cwd_on_path": [p for p in sys.path if "server-cwd" in p],
                }))
                os.write(2, b"kernel-stderr-marker\\n")
                """
            ),
        )
        kernel.run(src, tmp_path / "probe-out.ipynb", {})
        seen = json.loads(outputs(tmp_path / "probe-out.ipynb")[0])
        assert seen["cwd"] == str(cwd)
        assert seen["mark"] == "from-the-asker"
        assert seen["sigchld"] is True  # subprocesses of the kernel can be waited for
        assert seen["blocked"] == []
        assert seen["child"] == "7\n"
        assert seen["server_cwd_on_path"] == []  # the server's folder is not the kernel's
    finally:
        kernel.shutdown()
    assert _gone(kernel.pid)
    assert "kernel-stderr-marker" in capfd.readouterr().err  # the asker's stderr


def test_forked_and_separate_kernels_execute_notebooks_byte_identically(server, tmp_path):
    sources = [
        ("1.ipynb", "x = 3\nx * 2", "print('hello')", "{'a': x}"),
        ("2.ipynb", "import pandas as pd\npd.DataFrame({'a': [1, 2]})", "year"),
        ("3.ipynb", "import matplotlib\nmatplotlib.get_backend()", "import sys\nsys.argv[0]"),
    ]  # fmt: skip
    with SharedKernel(cwd=tmp_path, optional=(), zygote_path=server.path) as kernel:
        assert psutil.Process(kernel.pid).ppid() == server.proc.pid
        for name, *cells in sources:
            src = write_nb(tmp_path / name, *cells)
            render.run_notebook(
                src, tmp_path / f"separate-{name}", {"year": 2031}, cwd=tmp_path,
                build_root=tmp_path,
            )  # fmt: skip
            render.run_notebook(
                src, tmp_path / f"forked-{name}", {"year": 2031}, build_root=tmp_path,
                kernel=kernel,
            )  # fmt: skip
    for name, *_ in sources:
        forked = (tmp_path / f"forked-{name}").read_bytes()
        assert forked == (tmp_path / f"separate-{name}").read_bytes(), name


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "separate"])
def test_imported_objects_are_left_out_of_collections_and_a_notebooks_garbage_is_not(
    server, tmp_path, forked
):
    """The server freezes what it imported before forking (a kernel's collections would write
    to every shared page), the kernel freezes its preload and what survives each reset; a
    collection walks only what the notebooks made. A notebook's reference cycle is still freed
    by the reset."""
    path = server.path if forked else None
    with SharedKernel(cwd=tmp_path, optional=(), zygote_path=path) as kernel:
        if forked:
            assert psutil.Process(kernel.pid).ppid() == server.proc.pid
        first = write_nb(
            tmp_path / "1.ipynb",
            "import gc, sys, weakref\nimport xml.dom.minidom\n"  # a module nothing preloads
            "class Node:\n    pass\n"
            "node = Node()\nnode.me = node\n"
            "sys.selfeval_probe = weakref.ref(node)\n"
            "state = sys.modules['_selfeval_kernel_state']._snapshot\n"
            "print(state['frozen_at_start'], gc.get_freeze_count(), len(gc.get_objects()))",
        )
        second = write_nb(
            tmp_path / "2.ipynb",
            "import gc, sys\nprint(sys.selfeval_probe() is None, gc.get_freeze_count())",
        )
        kernel.run(first, tmp_path / "o1.ipynb", {})
        kernel.run(second, tmp_path / "o2.ipynb", {})
    at_start, frozen, walked = map(int, outputs(tmp_path / "o1.ipynb")[0].split())
    freed, frozen_after_reset = outputs(tmp_path / "o2.ipynb")[0].split()
    if forked:
        assert at_start > 0  # the server's imports came frozen
    else:
        assert at_start == 0
    assert frozen > at_start and walked < frozen / 4
    assert freed == "True"
    assert int(frozen_after_reset) > frozen  # xml.dom.minidom's objects, frozen by the reset


def test_a_kernel_command_of_another_interpreter_is_started_the_usual_way(server, tmp_path):
    other = ["/usr/bin/env", "python3", "-m", "ipykernel_launcher", "-f", "x.json"]
    with pytest.raises(zygote.Refused, match="not this server"):
        zygote.spawn(server.path, other, dict(os.environ), str(tmp_path))
    # and a manager given a server that is gone starts its kernel itself
    kernel = SharedKernel(cwd=tmp_path, optional=(), zygote_path=str(tmp_path / "nowhere.sock"))
    with kernel:
        assert psutil.Process(kernel.pid).ppid() == os.getpid()
        src = write_nb(tmp_path / "1.ipynb", "6 * 7")
        kernel.run(src, tmp_path / "o.ipynb", {})
        assert outputs(tmp_path / "o.ipynb") == ["42"]


def test_killing_the_askers_process_group_kills_its_forked_kernel(server, tmp_path):
    """The batch kills a worker by its process group (Ctrl-C, a failed year): a forked kernel
    is in that group, so it goes too, as it is not the worker's child."""
    code = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(config.PACKAGE_DIR.parent)!r})
        os.setpgrp()
        from selfeval.run.kernel import SharedKernel
        k = SharedKernel(cwd={str(tmp_path)!r}, optional=(), zygote_path={server.path!r})
        k.launch().ready()
        print(k.pid, flush=True)
        time.sleep(600)
        """
    )
    worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(worker.stdout.readline())
        assert psutil.Process(pid).ppid() == server.proc.pid
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert _gone(pid)
    finally:
        if worker.poll() is None:
            worker.kill()


def test_the_server_exits_when_the_batch_closes_it_and_leaves_no_socket(tmp_path):
    z = zygote.Zygote(zygote.launcher_prefix(ARGV), (), str(tmp_path))
    kernel = SharedKernel(cwd=tmp_path, preload=(), optional=(), zygote_path=z.path)
    kernel.launch().ready()
    pid = kernel.pid
    kernel.shutdown()
    assert _gone(pid)
    z.close()
    assert z.proc.returncode == 0
    assert not Path(z.path).exists() and not Path(z.folder).exists()


def test_a_batch_of_years_forks_its_kernels_and_builds_the_same_reports(tmp_path):
    """Two years built as one batch (kernels forked from the server) and each on its own
    (a kernel started from nothing): every product is byte-identical."""
    from selfeval.synthetic import write_synthetic_years

    years = [2022, 2023]
    roots = {}
    for name in ("batch", "single"):
        root = tmp_path / name
        write_synthetic_years(root / "data" / "raw", years, activities_per_year=3)
        roots[name] = root
    env = dict(os.environ, MPLBACKEND="Agg", SELFEVAL_SOFFICE="")
    build = [sys.executable, "-m", "selfeval", "build", "--jobs", "1"]
    seen_parents: set[str] = set()
    proc = subprocess.Popen(
        build, env={**env, "SELFEVAL_ROOT": str(roots["batch"])}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    me = psutil.Process(proc.pid)
    while proc.poll() is None:  # the kernels' parents while the batch runs
        try:
            for child in me.children(recursive=True):
                cmd = " ".join(child.cmdline())
                if "selfeval.run.zygote" in cmd and child.ppid() != proc.pid:
                    seen_parents.add("server")
                elif "ipykernel_launcher" in cmd:
                    seen_parents.add("own")
        except psutil.Error:
            pass
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stdout.read()
    assert seen_parents == {"server"}
    for year in years:  # one year at a time: no server
        subprocess.run(
            [*build, "--years", str(year)], env={**env, "SELFEVAL_ROOT": str(roots["single"])},
            check=True, capture_output=True,
        )  # fmt: skip
    for year in years:
        for product in ("report.html", "report.docx", "report.ipynb"):
            a = (roots["batch"] / "outputs" / str(year) / product).read_bytes()
            b = (roots["single"] / "outputs" / str(year) / product).read_bytes()
            assert a == b, (year, product)


def test_a_forked_kernels_cpu_time_counts_in_the_batchs_rusage(tmp_path):
    """The server waits for its kernels (not SIG_IGN, whose automatic reaping drops their times),
    so a kernel's CPU time reaches the batch when it waits for the server: what `time make
    report` and `make bench`'s busy cores count."""
    burn = 1.0
    z = zygote.Zygote(zygote.launcher_prefix(ARGV), (), str(tmp_path))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        with SharedKernel(cwd=tmp_path, preload=(), optional=(), zygote_path=z.path) as kernel:
            assert psutil.Process(kernel.pid).ppid() == z.proc.pid
            src = write_nb(
                tmp_path / "burn.ipynb",
                f"import time\nend = time.process_time() + {burn}\n"
                "while time.process_time() < end: pass",
            )
            kernel.run(src, tmp_path / "burn-out.ipynb", {})
        server = psutil.Process(z.proc.pid).cpu_times()  # its own, not its children's
        own = server.user + server.system
    finally:
        z.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert waited - own >= burn * 0.9  # the kernel's burn, booked to the server we waited for
