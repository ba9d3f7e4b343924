"""Raw files → raw sheets: discovery of a year folder, CSV and xlsx readers."""

from selfeval.read.files import find_raw_files
from selfeval.read.sheet import TRIM_CHARS, RawInput, RawSheet, trim_name

__all__ = ["TRIM_CHARS", "RawInput", "RawSheet", "find_raw_files", "trim_name"]
