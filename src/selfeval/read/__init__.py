"""Raw files → raw sheets: discovery of a year folder, CSV, xlsx and legacy-format readers."""

from selfeval.read.files import find_raw_files
from selfeval.read.sheet import TRIM_CHARS, BadCell, Percent, RawInput, RawSheet, trim_name

__all__ = [
    "TRIM_CHARS",
    "BadCell",
    "Percent",
    "RawInput",
    "RawSheet",
    "find_raw_files",
    "trim_name",
]
