"""One kernel per year (issue 18): isolated like separate kernels, identical outputs, no leaks.

Every test runs real kernels (the project's kernelspec) through papermill.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from selfeval import config
from selfeval.run import notebooks as render
from selfeval.run.kernel import KernelPool, KernelSetupError, SharedKernel, notebook_imports
from selfeval.synthetic import write_synthetic_years

pytestmark = pytest.mark.slow


def write_nb(path: Path, *sources: str) -> Path:
    nb = new_notebook(cells=[new_code_cell("year = 0"), *(new_code_cell(s) for s in sources)])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {
        "name": config.KERNEL_NAME,
        "display_name": "selfeval",
        "language": "python",
    }
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"t-{i}"
    nbformat.write(nb, path)
    return path


def outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr":
                continue
            texts.append(out.get("text") or out.get("data", {}).get("text/plain", ""))
    return texts


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    with SharedKernel(cwd=tmp_path_factory.mktemp("cwd"), optional=()) as k:
        yield k


def test_a_name_from_01_clean_is_not_visible_in_the_next_notebook(tmp_path):
    """The real 01 defines `result` and `dirs`; the next notebook on the same kernel sees
    neither, while the modules 01 imported stay loaded (the point of sharing)."""
    write_synthetic_years(tmp_path / "raw", [2031], activities_per_year=4)
    params = {
        "year": 2031,
        "raw_dir": str(tmp_path / "raw" / "2031"),
        "processed_dir": str(tmp_path / "processed" / "2031"),
        "output_dir": str(tmp_path / "out"),
        "previous_processed_dir": "",
    }
    probe = write_nb(
        tmp_path / "probe.ipynb",
        "import sys\nprint(sorted({'result', 'dirs', 'clean_year'} & set(dir())),"
        " 'selfeval.clean' in sys.modules, year)",
    )
    with SharedKernel() as shared:
        pid = shared.pid
        render.run_notebook(
            config.NOTEBOOKS_DIR / "01_clean.ipynb",
            tmp_path / "01.ipynb",
            params,
            build_root=tmp_path,
            kernel=shared,
        )
        render.run_notebook(
            probe, tmp_path / "probe-out.ipynb", {"year": 2032}, build_root=tmp_path, kernel=shared
        )
        assert shared.pid == pid
    assert (tmp_path / "processed" / "2031" / "meta.json").is_file()
    assert outputs(tmp_path / "probe-out.ipynb") == ["[] True 2032\n"]


def test_settings_changed_by_one_notebook_are_restored_for_the_next(kernel, tmp_path):
    first = write_nb(
        tmp_path / "1.ipynb",
        "import os\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport seaborn as sns\n"
        "import pandas as pd, warnings, logging\n"
        "sns.set_theme(style='darkgrid')\nplt.rcParams['axes.facecolor'] = 'red'\n"
        "np.set_printoptions(precision=2)\npd.set_option('display.max_rows', 3)\n"
        "warnings.filterwarnings('error', message='leak-marker')\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "os.environ['LEAK'] = '1'\nos.chdir('/')\nplt.figure()\nprint(os.getpid())",
    )
    second = write_nb(
        tmp_path / "2.ipynb",
        "import os, sys, logging, warnings\nimport matplotlib.pyplot as plt\nimport numpy as np\n"
        "import pandas as pd\n"
        "print(os.getpid())\n"
        "print(plt.rcParams['axes.facecolor'], np.get_printoptions()['precision'],"
        " pd.get_option('display.max_rows'), 'LEAK' in os.environ, os.getcwd() != '/',"
        " len(plt.get_fignums()), logging.root.level,"
        " any(f[1] is not None and f[1].pattern == 'leak-marker' for f in warnings.filters))",
    )
    kernel.run(first, tmp_path / "o1.ipynb", {})
    kernel.run(second, tmp_path / "o2.ipynb", {})
    pid1 = outputs(tmp_path / "o1.ipynb")[0].strip()
    pid2, state = outputs(tmp_path / "o2.ipynb")[0].splitlines()
    assert pid1 == pid2  # one kernel process for both notebooks
    assert state == "white 8 60 False True 0 30 False"


def test_a_warning_shown_once_is_shown_again_in_the_next_notebook(kernel, tmp_path):
    """A fresh kernel shows a module's warning again; so must the shared one."""
    src = write_nb(tmp_path / "w.ipynb", "import warnings\nwarnings.warn('marker-once')")
    for name in ("a", "b"):
        kernel.run(src, tmp_path / f"{name}.ipynb", {})
        nb = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
        stderr = [o.text for c in nb.cells for o in c.outputs if o.get("name") == "stderr"]
        assert any("marker-once" in text for text in stderr), name


