"""The layers' promises that import-linter cannot see: nothing below `run` prints, and every
module says why it exists."""

from __future__ import annotations

import ast
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
