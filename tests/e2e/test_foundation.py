"""Foundation: pinned environment, kernel, papermill, Chinese charts, make targets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from selfeval import config

pytestmark = pytest.mark.no_pdf

REPO = Path(__file__).resolve().parents[2]


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):  # an extra's lock includes the one below it
            pins |= _pins((REPO / line[3:].strip()).read_text().splitlines())
            continue
        name, _, version = line.partition("==")
        assert version, f"not pinned exactly: {line}"
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_requirements_pin_every_direct_dependency() -> None:
    """requirements-dev.txt includes every other lock: together they pin each direct dependency."""
    pins = _pins((REPO / "requirements-dev.txt").read_text().splitlines())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    direct = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        direct += extra
    missing = [d for d in direct if re.sub(r"[-_.]+", "-", d).lower() not in pins]
    assert not missing, f"direct dependencies without a pin in requirements.txt: {missing}"
    for card in ["jupyterlab", "papermill", "pandas", "seaborn", "nbconvert", "pytest"]:
        assert card in pins, card


def test_environment_yml_agrees_with_requirements() -> None:
    req = _pins((REPO / "requirements.txt").read_text().splitlines())
    env_lines = (REPO / "environment.yml").read_text().splitlines()
    pip_items = [ln.strip()[2:] for ln in env_lines if ln.startswith("      - ")]
    assert "-e ." in pip_items, "environment.yml must install the package itself"
    env = _pins([p for p in pip_items if p != "-e ."])
    assert env == req
    assert any(re.fullmatch(r"\s+- python=3\.1[1-9]", ln) for ln in env_lines)


def test_installed_versions_match_pins() -> None:
    from importlib.metadata import version

    pins = _pins((REPO / "requirements.txt").read_text().splitlines())
    for name in ["pandas", "matplotlib", "papermill", "nbconvert", "seaborn", "pandera"]:
        assert version(name) == pins[name], name


def test_kernelspec_lives_in_the_venv_prefix() -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(config.KERNEL_NAME)
    assert Path(spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve())
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()


def test_papermill_runs_a_notebook_on_the_project_kernel(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "language": "python"}
    params = nbformat.v4.new_code_cell("year: int = 2000  # 报告年度")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell("import sys, selfeval\nprint(year * 2, sys.prefix)"),
    ]
    src, dst = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(
        src, dst, parameters={"year": 2024}, kernel_name=config.KERNEL_NAME, progress_bar=False
    )
    out = nbformat.read(dst, as_version=4)
    text = "".join(o.get("text", "") for c in out.cells if c.cell_type == "code" for o in c.outputs)
    assert "4048" in text
    assert str(Path(sys.prefix)) in text


def test_chinese_chart_renders_with_the_bundled_font(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from selfeval.present.charts import set_theme
    from selfeval.present.fonts import CHART_FAMILY, font_path

    set_theme()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        ax.bar(["人员支出", "公用支出"], [63.44, 6.33], label="执行数（万元）")
        ax.set_title("年度支出结构")
        ax.set_xlabel("支出项目")
        ax.legend(title="图例")
        fig.savefig(tmp_path / "chart.png")
        plt.close(fig)
    found = font_manager.findfont(font_manager.FontProperties(family=CHART_FAMILY))
    assert Path(found) == font_path()
    assert (tmp_path / "chart.png").stat().st_size > 1000


def test_missing_glyph_warning_is_an_error_in_this_suite(tmp_path: Path) -> None:
    """Negative control: without the CJK font, drawing Chinese must fail the test suite."""
    import matplotlib.pyplot as plt

    with (
        pytest.raises(UserWarning, match="missing from font"),
        plt.rc_context({"font.family": ["DejaVu Sans"]}),
    ):
        fig, ax = plt.subplots()
        ax.set_title("年度")
        fig.savefig(tmp_path / "tofu.png")
    plt.close("all")


def test_make_help_lists_every_target() -> None:
    out = subprocess.run(["make", "help"], cwd=REPO, capture_output=True, text=True, check=True)
    makefile = (REPO / "Makefile").read_text()
    targets = re.findall(r"^([a-z-]+):", makefile, re.M)
    for target in targets:
        assert f"make {target}" in out.stdout, target


def test_build_with_no_year_says_so_and_succeeds(tmp_path: Path) -> None:
    (tmp_path / "data" / "raw").mkdir(parents=True)
    env = {**os.environ, "SELFEVAL_ROOT": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "selfeval", "build"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "还没有任何年度数据" in out.stdout


def test_bootstrap_reuses_an_up_to_date_venv() -> None:
    """A second `make test` must find the venv's stamp current and skip every install step."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bootstrap", REPO / "scripts" / "bootstrap.py")
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    assert Path(sys.prefix).resolve() == bootstrap.VENV.resolve()
    assert bootstrap.STAMP.read_text() == bootstrap.fingerprint()
    for extra in ("dev", "lab", "cluster"):  # make test set up the dev extra and what it holds
        assert bootstrap.extra_stamp(extra).read_text() == bootstrap.extra_fingerprint(extra)


