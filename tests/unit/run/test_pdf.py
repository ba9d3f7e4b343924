"""The PDF step: finding LibreOffice, its private fontconfig, and what a missing or failing
converter does to a year (its HTML and Word file stand; the summary says what to do)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from selfeval.config import Roots
from selfeval.run import batch, pdf
from selfeval.run.notebooks import convert_pdf
from selfeval.run.pdfstructure import structure_pages
from selfeval.run.plan import BUILT, STAMP_FILE, UNCHANGED, YearPlan
from selfeval.run.progress import pdf_lines
from tools import pdfcheck


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
    assert "未生成 PDF" in lines[0] and "运行 make pdf 重试" in lines[0]
    assert lines[1].startswith("2023 年度没有 PDF") and "make pdf" in lines[1]
    assert len(lines) == 2
    assert batch.BatchResult(plans).exit_status == 1
    assert batch.BatchResult([plans[0], plans[2]]).exit_status == 0  # no converter: not an error
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, "exit 0")))
    assert pdf_lines([plans[0]], roots) == [
        "2023 年度还没有 PDF：运行 make pdf 生成 / run `make pdf`"
    ]


def _require(what: str, present: bool) -> None:
    """Skip without `what`; fail under CI=true, where .ci/run installs it."""
    if not present:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{what} is required in CI (.ci/run installs it)")
        pytest.skip(f"{what} not installed")


def _fc_match(conf: Path, family: str) -> str:
    env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(conf.parent)}
    done = subprocess.run(
        ["fc-match", "-f", "%{family[0]}|%{style[0]}", family],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig tools not installed")
def test_private_fontconfig_maps_the_docx_faces_to_fandol_else_noto_sc(tmp_path, monkeypatch):
    fc_list = subprocess.run(["fc-list"], capture_output=True, text=True, check=True).stdout
    _require("fonts-noto-cjk", "Noto Serif CJK" in fc_list)
    _require("texlive-lang-chinese (Fandol)", (pdf.FANDOL_DIR / "FandolFang-Regular.otf").is_file())
    conf = tmp_path / "fonts.conf"
    monkeypatch.delenv(pdf.FONT_DIR_ENV, raising=False)
    conf.write_text(pdf.fontconfig_xml(), encoding="utf-8")
    assert _fc_match(conf, "仿宋_GB2312") == "FandolFang|Regular"
    assert _fc_match(conf, "仿宋") == "FandolFang|Regular"
    assert _fc_match(conf, "楷体_GB2312") == "FandolKai|Regular"
    assert _fc_match(conf, "宋体") == "FandolSong|Regular"
    assert _fc_match(conf, "方正小标宋简体") == "FandolSong|Bold"  # the heavy Song
    assert _fc_match(conf, "黑体") == "FandolHei|Regular"
    assert "CJK" not in _fc_match(conf, "Times New Roman")  # the rules test only the first family
    assert "Fandol" not in _fc_match(conf, "Times New Roman")

    # the Fandol folder hidden: each face falls back to Noto SC
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setenv(pdf.FONT_DIR_ENV, str(empty))
    conf.write_text(pdf.fontconfig_xml(), encoding="utf-8")
    assert _fc_match(conf, "仿宋_GB2312").startswith("Noto Serif CJK SC|")
    assert _fc_match(conf, "楷体_GB2312").startswith("Noto Serif CJK SC|")
    assert _fc_match(conf, "黑体").startswith("Noto Sans CJK SC|")
    assert _fc_match(conf, "方正小标宋简体") == "Noto Serif CJK SC|Bold"


#: One run in each Word font of the docx (style.py), in the words the report sets in it.
_RUNS = {
    "方正小标宋简体": "部门整体支出绩效自评报告",
    "仿宋_GB2312": "一般公共预算支出执行情况良好",
    "楷体_GB2312": "（一）基本支出情况",
    "宋体": "单位：万元",
    "黑体": "一、部门概况",
}


def _docx_in_each_font(path: Path) -> Path:
    """A Word file holding one paragraph per Word font, every run's East Asian font set."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    for font, text in _RUNS.items():
        run = document.add_paragraph().add_run(text)
        fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
            fonts.set(qn(attr), font)
    document.save(str(path))
    return path


