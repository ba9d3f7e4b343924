"""Every import inside a function of the run layer or the command line says why it is deferred
(import cost, kernel-side code, an optional dependency, a cycle): a function-level import without
a reason hides an import circle or a cost nobody measured (issue #25)."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "selfeval"
#: QA tools leaving the package (moved to tools/ by another change): not held to this rule here.
EXCLUDED = {"browser.py", "bench.py", "cluster.py", "pdfcheck.py"}
CHECKED = [p for p in sorted((PACKAGE / "run").glob("*.py")) if p.name not in EXCLUDED] + [
    PACKAGE / "cli.py"
]


def unexplained_imports(source: str) -> list[int]:
    """Line numbers of imports inside a function with no comment on any line of the statement,
    on its own line just before it, or heading (or ending an earlier import of) the run of
    imports it belongs to (blank lines included: isort separates groups)."""
    comments: set[int] = set()
    own_line: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments.add(tok.start[0])
            if not tok.line[: tok.start[1]].strip():
                own_line.add(tok.start[0])
    blank = {n for n, line in enumerate(source.splitlines(), 1) if not line.strip()}
    imports = [
        node
        for func in ast.walk(ast.parse(source))
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    import_lines = {
        line for node in imports for line in range(node.lineno, (node.end_lineno or 0) + 1)
    }
    bad = []
    for node in imports:
        if set(range(node.lineno, (node.end_lineno or 0) + 1)) & comments:
            continue
        before = node.lineno - 1
        while (before in import_lines or before in blank) and before not in comments:
            before -= 1  # one comment may head a run of imports
        if before not in own_line and not (before in comments and before in import_lines):
            bad.append(node.lineno)
    return sorted(set(bad))


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_function_level_import_says_why(path: Path) -> None:
    bad = unexplained_imports(path.read_text(encoding="utf-8"))
    assert not bad, f"{path.name}: function-level imports without a reason at lines {bad}"


def test_the_check_catches_a_silent_import_and_accepts_a_commented_one() -> None:
    source = (
        "import os\n"
        "def f():\n"
        "    import json\n"
        "    # here: pandas costs 0.4 s, only this path needs it\n"
        "    import pandas\n"
        "    from x import (  # a cycle: x imports this module\n"
        "        y,\n"
        "    )\n"
        "    z = 1  # a comment on the line before does not count when it is code\n"
        "    import csv\n"
        "    # cli: each command imports only what it runs\n"
        "    import a\n"
        "    import b\n"
        "    x = 2\n"
        "    import c\n"
        "    import d  # kernel-side\n"
        "    import e\n"
    )
    assert unexplained_imports(source) == [3, 10, 15]


def test_the_batch_imports_no_report_machinery_until_a_year_is_built() -> None:
    """A no-op `make report` (nothing changed) imports the batch, its progress lines and the
    index check: pandas, matplotlib and the report context must not come with them (they cost
    0.9 s, when the no-op target is 0.03 of a cold year; progress once took them in for the
    words of a 草稿, the index check for three status labels)."""
    code = (
        "import sys, selfeval.run.batch, selfeval.run.progress, selfeval.run.site;"
        "print(sorted(m for m in ('pandas', 'matplotlib', 'selfeval.present.context')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_checking_the_frames_builds_no_report() -> None:
    """The batch checks every frame before any year starts, in the process that builds none:
    the block registry answers by name, so pandas, matplotlib and the report context stay out
    (importing the builders there cost 1.3 s before the first year could start, and ~60 MiB for
    the whole batch). A builder's module comes when a report asks for it."""
    code = (
        "import sys\n"
        "from selfeval.present.frames import check_frames\n"
        "check_frames()\n"
        "heavy = ('pandas', 'matplotlib', 'selfeval.present.context')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "from selfeval.present.blocks import BLOCKS\n"
        "print(callable(BLOCKS['fund_spending']), 'selfeval.present.context' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split("\n")[:2] == ["[]", "True True"], done.stdout + done.stderr