def test_executed_notebooks_are_byte_identical_to_separate_kernels(kernel, tmp_path):
    sources = [
        ("1.ipynb", "x = 3\nx * 2", "print('hello')", "{'a': x}"),
        ("2.ipynb", "import pandas as pd\npd.DataFrame({'a': [1, 2]})", "year"),
    ]
    pairs = []
    for name, *cells in sources:
        src = write_nb(tmp_path / name, *cells)
        separate = tmp_path / f"separate-{name}"
        render.run_notebook(src, separate, {"year": 2031}, cwd=tmp_path, build_root=tmp_path)
        pairs.append((src, tmp_path / f"shared-{name}"))
    for src, dst in pairs:
        render.run_notebook(src, dst, {"year": 2031}, build_root=tmp_path, kernel=kernel)
    for name, *_ in sources:
        shared = (tmp_path / f"shared-{name}").read_bytes()
        assert shared == (tmp_path / f"separate-{name}").read_bytes()
        nb = nbformat.reads(shared.decode(), as_version=4)
        assert [c.execution_count for c in nb.cells] == list(range(1, len(nb.cells) + 1))


def test_counts_are_renumbered_from_one():
    nb = new_notebook(cells=[new_code_cell("a"), new_code_cell("b"), new_code_cell("c")])
    nb.cells[0].execution_count = 7
    nb.cells[1].execution_count = 9  # a gap the kernel made stays a gap
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"})]
    nb.cells[1].outputs[0]["execution_count"] = 9
    render.make_reproducible(nb)
    assert [c.execution_count for c in nb.cells] == [1, 3, None]
    assert nb.cells[1].outputs[0]["execution_count"] == 3


def test_a_failing_notebook_raises_like_papermill_and_the_kernel_goes_on(kernel, tmp_path):
    bad = write_nb(tmp_path / "bad.ipynb", "leftover = 1", "1 / 0", "never = 1")
    with pytest.raises(pm.PapermillExecutionError) as info:
        kernel.run(bad, tmp_path / "bad-out.ipynb", {})
    assert info.value.ename == "ZeroDivisionError"
    assert (tmp_path / "bad-out.ipynb").is_file()  # executed up to the failure
    good = write_nb(tmp_path / "good.ipynb", "print('leftover' in dir())")
    kernel.run(good, tmp_path / "good-out.ipynb", {})
    assert outputs(tmp_path / "good-out.ipynb") == ["False\n"]


def test_notebooks_on_one_kernel_leak_no_file_descriptors(kernel, tmp_path):
    src = write_nb(tmp_path / "1.ipynb", "1")
    kernel.run(src, tmp_path / "o.ipynb", {})
    before = len(os.listdir("/proc/self/fd"))
    for i in range(5):
        kernel.run(src, tmp_path / f"o{i}.ipynb", {})
    assert len(os.listdir("/proc/self/fd")) <= before + 1


def test_shutdown_now_kills_and_the_pool_launches_the_next_kernel_ahead(tmp_path):
    with KernelPool(cwd=tmp_path, optional=()) as pool:
        taken = pool.take()
        spare = pool._spare
        assert spare is not None and spare is not taken
        pid = taken.pid
        src = write_nb(tmp_path / "1.ipynb", "import os\nos.getpid()")
        taken.run(src, tmp_path / "o.ipynb", {})
        assert outputs(tmp_path / "o.ipynb") == [str(pid)]
        taken.shutdown(now=True)
        assert not taken.km.has_kernel
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert pool.take(ahead=False) is spare.ready()
        spare_pid = spare.pid
        spare.shutdown()
    with pytest.raises(ProcessLookupError):
        os.kill(spare_pid, 0)


def test_stop_kills_the_kernel_without_waiting_and_shutdown_then_cleans_up(tmp_path):
    """A year's export goes on while its kernel dies (stop), instead of waiting in
    jupyter_client's 0.1 s poll; shutdown afterwards finds it gone."""
    with SharedKernel(cwd=tmp_path, optional=()) as kernel:
        pid = kernel.pid
        os.kill(pid, 0)  # alive
        kernel.stop()
        for _ in range(200):  # SIGKILL is delivered at once; the reaping may take a moment
            try:
                waited = os.waitpid(pid, os.WNOHANG)[0]
            except ChildProcessError:
                break  # reaped (the kernel manager's Popen, or not our child)
            if waited:
                break
            time.sleep(0.01)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert kernel.km.has_kernel  # nothing cleaned up yet: shutdown does it
        kernel.shutdown(now=True)
        assert not kernel.km.has_kernel