@pytest.mark.slow  # a real LibreOffice conversion
def test_the_pdf_sets_fangsong_and_kaiti_in_fandol_not_in_a_japanese_face(tmp_path, monkeypatch):
    """A real conversion (LibreOffice), its font list read by pdffonts: each Word font in its
    Fandol face (仿宋 → FandolFang, 楷体 → FandolKai, 小标宋 → FandolSong-Bold…), and no face
    of the Noto TTC, whose shared CFF table lists as NotoSerifCJKjp."""
    _require("LibreOffice (soffice)", pdf.find_soffice() is not None)
    _require("poppler-utils", pdfcheck.available())
    _require("texlive-lang-chinese (Fandol)", (pdf.FANDOL_DIR / "FandolFang-Regular.otf").is_file())
    monkeypatch.delenv(pdf.FONT_DIR_ENV, raising=False)
    made = pdf.docx_to_pdf(_docx_in_each_font(tmp_path / "fonts.docx"), tmp_path / "fonts.pdf")
    listed = pdfcheck.fonts(made)
    assert listed and all(f.embedded for f in listed), listed
    names = {f.name.split("+", 1)[-1] for f in listed}  # ABCDEF+FandolFang-Regular
    assert names == {
        "FandolSong-Bold",
        "FandolFang-Regular",
        "FandolKai-Regular",
        "FandolSong-Regular",
        "FandolHei-Regular",
    }
    assert not [n for n in names if "jp" in n.lower() or "JP" in n]
    # and the text reads back as written (the faces carry the GB 2312 characters)
    assert pdfcheck.text(made) == "".join(_RUNS.values())


def test_without_fandol_the_summary_names_the_substitutes_once(monkeypatch, tmp_path):
    """Fonts hidden (SELFEVAL_PDF_FONT_DIR at an empty folder): the conversion's result and the
    build summary say, in one line for all years, which face stood in for which Word font."""
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setenv(pdf.FONT_DIR_ENV, str(empty))
    made = _real_pdf(tmp_path / "made.pdf", 1)
    script = _OUT_PDF + f'cp "{tmp_path / "made.pdf"}" "$target"'
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, script)))
    (tmp_path / "report.docx").write_bytes(b"PK")
    result = convert_pdf(tmp_path / "report.docx", tmp_path / "report.pdf")
    assert result["pdf"] == "made" and (tmp_path / "report.pdf").read_bytes() == made
    line = (
        "PDF 中方正小标宋简体、仿宋_GB2312、楷体_GB2312、宋体以 Noto Serif CJK SC 代替，"
        "黑体以 Noto Sans CJK SC 代替（未安装 Fandol 字体："
    )
    assert result["pdf_fonts"].startswith(line)
    assert f"{pdf.FONT_DIR_ENV}={empty}" in result["pdf_fonts"]
    assert "FandolFang-Regular.otf" in result["pdf_fonts"]

    roots = Roots.of(tmp_path / "project")
    for year in (2023, 2024):
        _year(roots, year, pdf_too=True)
    same = [YearPlan(year, status=BUILT, result=dict(result)) for year in (2023, 2024)]
    assert pdf_lines(same, roots) == [result["pdf_fonts"]]  # one line, not one per year
    # Debian's folder missing: the line gives the package to install
    monkeypatch.setattr(pdf, "FANDOL_DIR", empty)
    monkeypatch.delenv(pdf.FONT_DIR_ENV)
    assert pdf.font_note().endswith(
        "（未安装 Fandol 字体：sudo apt-get install -y --no-install-recommends"
        " texlive-lang-chinese） / PDF set in Noto Serif CJK SC, Noto Sans CJK SC:"
        " Fandol fonts not installed"
    )
    # with the fonts there, nothing to say
    fandol = tmp_path / "fandol"
    fandol.mkdir()
    for face, _ in pdf.FACES.values():
        (fandol / str(face.file)).write_bytes(b"")
    monkeypatch.setenv(pdf.FONT_DIR_ENV, str(fandol))
    assert pdf.font_note() == ""
    done = [YearPlan(2024, status=BUILT, result={"pdf": "made", "pdf_fonts": ""})]
    assert pdf_lines(done, roots) == []


# --------------------------------------------------------------------------- issue 27: fake PDFs,
# hanging converters, make pdf in a project of several units

