"""report.pdf: the Word file converted by headless LibreOffice, with its fonts embedded.

Why LibreOffice and not the browser: the PDF then shows exactly the pages of the Word file a
reviewer comments on (one layout for both deliverables: repeated table headers, unsplit rows,
landscape pages, 「— 1 —」 page numbers), and LibreOffice embeds the CJK fonts as CID subsets,
where Chromium writes them as Type 3 fonts that print shops and PDF/A refuse.

Every conversion runs with its own LibreOffice profile (`-env:UserInstallation`), so parallel
years never share or lock `~/.config/libreoffice`, and with a private fontconfig file
(`FONTCONFIG_FILE`, only in the converter's environment) that maps the Windows font names of the
docx (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体) to the Noto CJK faces of Debian's
`fonts-noto-cjk`; without it fontconfig answers DejaVu Sans for each of them. Its rules come
before the system configuration and test only the first family asked for, so the system's own
alias lists (which contain SimSun) cannot turn Times New Roman into a CJK face.

`soffice` exits 0 even when it converted nothing: the PDF file is the only signal trusted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from selfeval.config import Roots
from selfeval.errors import ConverterMissing, PdfError
from selfeval.present import style
from selfeval.rules import is_year_folder
from selfeval.store import hash_tree, load_json, write_json_atomic, write_with

#: Environment variable naming the LibreOffice executable explicitly ("" or a missing path: none).
SOFFICE_ENV = "SELFEVAL_SOFFICE"
SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_S = 300
INSTALL_COMMAND = "apt-get install -y libreoffice-writer-nogui fonts-noto-cjk"
INSTALL_HINT = (
    f"未找到 LibreOffice（soffice），未生成 PDF。安装：sudo {INSTALL_COMMAND}，然后运行 make pdf。"
    f" / LibreOffice not found, no PDF written: install it with `{INSTALL_COMMAND}`,"
    " then run `make pdf`."
)
#: PDF export options (JSON filter options, LibreOffice >= 7.4): tagged PDF (structure for
#: screen readers, figure alt text) and bookmarks from the heading outline.
SOFFICE_FILTER = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"ExportBookmarks":{"type":"boolean","value":"true"}}'
)

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
#: Family the docx asks for → (installed family, bold?). 小标宋 is a heavy Song face: bold serif.
SUBSTITUTES: dict[str, tuple[str, bool]] = {
    style.FONT_TITLE: (SERIF, True),
    style.FONT_BODY: (SERIF, False),
    "仿宋": (SERIF, False),
    "FangSong": (SERIF, False),
    style.FONT_KAI: (SERIF, False),
    "楷体": (SERIF, False),
    "KaiTi": (SERIF, False),
    style.FONT_SONG: (SERIF, False),
    "SimSun": (SERIF, False),
    style.FONT_HEI: (SANS, False),
    "SimHei": (SANS, False),
}


def find_soffice() -> Path | None:
    """The LibreOffice executable, or None when none is installed."""
    explicit = os.environ.get(SOFFICE_ENV)
    if explicit is not None:
        path = Path(explicit)
        return path if explicit and path.is_file() and os.access(path, os.X_OK) else None
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def fontconfig_xml() -> str:
    """A fonts.conf: the substitutions above, then the system configuration."""
    from xml.sax.saxutils import escape  # here: the no-op build imports this module, ~18 ms

    rules = []
    for requested, (installed, bold) in SUBSTITUTES.items():
        weight = (
            '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
            if bold
            else ""
        )
        rules.append(
            '  <match target="pattern">'
            f'<test qual="first" name="family" compare="eq"><string>{escape(requested)}</string>'
            "</test>"
            f'<edit name="family" mode="prepend" binding="strong"><string>{installed}</string>'
            f"</edit>{weight}</match>"
        )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        + "\n".join(rules)
        + '\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        "</fontconfig>\n"
    )


def docx_to_pdf(docx: Path, pdf: Path, *, timeout: float = TIMEOUT_S) -> Path:
    """Convert `docx` to `pdf` (written atomically) with a private profile; returns `pdf`.

    Raises ConverterMissing without LibreOffice, PdfError when it produced no PDF.
    """
    soffice = find_soffice()
    if soffice is None:
        raise ConverterMissing(INSTALL_HINT)
    docx = Path(docx).resolve()
    if not docx.is_file():
        raise PdfError(f"没有可转换的 Word 文件 / no docx to convert: {docx}")
    with tempfile.TemporaryDirectory(prefix="selfeval-lo-") as tmp:
        work = Path(tmp)
        (work / "fonts.conf").write_text(fontconfig_xml(), encoding="utf-8")
        out_dir = work / "out"
        command = [
            str(soffice),
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            SOFFICE_FILTER,
            "--outdir",
            str(out_dir),
            str(docx),
        ]
        env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work)}
        try:
            done = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"LibreOffice 转换超时（{timeout:.0f} 秒）/ soffice timed out") from exc
        except OSError as exc:
            raise PdfError(f"无法启动 LibreOffice / cannot start soffice: {exc}") from exc
        made = out_dir / f"{docx.stem}.pdf"
        if not made.is_file() or made.read_bytes()[:5] != b"%PDF-":
            output = " ".join(f"{done.stdout.strip()} {done.stderr.strip()}".split())
            raise PdfError(
                f"LibreOffice 未能生成 PDF（退出码 {done.returncode}）/ soffice wrote no PDF:"
                f" {output}"
            )
        return write_with(pdf, lambda target: shutil.move(made, target))


# --------------------------------------------------------------------------- make pdf


def _stale_years(roots: Roots) -> list[tuple[int, Path]]:
    """(year, output folder) of every built year whose report.pdf is missing or not its own."""
    from selfeval.run.plan import STAMP_FILE

    found = []
    if not roots.outputs.is_dir():
        return found
    for entry in sorted(roots.outputs.iterdir()):
        if not (is_year_folder(entry.name) and (entry / "report.docx").is_file()):
            continue
        stamp = load_json(entry / STAMP_FILE)
        products = stamp.get("products", {}) if isinstance(stamp, dict) else {}
        recorded = products.get("report.pdf")
        if recorded is None or recorded != hash_tree(entry / "report.pdf"):
            found.append((int(entry.name), entry))
    return found


def convert_years(roots: Roots) -> int:
    """`make pdf`: convert every built year's report.docx that has no current report.pdf.

    Runs under the batch lock and records the PDF in the year's stamp, so the next `make report`
    sees the year as unchanged. Returns the exit status.
    """
    from selfeval.run.batch import batch_lock
    from selfeval.run.plan import STAMP_FILE

    if find_soffice() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    status = 0
    with batch_lock(roots.outputs):
        todo = _stale_years(roots)
        if not todo:
            print("每个年度的 report.pdf 都已是最新 / every report.pdf is up to date")
        for year, folder in todo:
            try:
                pdf = docx_to_pdf(folder / "report.docx", folder / "report.pdf")
            except PdfError as exc:
                print(f"[{year}] PDF 转换失败 / conversion failed: {exc}", file=sys.stderr)
                status = 1
                continue
            stamp = load_json(folder / STAMP_FILE)
            if isinstance(stamp, dict) and isinstance(stamp.get("products"), dict):
                stamp["products"]["report.pdf"] = hash_tree(pdf)
                write_json_atomic(folder / STAMP_FILE, stamp)
            print(f"[{year}] 已生成 / written: {os.path.relpath(pdf)}")
    return status


def pdf_cli(root: Path | None = None) -> int:
    """`python -m selfeval pdf`: see `convert_years`."""
    roots = Roots.of(root)
    if not roots.outputs.is_dir() or not any(roots.outputs.glob("*/report.docx")):
        print(f"{roots.outputs} 下还没有 report.docx，请先运行 make report。/ No docx yet.")
        return 0
    return convert_years(roots)