def test_a_failing_preload_is_a_clear_error(tmp_path):
    kernel = SharedKernel(cwd=tmp_path, preload=("no_such_module_xyz",), optional=())
    try:
        with pytest.raises(KernelSetupError, match="ModuleNotFoundError"):
            kernel.ready()
    finally:
        kernel.shutdown(now=True)
    assert not kernel.km.has_kernel


def test_the_notebooks_own_imports_are_preloaded():
    names = notebook_imports()
    assert "selfeval.clean" in names and "selfeval.config" in names
    assert all(not name.startswith(".") for name in names)


def test_a_years_three_notebooks_import_nothing_of_the_package_the_kernel_has_not_preloaded(
    tmp_path,
):
    """A kernel forked for a batch shares what was preloaded: a module of the package or of
    python-docx that a build imports later would be imported again in every year's kernel.
    (pandera's pandas backend, registered at the first validation with a few pydantic modules,
    25 ms, is not watched.)"""
    write_synthetic_years(tmp_path / "raw", [2030, 2031], activities_per_year=4)
    mark = write_nb(tmp_path / "mark.ipynb", "import sys\nsys.selfeval_seen = set(sys.modules)")
    probe = write_nb(
        tmp_path / "probe.ipynb",
        "import sys\n"
        "print(sorted(m for m in set(sys.modules) - sys.selfeval_seen"
        " if m.split('.')[0] in ('selfeval', 'docx', 'lxml', 'jinja2')))",
    )
    with SharedKernel() as shared:
        shared.run(mark, tmp_path / "mark-out.ipynb", {})
        for year in (2030, 2031):
            params = {
                "year": year,
                "raw_dir": str(tmp_path / "raw" / str(year)),
                "processed_dir": str(tmp_path / "processed" / str(year)),
                "output_dir": str(tmp_path / "out" / str(year)),
                "previous_processed_dir": (
                    str(tmp_path / "processed" / "2030") if year == 2031 else ""
                ),
            }
            for name in ("01_clean.ipynb", "02_analyze.ipynb", "03_report.ipynb"):
                render.run_notebook(
                    config.NOTEBOOKS_DIR / name, tmp_path / f"{year}-{name}", params,
                    build_root=tmp_path, kernel=shared,
                )  # fmt: skip
        shared.run(probe, tmp_path / "probe-out.ipynb", {})
    assert (tmp_path / "out" / "2031" / "report.docx").is_file()
    assert outputs(tmp_path / "probe-out.ipynb") == ["[]\n"]


def test_nbformat_and_papermill_import_without_the_iri_grammar_and_iri_checks_still_work():
    code = (
        "import sys\n"
        "import selfeval.run\n"
        "import nbformat, papermill, nbconvert, jsonschema\n"
        "assert 'lark' not in sys.modules, 'grammar built at import'\n"
        "nbformat.validate(nbformat.v4.new_notebook())\n"
        "check = jsonschema.Draft7Validator.FORMAT_CHECKER\n"
        "v = jsonschema.Draft7Validator({'format': 'iri'}, format_checker=check)\n"
        "assert v.is_valid('http://例え.jp/') and not v.is_valid('http://a b')\n"
        "assert 'lark' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_kernels_started_at_once_use_sockets_of_their_own_and_no_tcp_port(tmp_path):
    """Six kernels launched together (as parallel years do): with TCP ports picked by the
    manager and bound later by the kernel, two could pick the same one and the loser died
    (ZMQError: Address already in use). Unix sockets in a private folder cannot collide."""
    kernels = [SharedKernel(cwd=tmp_path, preload=(), optional=()).launch() for _ in range(6)]
    try:
        folders = set()
        for k in kernels:
            k.ready()
            info = json.loads(Path(k.km.connection_file).read_text(encoding="utf-8"))
            assert info["transport"] == "ipc"
            assert len(f"{info['ip']}-{info['shell_port']}") < 100  # a Unix socket path
            folders.add(Path(k.km.connection_file).parent)
        assert len(folders) == 6
        src = write_nb(tmp_path / "1.ipynb", "import os\nos.getpid()")
        for i, k in enumerate(kernels):
            k.run(src, tmp_path / f"o{i}.ipynb", {})
            assert outputs(tmp_path / f"o{i}.ipynb") == [str(k.pid)]
    finally:
        for k in kernels:
            k.shutdown()
    assert not any(folder.exists() for folder in folders)  # sockets removed with the kernel
