"""The PDF step: finding LibreOffice, its private fontconfig, and what a missing or failing
converter does to a year (its HTML and Word file stand; the summary says what to do)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from selfeval.config import Roots
from selfeval.run import batch, pdf
from selfeval.run.notebooks import convert_pdf
from selfeval.run.plan import BUILT, UNCHANGED, YearPlan
from selfeval.run.progress import pdf_lines


def _fake_soffice(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "soffice"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_find_soffice_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.SOFFICE_ENV, "")
    assert pdf.find_soffice() is None
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(tmp_path / "missing"))
    assert pdf.find_soffice() is None
    fake = _fake_soffice(tmp_path, "exit 0")
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(fake))
    assert pdf.find_soffice() == fake


def test_without_libreoffice_the_year_has_no_pdf_and_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.SOFFICE_ENV, "")
    (tmp_path / "report.docx").write_bytes(b"PK")
    assert convert_pdf(tmp_path / "report.docx", tmp_path / "report.pdf") == {
        "report_pdf": None,
        "pdf": "missing",
        "pdf_error": "",
    }
    assert not (tmp_path / "report.pdf").exists()
    assert "apt-get install -y libreoffice-writer-nogui" in pdf.INSTALL_HINT
    assert "make pdf" in pdf.INSTALL_HINT


def test_a_converter_that_writes_nothing_is_a_failure_not_a_lost_year(monkeypatch, tmp_path):
    # soffice exits 0 when it converted nothing: only the missing file tells.
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, "echo 'Error: source file'")))
    (tmp_path / "report.docx").write_bytes(b"PK")
    (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
    result = convert_pdf(tmp_path / "report.docx", tmp_path / "report.pdf")
    assert result["pdf"] == "failed" and result["report_pdf"] is None
    assert "Error: source file" in result["pdf_error"]
    assert (tmp_path / "report.docx").read_bytes() == b"PK"
    assert (tmp_path / "report.html").is_file() and not (tmp_path / "report.pdf").exists()


def _year(roots: Roots, year: int, pdf_too: bool) -> None:
    out = roots.outputs / str(year)
    out.mkdir(parents=True)
    (out / "report.docx").write_bytes(b"PK")
    if pdf_too:
        (out / "report.pdf").write_bytes(b"%PDF-1.7")


def test_summary_lines_and_exit_status(monkeypatch, tmp_path):
    roots = Roots.of(tmp_path)
    _year(roots, 2023, pdf_too=False)
    _year(roots, 2024, pdf_too=False)
    _year(roots, 2025, pdf_too=True)
    failed = YearPlan(2024, status=BUILT, result={"pdf": "failed", "pdf_error": "soffice 崩溃"})
    plans = [YearPlan(2023, status=UNCHANGED), failed, YearPlan(2025, status=BUILT)]
    monkeypatch.setenv(pdf.SOFFICE_ENV, "")
    lines = pdf_lines(plans, roots)
    assert lines[0].startswith("[2024] PDF 转换失败") and "soffice 崩溃" in lines[0]
    assert lines[1].startswith("2023 年度没有 PDF") and "make pdf" in lines[1]
    assert len(lines) == 2
    assert batch.BatchResult(plans).exit_status == 1
    assert batch.BatchResult([plans[0], plans[2]]).exit_status == 0  # no converter: not an error
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, "exit 0")))
    assert pdf_lines([plans[0]], roots) == [
        "2023 年度还没有 PDF：运行 make pdf 生成 / run `make pdf`"
    ]


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig tools not installed")
def test_private_fontconfig_maps_the_docx_faces_to_noto_cjk(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(pdf.fontconfig_xml(), encoding="utf-8")
    if (
        "Noto Serif CJK"
        not in subprocess.run(["fc-list"], capture_output=True, text=True, check=True).stdout
    ):
        pytest.skip("fonts-noto-cjk not installed")

    def match(family: str) -> str:
        env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            ["fc-match", "-f", "%{family[0]}|%{style[0]}", family],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        return done.stdout

    assert match("仿宋_GB2312").startswith("Noto Serif CJK SC|")
    assert match("黑体").startswith("Noto Sans CJK SC|")
    assert match("方正小标宋简体") == "Noto Serif CJK SC|Bold"
    assert "CJK" not in match("Times New Roman")  # the rules test only the first family asked
