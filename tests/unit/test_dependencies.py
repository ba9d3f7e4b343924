"""Installs that fit the user: the runtime lock holds what reports need and nothing else, every
package the code imports is declared, and the first install is never silent for long.

The lock files are read as text; what a package requires is read from the metadata of the
installed distributions (the test venv holds every lock at its pinned version)."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "selfeval"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: What a user who only builds reports must not get (issue #28: a 1.1 GB venv with these).
TOOLS = {
    "pytest",
    "ruff",
    "playwright",
    "import-linter",
    "jupyterlab",
    "jupytext",
    "nbstripout",
    "dask",
    "distributed",
}
#: Lock file of each set, and the extras it resolves on top of the runtime dependencies.
LOCKS = {
    "requirements.txt": (),
    "requirements-cluster.txt": ("cluster",),
    "requirements-lab.txt": ("lab",),
    "requirements-dev.txt": ("cluster", "lab", "dev"),
}
#: The QA tools of the repo (not installed): they run only in the dev venv, which holds every extra.
TOOLS_DIR = REPO / "tools"
#: The modules that may import a package declared only in an extra (they run only for it).
NEEDS_EXTRA = {
    "run/remote.py": "cluster",
    "run/remote_client.py": "cluster",
    "run/remote_task.py": "cluster",
    **{f"tools/{p.name}": "dev" for p in sorted(TOOLS_DIR.glob("*.py"))},
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(name: str, seen: frozenset[str] = frozenset()) -> dict[str, str]:
    """Pins of a lock file and of the files it includes with ``-r``: canonical name → version."""
    pins: dict[str, str] = {}
    for line in (REPO / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("-r "):
            included = line[3:].strip()
            assert included not in seen, f"{name} includes {included} in a circle"
            pins |= lock_pins(included, seen | {name})
        elif line and not line.startswith("#"):
            package, _, version = line.partition("==")
            assert version, f"{name}: not pinned exactly: {line}"
            pins[canonical(package)] = version
    return pins


def declared(extras: tuple[str, ...] = ()) -> list[str]:
    names = list(PROJECT["dependencies"])
    for extra in extras:
        names += PROJECT["optional-dependencies"][extra]
    return names


def closure(requirements: list[str]) -> set[str]:
    """Every distribution `requirements` pull in, by the installed metadata (markers and extras
    honoured as pip honours them on this interpreter)."""
    found: set[tuple[str, frozenset[str]]] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        key = (canonical(req.name), frozenset(req.extras))
        if key in found:
            continue
        found.add(key)
        for text in metadata.distribution(req.name).requires or []:
            sub = Requirement(text)
            extras = req.extras or {""}
            if sub.marker is None or any(
                sub.marker.evaluate({**default_environment(), "extra": e}) for e in extras
            ):
                todo.append(sub)
    return {name for name, _ in found}


def test_the_runtime_lock_holds_no_test_lab_or_cluster_tool():
    runtime = lock_pins("requirements.txt")
    assert sorted(TOOLS & set(runtime)) == []
    dev = set(lock_pins("requirements-dev.txt"))
    assert {"pytest", "ruff", "playwright", "import-linter"} <= dev
    assert {"jupyterlab", "nbstripout"} <= set(lock_pins("requirements-lab.txt"))
    assert {"dask", "distributed"} <= set(lock_pins("requirements-cluster.txt"))
    env = (REPO / "environment.yml").read_text(encoding="utf-8")
    assert not [t for t in TOOLS if re.search(rf"^\s+- {t}==", env, re.M | re.I)]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_each_lock_holds_everything_its_packages_require(lock):
    """A fresh venv made from this lock alone (with the files it includes) lacks nothing: the
    closure of its declared dependencies is pinned, at the versions installed here."""
    pins = lock_pins(lock)
    needed = closure(declared(LOCKS[lock]))
    assert sorted(needed - set(pins)) == []
    for name in needed:
        assert metadata.version(name) == pins[name], name


def test_extras_pin_the_runtime_packages_nowhere_but_in_the_runtime_lock():
    runtime = set(lock_pins("requirements.txt"))
    for lock in LOCKS:
        if lock != "requirements.txt":
            text = (REPO / lock).read_text(encoding="utf-8")
            own = {canonical(ln.partition("==")[0]) for ln in text.splitlines() if "==" in ln}
            assert sorted(own & runtime) == [], lock


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("selfeval", "tools")}


def _code_imports() -> dict[str, set[str]]:
    """Third-party top-level modules imported by each module of src/, of tools/ and by the
    notebooks."""
    found = {
        p.relative_to(PACKAGE).as_posix(): _imports(ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(PACKAGE.rglob("*.py"))
    }
    for p in sorted(TOOLS_DIR.glob("*.py")):
        found[f"tools/{p.name}"] = _imports(ast.parse(p.read_text(encoding="utf-8")))
    for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join(
            line
            for c in cells
            if c["cell_type"] == "code"
            for line in "".join(c["source"]).splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        found[f"notebooks/{nb.name}"] = _imports(ast.parse(code))
    return found


def test_every_imported_package_is_declared_and_extras_stay_in_their_modules():
    by_module = metadata.packages_distributions()
    runtime = {canonical(d) for d in PROJECT["dependencies"]}
    extras = {
        canonical(d): extra
        for extra, deps in PROJECT["optional-dependencies"].items()
        for d in deps
    }
    undeclared, misplaced = [], []
    for where, modules in _code_imports().items():
        for module in sorted(modules):
            dists = {canonical(d) for d in by_module.get(module, [module])}
            if dists & runtime:
                continue
            extra = next((extras[d] for d in dists if d in extras), None)
            if extra is None:
                undeclared.append(f"{where}: {module}")
            elif NEEDS_EXTRA.get(where) not in (extra, "dev"):
                misplaced.append(f"{where}: {module} (extra {extra})")
    assert undeclared == [], "imported but not declared in pyproject.toml"
    assert misplaced == [], "a runtime module imports a package of an extra"


def _bootstrap():
    spec = importlib.util.spec_from_file_location("bootstrap_t", REPO / "scripts" / "bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_silent_install_step_still_prints_a_line_every_few_seconds(tmp_path, capsys, monkeypatch):
    boot = _bootstrap()
    monkeypatch.setattr(boot, "HEARTBEAT", 0.5)
    monkeypatch.setattr(boot, "VENV", tmp_path / ".venv")
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    for name in ("a-1.dist-info", "b-2.dist-info"):
        (site / name).mkdir(parents=True)
    boot.run(sys.executable, "-c", "import time; print('begin', flush=True); time.sleep(2.2)")
    out = capsys.readouterr().out.splitlines()
    after = out[out.index("begin") + 1 :]
    beats = [line for line in after if "仍在进行" in line]
    assert len(beats) >= 3, out
    assert all(".venv 中已有 2 个包" in line for line in beats), beats


def test_bootstrap_installs_each_extra_once_and_only_when_its_lock_changed(tmp_path, monkeypatch):
    boot = _bootstrap()
    for name in (*LOCKS, "pyproject.toml"):
        (tmp_path / name).write_text((REPO / name).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(boot, "ROOT", tmp_path)
    monkeypatch.setattr(boot, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(boot, "STAMP", tmp_path / ".venv" / ".selfeval-stamp")
    calls: list[list[str]] = []

    def fake_run(*cmd: object) -> None:
        calls.append([str(c) for c in cmd])
        if cmd[1:3] == ("-m", "venv"):
            (Path(cmd[3]) / "bin").mkdir(parents=True)
            (Path(cmd[3]) / "bin" / "python").touch()

    monkeypatch.setattr(boot, "run", fake_run)
    installed = lambda: [c[-1].rsplit("/", 1)[-1] for c in calls if c[-2] == "-r"]  # noqa: E731

    assert boot.main([]) == 0
    assert installed() == ["requirements.txt"]
    calls.clear()
    assert boot.main(["--with", "dev"]) == 0
    assert installed() == ["requirements-dev.txt"]  # it names cluster and lab with -r
    calls.clear()
    assert boot.main(["--with", "lab"]) == 0 and boot.main([]) == 0
    assert calls == []
    (tmp_path / "requirements-lab.txt").write_text("-r requirements.txt\nx==1\n", encoding="utf-8")
    assert boot.main(["--with", "lab"]) == 0
    assert installed() == ["requirements-lab.txt"]
