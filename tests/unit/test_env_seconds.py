"""One rule for every duration setting (PDF conversion, Dask, the batch lock)."""

from __future__ import annotations

import pytest

from selfeval.config import env_seconds


@pytest.mark.parametrize(
    ("text", "zero", "expected"),
    [("", False, 60.0), ("  ", False, 60.0), ("3", False, 3.0), ("0.5", False, 0.5),
     ("0", True, 0.0), ("86400", False, 86400.0)],
)  # fmt: skip
def test_a_duration_setting_is_read(monkeypatch, text, zero, expected):
    monkeypatch.setenv("SELFEVAL_X_TIMEOUT", text)
    assert env_seconds("SELFEVAL_X_TIMEOUT", 60.0, zero=zero) == expected


@pytest.mark.parametrize("text", ["abc", "-1", "0", "nan", "inf", "86401", "1e400"])
def test_a_bad_duration_names_the_variable_and_its_value(monkeypatch, text):
    monkeypatch.setenv("SELFEVAL_X_TIMEOUT", text)
    with pytest.raises(ValueError, match=f"SELFEVAL_X_TIMEOUT={text!r}"):
        env_seconds("SELFEVAL_X_TIMEOUT", 60.0)
