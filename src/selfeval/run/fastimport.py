"""Keep ``import jsonschema`` (hence nbformat, nbclient, papermill, nbconvert) from costing ~1.5 s.

Cause (measured with ``python -X importtime -c "import nbformat"``): nbformat/json_compat.py
imports ``jsonschema`` at module level (whatever NBFORMAT_VALIDATOR says; nbformat validates with
fastjsonschema by default and its schemas use no ``format`` keyword at all). ``jsonschema``
imports ``jsonschema._format``, which does ``from rfc3987_syntax import is_valid_syntax`` when that
package is installed; it is, because jupyter-events requires ``jsonschema[format-nongpl]``.
``rfc3987_syntax.syntax_helpers`` builds an Earley ``lark`` parser of the RFC 3987 grammar at
import time: ~1.5 s of the ~1.8 s.

Fix: before anything imports jsonschema, register a stand-in ``rfc3987_syntax`` module whose
``is_valid_syntax`` imports the real package on first call. jsonschema still registers its
``iri``/``iri-reference`` format checkers, and they still work (lazily); nothing else changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

_NAME = "rfc3987_syntax"


def _is_valid_syntax(term: str, value: str) -> bool:
    """Stand-in for rfc3987_syntax.is_valid_syntax: load the real module, then delegate."""
    if sys.modules.get(_NAME) is _stub:
        del sys.modules[_NAME]
    real = importlib.import_module(_NAME)
    return real.is_valid_syntax(term, value)


_stub = types.ModuleType(_NAME, "Lazy stand-in installed by selfeval.run.fastimport.")
_stub.is_valid_syntax = _is_valid_syntax
_stub.__lazy_stub__ = True


def defer_iri_grammar() -> bool:
    """Install the stand-in unless jsonschema or rfc3987_syntax is already imported.

    Returns whether it was installed. Call it first thing in the parent process (CLI entry,
    batch, dask worker preload) before papermill, nbclient, nbconvert or nbformat.
    """
    if "jsonschema" in sys.modules or _NAME in sys.modules:
        return False
    if importlib.util.find_spec(_NAME) is None:  # not installed: jsonschema skips it anyway
        return False
    sys.modules[_NAME] = _stub
    return True
