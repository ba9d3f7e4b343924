"""The layers' promises that import-linter cannot see: nothing below `run` prints or ends the
process, and every module says why it exists."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "selfeval"
#: Below `run` and `cli`: computing and presenting, never talking to a terminal.
CORE = [
    p
    for p in sorted(PACKAGE.rglob("*.py"))
    if p.relative_to(PACKAGE).parts[0] not in {"run", "cli.py", "__main__.py"}
]


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_modules_neither_print_nor_write_to_the_terminal(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # A module's own `if __name__ == "__main__":` block is a command line, like cli.py.
    tree.body = [
        n for n in tree.body if not (isinstance(n, ast.If) and "__main__" in ast.unparse(n.test))
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "print", f"{path.name}:{node.lineno} prints"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            stream = f"{node.value.id}.{node.attr}"
            assert stream not in {"sys.stdout", "sys.stderr"}, f"{path.name}:{node.lineno}"


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_modules_never_end_the_process(path: Path) -> None:
    """Ending the process is for the command line; a test that needs a crash injects it from the
    test side (tests/unit/run/test_batch_swap.py), so the product ships no crash hook."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tree.body = [
        n for n in tree.body if not (isinstance(n, ast.If) and "__main__" in ast.unparse(n.test))
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            call = f"{node.value.id}.{node.attr}"
            assert call not in {"os._exit", "os.abort", "sys.exit"}, f"{path.name}:{node.lineno}"


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_every_module_has_a_docstring(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{path.relative_to(PACKAGE)} has no module docstring"


def test_the_check_itself_catches_a_print(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('"""Doc."""\nprint("x")\n', encoding="utf-8")
    with pytest.raises(AssertionError):
        test_core_modules_neither_print_nor_write_to_the_terminal(bad)


#: Libraries whose private names the product must not use: a private name changes without notice
#: in a minor release (issue #25: jupyter_client's kernel-info handler and provisioner kwargs
#: scrubber, its pre-start hook, the warnings module's registry invalidation).
_LIBRARIES = {"jupyter_client", "ipykernel", "nbclient", "papermill", "warnings", "IPython"}


def _library_imports(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted origin of what the module imports from the libraries above."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in _LIBRARIES:
                    found[(a.asname or a.name).split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _LIBRARIES:
            found |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
    return found


def _resolve(dotted: str) -> object:
    module, _, name = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return importlib.import_module(dotted)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _library_bases(cls: ast.ClassDef, imported: dict[str, str], local: dict) -> list[type]:
    bases = []
    for b in cls.bases:
        name = ast.unparse(b)
        if name in imported:
            bases.append(_resolve(imported[name]))
        bases += local.get(name, [])
    return bases


def _private_library_names(path: Path) -> list[str]:
    """Private names of the libraries above that a module uses: `module._name` or
    `Class._name` of what it imports from them, and — in a class deriving from one of their
    classes — a private method it overrides or calls (`self._x`, `super()._x`) that the
    library class has."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = _library_imports(tree)
    found = [
        f"{path.name}:{node.lineno} {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and _is_private(node.attr)
        and ast.unparse(node.value).split(".")[0] in imported
    ]
    local: dict[str, list[type]] = {}  # a class of the module → the library classes below it
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        bases = local[cls.name] = _library_bases(cls, imported, local)
        for node in ast.walk(cls):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name, where = node.name, f"def {node.name}"
            elif isinstance(node, ast.Attribute) and ast.unparse(node.value) in {"self", "super()"}:
                name, where = node.attr, ast.unparse(node)
            else:
                continue
            if _is_private(name) and any(hasattr(b, name) for b in bases):
                found.append(f"{path.name}:{node.lineno} {where}")
    return sorted(set(found))


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_private_name_of_the_kernel_libraries_is_used(path: Path) -> None:
    assert _private_library_names(path) == []


def test_the_private_name_check_catches_what_the_kernel_layer_used_to_do(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import warnings\n"
        "from jupyter_client.provisioning import LocalProvisioner\n"
        "from jupyter_client.asynchronous import AsyncKernelClient\n"
        "from jupyter_client.manager import AsyncKernelManager\n"
        "class C(AsyncKernelClient):\n"
        "    def f(self, reply):\n"
        "        self._handle_kernel_info_reply(reply)\n"
        "        LocalProvisioner._scrub_kwargs({})\n"
        "        warnings._filters_mutated()\n"
        "    def _own(self):\n"
        "        self._own()\n"
        "class D(AsyncKernelManager):\n"
        "    async def _async_pre_start_kernel(self):\n"
        "        return await super()._async_pre_start_kernel()\n",
        encoding="utf-8",
    )
    assert _private_library_names(bad) == [
        "bad.py:13 def _async_pre_start_kernel",
        "bad.py:14 super()._async_pre_start_kernel",
        "bad.py:7 self._handle_kernel_info_reply",
        "bad.py:8 LocalProvisioner._scrub_kwargs",
        "bad.py:9 warnings._filters_mutated",
    ]


def test_no_two_test_modules_share_a_basename():
    """pytest imports test modules by basename (rootdir-relative packages are not used here), so
    a second tests/**/test_x.py stops the whole suite at collection: caught here, in `make check`,
    before a full run meets it."""
    tests = Path(__file__).resolve().parents[1]
    names: dict[str, list[str]] = {}
    for path in tests.rglob("test_*.py"):
        names.setdefault(path.name, []).append(str(path.relative_to(tests)))
    assert {n: p for n, p in names.items() if len(p) > 1} == {}