def test_build_products_are_ignored_but_their_folders_kept() -> None:
    for folder in ["data/processed", "outputs"]:
        assert (REPO / folder / ".gitkeep").exists()
        probe = f"{folder}/2099/report.html"
        res = subprocess.run(["git", "check-ignore", "-q", probe], cwd=REPO)
        assert res.returncode == 0, f"{probe} is not git-ignored"


@pytest.mark.slow
def test_without_make_bootstrap_then_module_commands(tmp_path: Path) -> None:
    """The path of an analyst without make (README): bootstrap script, then the module CLI.

    Run on a copy of the project in a fresh folder, with no `make` on PATH: the script creates
    its own .venv (one line per step and pip's own lines, so the long first install shows life)
    from the runtime lock alone, with no test, lab or cluster tool in it, and `python -m selfeval
    build` writes the 2024 report; `--with dev` then adds the tools and `python -m pytest` runs.
    """
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    copy = tmp_path / "project"
    for name in filter(None, (t.decode() for t in tracked)):
        src = REPO / name
        if src.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).write_bytes(src.read_bytes())
    bin_dir = tmp_path / "bin"  # a PATH with git and python but no make
    bin_dir.mkdir()
    for tool in ("git",):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "SELFEVAL"))}
    env["PATH"] = str(bin_dir)
    base = getattr(sys, "_base_executable", sys.executable)
    setup = subprocess.run(
        [base, "scripts/bootstrap.py"], cwd=copy, env=env, capture_output=True, text=True
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    for n in (1, 2, 3, 4):
        assert f"[{n}/4]" in setup.stdout, setup.stdout[-2000:]
    assert "Collecting" in setup.stdout or "Processing" in setup.stdout, setup.stdout[-2000:]
    assert "环境就绪" in setup.stdout
    py = copy / ".venv" / "bin" / "python"
    built = subprocess.run(
        [py, "-m", "selfeval", "build", "--years", "2024"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert (copy / "outputs" / "2024" / "report.html").is_file()
    tools = ("pytest", "ruff", "playwright", "jupyterlab", "dask", "distributed", "importlinter")
    probe = f"import importlib.util as u; print([m for m in {tools!r} if u.find_spec(m)])"
    absent = subprocess.run([py, "-c", probe], env=env, capture_output=True, text=True)
    assert absent.stdout.strip() == "[]", absent.stdout + absent.stderr
    dev = subprocess.run(
        [base, "scripts/bootstrap.py", "--with", "dev"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert dev.returncode == 0, dev.stdout[-3000:] + dev.stderr[-3000:]
    assert "[1/4]" not in dev.stdout and "requirements-dev.txt" in dev.stdout
    tested = subprocess.run(
        [
            py,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/e2e/test_foundation.py",
            "-k",
            "kernelspec_lives_in_the_venv_prefix or bootstrap_reuses",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert tested.returncode == 0, tested.stdout[-3000:]
    assert "2 passed" in tested.stdout


def test_a_notebook_opened_run_and_saved_in_jupyterlab_shows_no_change_in_git(tmp_path) -> None:
    """JupyterLab saves what it ran (outputs, counts) and what it learned on opening (the
    kernel's language_info). With the filters the bootstrap installs, git sees none of it; and
    the committed notebooks are in the canonical form JupyterLab writes (nbformat, indent 1)."""
    import importlib.util

    if not shutil.which("git"):
        pytest.skip("git is not installed")
    spec = importlib.util.spec_from_file_location("bootstrap", REPO / "scripts" / "bootstrap.py")
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    repo = tmp_path / "clone"
    (repo / "notebooks").mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
        text = nb.read_text(encoding="utf-8")
        parsed = nbformat.reads(text, as_version=4)
        # what JupyterLab would write back on opening: nothing to upgrade, ids present
        assert parsed.nbformat_minor == nbformat.current_nbformat_minor, nb.name
        assert all(c.get("id") for c in parsed.cells), nb.name
        assert nbformat.writes(parsed) + "\n" == text, nb.name
        (repo / "notebooks" / nb.name).write_text(text, encoding="utf-8")
    # what bootstrap.main does for a fresh clone: nbstripout's filter, then the extra keys
    subprocess.run([sys.executable, "-m", "nbstripout", "--install"], cwd=repo, check=True)
    bootstrap.ROOT = repo
    bootstrap.git_filter_keys()
    subprocess.run([*git, "add", "notebooks"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "notebooks"], check=True)
    for path in sorted((repo / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            cell.execution_count = i + 1
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="已运行\n")]
        nbformat.write(nb, path)
    assert "已运行" in (repo / "notebooks" / "01_clean.ipynb").read_text(encoding="utf-8")
    # no difference to review (git status may still list the files by their changed size,
    # a shortcut of git's before it runs filters); adding them stages nothing
    assert subprocess.run([*git, "diff", "--exit-code", "--quiet"]).returncode == 0
    subprocess.run([*git, "add", "notebooks"], check=True)
    status = subprocess.run(
        [*git, "status", "--porcelain"], capture_output=True, text=True, check=True
    ).stdout
    assert status == ""