#: A converter's command line ends with `--outdir <dir> <docx>`; the fakes write <dir>/<stem>.pdf.
_OUT_PDF = """
while [ $# -gt 1 ]; do
  if [ "$1" = "--outdir" ]; then out="$2"; fi
  shift
done
mkdir -p "$out"
target="$out/$(basename "$1" .docx).pdf"
"""


def _real_pdf(path: Path, pages: int) -> bytes:
    """A PDF written by matplotlib (a writer other than the checker), `pages` pages long."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    with PdfPages(path) as doc:
        for n in range(pages):
            figure = Figure()
            figure.add_subplot().plot([0, n])
            doc.savefig(figure)
    return path.read_bytes()


def _xref_stream_pdf() -> bytes:
    """A two-page PDF 1.5 with its catalog and page tree packed in an object stream and a
    cross-reference stream under the PNG Up predictor (as pdfTeX and qpdf write them)."""
    import zlib

    packed = [
        (1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        (2, b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"),
        (4, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"),
    ]
    header, body = b"", b""
    for number, text in packed:
        header += b"%d %d " % (number, len(body))
        body += text + b"\n"
    objstm = zlib.compress(header + body)
    out = b"%PDF-1.5\n"
    at_objstm = len(out)
    out += b"5 0 obj\n<< /Type /ObjStm /N 4 /First %d /Length %d /Filter /FlateDecode >>\n" % (
        len(header),
        len(objstm),
    )
    out += b"stream\n" + objstm + b"\nendstream\nendobj\n"
    at_xref = len(out)
    # rows (type, field 2 on two bytes, field 3): 0 free; 1-4 in stream 5; 5 and 6 plain.
    rows = [(0, 0, 255), *[(2, 5, i) for i in range(4)], (1, at_objstm, 0), (1, at_xref, 0)]
    raw = [bytes([kind, field >> 8, field & 0xFF, last]) for kind, field, last in rows]
    encoded, prior = b"", bytes(4)
    for row in raw:  # PNG Up: each byte minus the byte above it
        encoded += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, prior, strict=True))
        prior = row
    xref = zlib.compress(encoded)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode"
        b" /DecodeParms << /Predictor 12 /Columns 4 >> /Length %d >>\n" % len(xref)
    )
    out += b"stream\n" + xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % at_xref
    return out


def test_the_structure_check_reads_real_pdfs_and_refuses_damaged_ones(tmp_path):
    from selfeval.errors import PdfError

    good = _real_pdf(tmp_path / "three.pdf", 3)
    assert structure_pages(tmp_path / "three.pdf") == 3
    (tmp_path / "stream.pdf").write_bytes(_xref_stream_pdf())
    assert structure_pages(tmp_path / "stream.pdf") == 2
    damaged = {
        "garbage": b"%PDF-1.7\nthis is not a PDF\n%%EOF\n",
        "truncated": good[: len(good) // 2],
        "shifted": good.replace(b"%PDF-1.4", b"%PDF-1.4\n%%", 1),  # every offset now wrong
        "no header": good[1:],
        "bad xref stream": _xref_stream_pdf().replace(b"/Columns 4", b"/Columns 3"),
    }
    for name, data in damaged.items():
        (tmp_path / "bad.pdf").write_bytes(data)
        with pytest.raises(PdfError) as caught:
            structure_pages(tmp_path / "bad.pdf")
        assert re.search(r"[\u4e00-\u9fff]", str(caught.value)), name  # said in Chinese


def test_a_converter_writing_garbage_keeps_the_earlier_pdf_and_says_why(monkeypatch, tmp_path):
    script = _OUT_PDF + "printf '%%PDF-1.7\\ngarbage from a broken converter\\n' > \"$target\""
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, script)))
    earlier = _real_pdf(tmp_path / "report.pdf", 1)
    (tmp_path / "report.docx").write_bytes(b"PK")
    result = convert_pdf(tmp_path / "report.docx", tmp_path / "report.pdf")
    assert result["pdf"] == "failed" and result["report_pdf"] is None
    assert "不是可读的 PDF" in result["pdf_error"] and "startxref" in result["pdf_error"]
    assert (tmp_path / "report.pdf").read_bytes() == earlier


def test_a_converter_writing_a_real_pdf_is_accepted(monkeypatch, tmp_path):
    made = _real_pdf(tmp_path / "made.pdf", 2)
    script = _OUT_PDF + f'cp "{tmp_path / "made.pdf"}" "$target"'
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, script)))
    (tmp_path / "report.docx").write_bytes(b"PK")
    result = convert_pdf(tmp_path / "report.docx", tmp_path / "report.pdf")
    assert result["pdf"] == "made", result["pdf_error"]
    assert (tmp_path / "report.pdf").read_bytes() == made


def _unit_years(roots: Roots) -> list[Path]:
    """outputs/<unit>/<year>/ with a report.docx and a stamp that records no PDF yet."""
    folders = []
    for unit in ("library", "museum"):
        folder = roots.outputs / unit / "2024"
        folder.mkdir(parents=True)
        (folder / "report.docx").write_bytes(b"PK")
        (folder / STAMP_FILE).write_text(
            json.dumps({"products": {"report.docx": "x", "report.pdf": None}}), encoding="utf-8"
        )
        folders.append(folder)
    return folders


def test_make_pdf_converts_every_units_years(monkeypatch, tmp_path, capsys):
    made = _real_pdf(tmp_path / "made.pdf", 1)
    script = _OUT_PDF + f'cp "{tmp_path / "made.pdf"}" "$target"'
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, script)))
    roots = Roots.of(tmp_path / "project")
    folders = _unit_years(roots)
    assert pdf.pdf_cli(tmp_path / "project") == 0
    out = capsys.readouterr().out
    assert "还没有 report.docx" not in out
    for folder in folders:
        assert (folder / "report.pdf").read_bytes() == made
        stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
        assert stamp["products"]["report.pdf"] == batch.hash_tree(folder / "report.pdf")
    assert "[library/2024] 已生成" in out and "[museum/2024] 已生成" in out
    # with the Fandol fonts hidden, the substitutes are named once, after the conversions
    monkeypatch.setenv(pdf.FONT_DIR_ENV, str(tmp_path / "no-fonts"))
    for folder in folders:
        (folder / "report.pdf").unlink()
    assert pdf.pdf_cli(tmp_path / "project") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == pdf.font_note() and out[-1].startswith("PDF 中方正小标宋简体、仿宋_GB2312")
    assert sum("Noto Serif CJK SC 代替" in line for line in out) == 1


def test_make_pdf_with_a_garbage_converter_keeps_each_earlier_pdf(monkeypatch, tmp_path, capsys):
    script = _OUT_PDF + "printf '%%PDF-1.7\\n' > \"$target\""
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(_fake_soffice(tmp_path, script)))
    roots = Roots.of(tmp_path / "project")
    folders = _unit_years(roots)
    before = {}
    for folder in folders:
        (folder / "report.pdf").write_bytes(b"an earlier PDF the stamp does not record")
        before[folder] = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert pdf.pdf_cli(tmp_path / "project") == 1
    err = capsys.readouterr().err
    for folder in folders:
        assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before[folder]
    assert err.count("未生成 PDF") == 2 and "不是可读的 PDF" in err and "make pdf 重试" in err


def _hanging_soffice(tmp_path: Path) -> tuple[Path, Path]:
    """A converter that starts a child (its pid in a file) and then never finishes."""
    pid_file = tmp_path / "grandchild.pid"
    script = f'sleep 30 &\necho $! > "{pid_file}"\nsleep 30'
    return _fake_soffice(tmp_path, script), pid_file


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for init to reap it is not)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _running(pid)


def test_a_hanging_converter_is_stopped_at_the_configured_bound_with_its_children(
    monkeypatch, tmp_path
):
    fake, pid_file = _hanging_soffice(tmp_path)
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(fake))
    monkeypatch.setenv(pdf.TIMEOUT_ENV, "2")
    earlier = _real_pdf(tmp_path / "report.pdf", 1)
    (tmp_path / "report.docx").write_bytes(b"PK")
    started = time.monotonic()
    result = convert_pdf(tmp_path / "report.docx", tmp_path / "report.pdf")
    assert time.monotonic() - started < 6
    assert result["pdf"] == "failed" and "超过 2 秒" in result["pdf_error"]
    assert pdf.TIMEOUT_ENV in result["pdf_error"]
    assert _wait_gone(int(pid_file.read_text()), 1.0), "the converter's child outlived it"
    assert (tmp_path / "report.pdf").read_bytes() == earlier


def test_the_bound_defaults_to_a_minute_and_refuses_nonsense(monkeypatch):
    monkeypatch.delenv(pdf.TIMEOUT_ENV, raising=False)
    assert pdf.conversion_timeout() == 60
    monkeypatch.setenv(pdf.TIMEOUT_ENV, "90")
    assert pdf.conversion_timeout() == 90
    for bad in ("abc", "0", "-5", "nan", "inf"):
        monkeypatch.setenv(pdf.TIMEOUT_ENV, bad)
        with pytest.raises(pdf.PdfError, match=pdf.TIMEOUT_ENV):
            pdf.conversion_timeout()


def test_a_converter_dies_with_the_process_that_started_it(tmp_path):
    """A batch worker killed mid-conversion (Ctrl-C on make report) leaves no LibreOffice."""
    fake, pid_file = _hanging_soffice(tmp_path)
    (tmp_path / "report.docx").write_bytes(b"PK")
    env = {**os.environ, pdf.SOFFICE_ENV: str(fake), pdf.TIMEOUT_ENV: "60"}
    code = (
        "import sys; from pathlib import Path; from selfeval.run.pdf import docx_to_pdf;"
        "docx_to_pdf(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    caller = subprocess.Popen(
        [sys.executable, "-c", code, tmp_path / "report.docx", tmp_path / "report.pdf"], env=env
    )
    try:
        deadline = time.monotonic() + 20
        while not pid_file.is_file() or not pid_file.read_text().strip():
            assert time.monotonic() < deadline and caller.poll() is None
            time.sleep(0.05)
        grandchild = int(pid_file.read_text())
        assert _running(grandchild)
    finally:
        caller.kill()
        caller.wait()
    assert _wait_gone(grandchild, 2.0), "the converter outlived its caller"


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_the_structure_check_agrees_with_poppler(tmp_path):
    """What the check accepts poppler reads with the same page count; the garbage a broken
    converter wrote (issue 27) poppler cannot open either."""
    _real_pdf(tmp_path / "three.pdf", 3)
    assert pdfcheck.page_count(tmp_path / "three.pdf") == 3
    (tmp_path / "stream.pdf").write_bytes(_xref_stream_pdf())
    assert pdfcheck.page_count(tmp_path / "stream.pdf") == 2
    (tmp_path / "garbage.pdf").write_bytes(b"%PDF-1.7\ngarbage from a broken converter\n")
    done = subprocess.run(["pdfinfo", tmp_path / "garbage.pdf"], capture_output=True, check=False)
    assert done.returncode != 0


@pytest.mark.slow  # two real LibreOffice conversions
def test_the_same_word_file_gives_the_same_pdf_bytes(tmp_path):
    """LibreOffice writes the time of conversion and a fresh document ID into every PDF; the
    product replaces them (creation time = the Word file's own stamp), so a rebuild of unchanged
    data leaves report.pdf byte-identical, and poppler still reads the file."""
    _require("LibreOffice (soffice)", pdf.find_soffice() is not None)
    _require("poppler-utils", pdfcheck.available())
    import datetime as dt

    import docx

    source = _docx_in_each_font(tmp_path / "same.docx")
    document = docx.Document(str(source))
    document.core_properties.created = dt.datetime(2025, 3, 31, 0, 0, tzinfo=dt.UTC)
    document.save(str(source))
    first = pdf.docx_to_pdf(source, tmp_path / "a" / "same.pdf").read_bytes()
    time.sleep(1.1)  # a later second: LibreOffice's own stamp would differ
    second = pdf.docx_to_pdf(source, tmp_path / "b" / "same.pdf").read_bytes()
    assert first == second
    assert b"/CreationDate(D:20250331000000" in first
    ids = re.findall(rb"/ID\s*\[\s*<([0-9A-F]{32})>\s*<([0-9A-F]{32})>", first)
    assert len(ids) == 1 and ids[0][0] == ids[0][1] and ids[0][0] != b"0" * 32
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "a" / "same.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"CreationDate:\s+Mon Mar 31 00:00:00 2025", info), info
    assert pdfcheck.text(tmp_path / "b" / "same.pdf") == "".join(_RUNS.values())
