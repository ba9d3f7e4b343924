"""What a kernel imports before the first notebook runs: the heavy modules every year needs, the
notebooks' own imports, and what the package's functions import during a build. Its own module,
so that run.kernel (which starts kernels) and run.zygote (which preloads them for forking) both
read it without importing each other."""

from __future__ import annotations

import ast
import contextlib
import json
from pathlib import Path

from selfeval import config
from selfeval.present.blocks import BUILDER_MODULES

#: Heavy modules every year needs; `kernel_imports` adds the notebooks' own and BUILD_IMPORTS.
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
)
#: What a year's build imports inside the package's functions (kept out of module level so that
#: the command line and the no-op build stay light): the processed tables' pandera models, and
#: the report's block builders (`selfeval.present.blocks` imports them when first asked).
#: Preloaded too, so that no kernel forked for a batch imports them again each year (see
#: docs/architecture.md, "Kernels of a batch are forked").
BUILD_IMPORTS = ("selfeval.contract.models", *BUILDER_MODULES)


def kernel_imports() -> tuple[str, ...]:
    """What a kernel imports when it can, besides PRELOAD: the notebooks' own imports and what
    the package's functions import during a build (BUILD_IMPORTS)."""
    return notebook_imports() + BUILD_IMPORTS


def notebook_imports(folder: Path = config.NOTEBOOKS_DIR) -> tuple[str, ...]:
    """Modules the project's notebooks import (``selfeval.*`` and others), sorted; for ``from
    package import name`` also ``package.name``, which may be a submodule (``from
    selfeval.present import docx``). A name that is no module fails quietly at the preload.

    Preloading exactly these keeps the list right when a notebook's imports change; a notebook
    that cannot be parsed contributes nothing (papermill will report it when it runs).
    """
    found: set[str] = set()
    for path in sorted(Path(folder).glob("*.ipynb")):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            nb = json.loads(path.read_text(encoding="utf-8"))
            for cell in nb["cells"]:
                if cell.get("cell_type") != "code":
                    continue
                with contextlib.suppress(SyntaxError):
                    found.update(_imports(ast.parse("".join(cell.get("source", "")))))
    return tuple(sorted(found))


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return names
