"""Raw sheets → typed, validated tables of a year (one module per sheet family)."""

from selfeval.clean.year import CleanResult, clean_year

__all__ = ["CleanResult", "clean_year"]
