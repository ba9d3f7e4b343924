"""report.pdf: the Word file converted by headless LibreOffice, with its fonts embedded.

Why LibreOffice and not the browser: the PDF then shows exactly the pages of the Word file a
reviewer comments on (one layout for both deliverables: repeated table headers, unsplit rows,
landscape pages, 「— 1 —」 page numbers), and LibreOffice embeds the CJK fonts as CID subsets,
where Chromium writes them as Type 3 fonts that print shops and PDF/A refuse.

Every conversion runs with its own LibreOffice profile (`-env:UserInstallation`), so parallel
years never share or lock `~/.config/libreoffice`, and with a private fontconfig file
(`FONTCONFIG_FILE`, only in the converter's environment) that maps the Windows font names of the
docx (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体) to faces that look like them: the
Fandol fonts (FandolFang, FandolKai, FandolSong, FandolHei; Debian ships them in
`texlive-lang-chinese`, outside the system font path, so the file adds their folder). Where a
Fandol file is missing its font falls back to Noto Serif/Sans CJK SC of `fonts-noto-cjk` (no 仿
or 楷 face: 仿宋 and 楷体 then look like 宋体), and the build summary says so (`font_note`).
Without any mapping fontconfig answers DejaVu Sans for each of them. Noto is not the first
choice for 宋/黑 either: the faces of its TTC share one CFF table named NotoSerifCJKjp, so a PDF
set in Noto SC (with SC glyphs: 骨 and 直 render in their mainland forms) lists its fonts as
"NotoSerifCJKjp", which reads as Japanese to anyone checking.
The rules come before the system configuration and test only the first family asked for, so
the system's own alias lists (which contain SimSun) cannot turn Times New Roman into a CJK face.

`soffice` exits 0 even when it converted nothing, and a broken converter may write garbage
behind `%PDF-`: the PDF file is the only signal trusted, and only once its cross-reference
structure and page tree read back (`pdfstructure.structure_pages`); a file that does not is never
moved over the report.pdf already there.

A conversion is bounded (`SELFEVAL_PDF_TIMEOUT`, 60 s: about twenty times what a year takes) and
runs in a process group of its own under a small guard process, so that a converter that hangs
is killed with every child it started (soffice starts soffice.bin; a stray child would outlive
the build), and so that the converter dies with its caller: a batch worker killed mid-conversion
(Ctrl-C on `make report`) takes LibreOffice with it, as it does its kernels.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from selfeval import config
from selfeval.config import Roots
from selfeval.errors import ConverterMissing, PdfError
from selfeval.present import style
from selfeval.run.lock import batch_lock
from selfeval.run.pdfstructure import structure_pages
from selfeval.run.plan import STAMP_FILE
from selfeval.run.site import year_folders
from selfeval.store import hash_tree, load_json, write_json_atomic, write_with

#: Environment variable naming the LibreOffice executable explicitly ("" or a missing path: none).
SOFFICE_ENV = "SELFEVAL_SOFFICE"
SOFFICE_NAMES = ("soffice", "libreoffice")
#: Environment variable bounding one conversion, in seconds (default TIMEOUT_S).
TIMEOUT_ENV = "SELFEVAL_PDF_TIMEOUT"
TIMEOUT_S = 60.0
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

#: Folder of the Fandol fonts (Debian's `texlive-lang-chinese`); SELFEVAL_PDF_FONT_DIR names
#: another one (a TeX Live from tug.org keeps them under texmf-dist/fonts/opentype/public/fandol).
FONT_DIR_ENV = "SELFEVAL_PDF_FONT_DIR"
FANDOL_DIR = Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol")
FANDOL_INSTALL = "apt-get install -y --no-install-recommends texlive-lang-chinese"
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Face:
    """An installed face standing in for a Word font: its family, whether it is asked for bold,
    and its file in the Fandol folder (None: a system font of `fonts-noto-cjk`)."""

    family: str
    bold: bool = False
    file: str | None = None


#: Word font of the docx → (the face that looks like it, the face used when that one is not
#: installed). Fandol is a family of GB 2312 faces drawn for Chinese official documents: 仿 and
#: 楷 as they are (Noto CJK has neither), 小标宋 as the heavy Song (FandolSong-Bold).
FACES: dict[str, tuple[Face, Face]] = {
    style.FONT_TITLE: (Face("FandolSong", True, "FandolSong-Bold.otf"), Face(SERIF, True)),
    style.FONT_BODY: (Face("FandolFang", False, "FandolFang-Regular.otf"), Face(SERIF)),
    style.FONT_KAI: (Face("FandolKai", False, "FandolKai-Regular.otf"), Face(SERIF)),
    style.FONT_SONG: (Face("FandolSong", False, "FandolSong-Regular.otf"), Face(SERIF)),
    style.FONT_HEI: (Face("FandolHei", False, "FandolHei-Regular.otf"), Face(SANS)),
}
#: Other names of the same fonts (the docx font table's fallbacks, fonts a user may apply).
ALIASES = {
    "仿宋": style.FONT_BODY,
    "FangSong": style.FONT_BODY,
    "楷体": style.FONT_KAI,
    "KaiTi": style.FONT_KAI,
    "SimSun": style.FONT_SONG,
    "SimHei": style.FONT_HEI,
}
#: Files whose OS/2 weight reads "regular" although they are the bold cut: fontconfig is told
#: at scan time, or a bold request could get the regular file (and a regular one the bold).
_BOLD_FILES = ("FandolSong-Bold.otf", "FandolHei-Bold.otf")


def font_dir() -> Path:
    """The Fandol folder: SELFEVAL_PDF_FONT_DIR, else Debian's."""
    explicit = os.environ.get(FONT_DIR_ENV, "").strip()
    return Path(explicit).expanduser().absolute() if explicit else FANDOL_DIR


def font_faces(folder: Path | None = None) -> dict[str, Face]:
    """Word font → the face the PDF uses on this machine (the Fandol one when its file is there)."""
    folder = font_dir() if folder is None else folder
    return {
        word: preferred if (folder / str(preferred.file)).is_file() else fallback
        for word, (preferred, fallback) in FACES.items()
    }


def font_note(folder: Path | None = None) -> str:
    """One line naming the Word fonts set in a fallback face, and how to get the right ones;
    "" when every Fandol face is installed."""
    folder = font_dir() if folder is None else folder
    by_face: dict[str, list[str]] = {}
    for word, face in font_faces(folder).items():
        if face.file is None:
            by_face.setdefault(face.family, []).append(word)
    if not by_face:
        return ""
    parts = "，".join(f"{'、'.join(words)}以 {family} 代替" for family, words in by_face.items())
    where = (
        f"sudo {FANDOL_INSTALL}"
        if folder == FANDOL_DIR
        else f"{FONT_DIR_ENV}={folder} 中没有 {', '.join(_missing_files(folder))}"
    )
    return (
        f"PDF 中{parts}（未安装 Fandol 字体：{where}）"
        f" / PDF set in {', '.join(by_face)}: Fandol fonts not installed"
    )


def _missing_files(folder: Path) -> list[str]:
    return [f.file for f, _ in FACES.values() if f.file and not (folder / f.file).is_file()]


#: The guard the converter runs under (`python -I -S -c _GUARD soffice args…`): it leads the
#: conversion's process group, execs the converter as its child, exits with its status, and
#: kills the whole group when its own parent (the caller) is gone.
_GUARD = """
import os, signal, sys
parent = os.getppid()
signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # an ignored SIGCHLD survives exec: undo it
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # kept pending for sigtimedwait
child = os.fork()
if child == 0:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    try:
        os.execv(sys.argv[1], sys.argv[1:])
    except OSError as exc:
        print(f"cannot start {sys.argv[1]}: {exc}", file=sys.stderr, flush=True)
    os._exit(127)
while True:
    done, status = os.waitpid(child, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        os._exit(code if code >= 0 else 128 - code)
    if os.getppid() != parent:
        os.killpg(0, signal.SIGKILL)
    signal.sigtimedwait({signal.SIGCHLD}, 0.1)
"""


def conversion_timeout() -> float:
    """Seconds one conversion may take: SELFEVAL_PDF_TIMEOUT, else TIMEOUT_S.

    Raises PdfError naming the variable when it is not a positive number of seconds (up to a
    day), so that a typo does not silently mean "no bound".
    """
    try:
        return config.env_seconds(TIMEOUT_ENV, TIMEOUT_S)
    except ValueError as exc:
        raise PdfError(str(exc)) from None


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


def fontconfig_xml(folder: Path | None = None) -> str:
    """A fonts.conf: the Fandol folder (when there), the substitutions of `font_faces`, then
    the system configuration."""
    from xml.sax.saxutils import escape  # here: the no-op build imports this module, ~18 ms

    folder = font_dir() if folder is None else folder
    faces = font_faces(folder)
    head = []
    if any(face.file for face in faces.values()):
        head.append(f"  <dir>{escape(str(folder))}</dir>")
        head += [
            '  <match target="scan"><test name="file" compare="eq">'
            f"<string>{escape(str(folder / name))}</string></test>"
            '<edit name="weight" mode="assign"><const>bold</const></edit></match>'
            for name in _BOLD_FILES
        ]
    requests = [(word, word) for word in faces] + list(ALIASES.items())
    rules = []
    for requested, word in requests:
        face = faces[word]
        weight = (
            '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
            if face.bold
            else ""
        )
        rules.append(
            '  <match target="pattern">'
            f'<test qual="first" name="family" compare="eq"><string>{escape(requested)}</string>'
            "</test>"
            f'<edit name="family" mode="prepend" binding="strong"><string>{face.family}</string>'
            f"</edit>{weight}</match>"
        )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        + "\n".join(head + rules)
        + '\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        "</fontconfig>\n"
    )


def docx_to_pdf(docx: Path, pdf: Path, *, timeout: float | None = None) -> Path:
    """Convert `docx` to `pdf` (written atomically) with a private profile; returns `pdf`.

    `timeout`: seconds (default `conversion_timeout()`). Raises ConverterMissing without
    LibreOffice, PdfError when it produced no readable PDF in time; `pdf` is then untouched.
    """
    soffice = find_soffice()
    if soffice is None:
        raise ConverterMissing(INSTALL_HINT)
    timeout = conversion_timeout() if timeout is None else timeout
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
        returncode, output = _run_guarded(command, env, timeout)
        made = out_dir / f"{docx.stem}.pdf"
        if not made.is_file():
            raise PdfError(
                f"LibreOffice 未能生成 PDF（退出码 {returncode}）/ soffice wrote no PDF:"
                f" {' '.join(output.split())}"
            )
        made.write_bytes(reproducible(made.read_bytes(), _created(docx)))
        try:
            structure_pages(made)
        except PdfError as exc:
            raise PdfError(
                f"LibreOffice 写出的文件不是可读的 PDF，未采用（{exc}）"
                f" / soffice wrote an unreadable PDF, not used"
            ) from exc
        return write_with(pdf, lambda target: shutil.move(made, target))


_CREATED = re.compile(rb"(/CreationDate\s*\(D:)(\d{14})")
_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]{32})(>\s*<)([0-9A-Fa-f]{32})(>)")
_CHECKSUM = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]{32})")
_DOCX_CREATED = re.compile(rb"<dcterms:created[^>]*>(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)")


def _created(docx: Path) -> bytes | None:
    """The Word file's own creation stamp (`present.docx` sets it from the report's date) as
    the 14 digits of a PDF date, or None when the file has none."""
    try:
        with zipfile.ZipFile(docx) as zf:
            core = zf.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    m = _DOCX_CREATED.search(core)
    return b"".join(m.groups()) if m else None


def reproducible(data: bytes, created: bytes | None) -> bytes:
    """The PDF with what LibreOffice makes up per run replaced, so that the same report.docx
    always gives the same bytes (the guide's "same inputs, same bytes"): the creation time
    becomes the Word file's own stamp, and the document ID and LibreOffice's /DocChecksum become
    the MD5 of the file with those fields blanked. Every replacement has the length of what it
    replaces, so the cross-reference offsets stay valid and nothing else is touched."""
    if created is not None:
        data = _CREATED.sub(lambda m: m.group(1) + created, data, count=1)
    blank = _ID.sub(lambda m: m.group(1) + b"0" * 32 + m.group(3) + b"0" * 32 + m.group(5), data)
    blank = _CHECKSUM.sub(lambda m: m.group(1) + b"0" * 32, blank)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    out = _ID.sub(lambda m: m.group(1) + digest + m.group(3) + digest + m.group(5), blank)
    return _CHECKSUM.sub(lambda m: m.group(1) + digest, out)


def _run_guarded(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run `command` under `_GUARD` in a new process group; (exit status, its output).

    Whatever is left of the group afterwards (all of it on a timeout or an interrupt) is
    killed: the converter never outlives the conversion.
    """
    guarded = [sys.executable, "-I", "-S", "-c", _GUARD, *command]
    try:
        proc = subprocess.Popen(
            guarded,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            process_group=0,
        )
    except OSError as exc:
        raise PdfError(f"无法启动 LibreOffice / cannot start soffice: {exc}") from exc
    with proc:
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(
                f"LibreOffice 转换超过 {timeout:g} 秒未完成，已结束它及其子进程"
                f"（时限由环境变量 {TIMEOUT_ENV} 设置）/ soffice timed out after {timeout:g} s"
            ) from exc
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, output


# --------------------------------------------------------------------------- make pdf


def _built_years(roots: Roots) -> list[tuple[str, Path]]:
    """(outputs/-relative name, folder) of every year folder holding a report.docx, in both
    layouts: outputs/<year>/ and outputs/<unit>/<year>/ (`site.year_folders`, the index's rule)."""
    return [
        (folder.relative_to(roots.outputs).as_posix(), folder)
        for _, folder in year_folders(roots.outputs)
        if (folder / "report.docx").is_file()
    ]


def _stale_years(roots: Roots) -> list[tuple[str, Path]]:
    """(name, output folder) of every built year whose report.pdf is missing or not its own."""
    found = []
    for name, entry in _built_years(roots):
        stamp = load_json(entry / STAMP_FILE)
        products = stamp.get("products", {}) if isinstance(stamp, dict) else {}
        recorded = products.get("report.pdf")
        if recorded is None or recorded != hash_tree(entry / "report.pdf"):
            found.append((name, entry))
    return found


def convert_years(roots: Roots) -> int:
    """`make pdf`: convert every built year's report.docx that has no current report.pdf.

    Runs under the batch lock and records the PDF in the year's stamp, so the next `make report`
    sees the year as unchanged. Returns the exit status.
    """
    if find_soffice() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    status = 0
    with batch_lock(roots.outputs):
        todo = _stale_years(roots)
        if not todo:
            print("每个年度的 report.pdf 都已是最新 / every report.pdf is up to date")
        for name, folder in todo:
            try:
                pdf = docx_to_pdf(folder / "report.docx", folder / "report.pdf")
            except PdfError as exc:
                print(
                    f"[{name}] 未生成 PDF（已有的 report.pdf 未改动；再次运行 make pdf 重试）"
                    f" / PDF not made, any earlier one kept: {exc}",
                    file=sys.stderr,
                )
                status = 1
                continue
            stamp = load_json(folder / STAMP_FILE)
            if isinstance(stamp, dict) and isinstance(stamp.get("products"), dict):
                stamp["products"]["report.pdf"] = hash_tree(pdf)
                write_json_atomic(folder / STAMP_FILE, stamp)
            print(f"[{name}] 已生成 / written: {os.path.relpath(pdf)}")
        note = font_note() if todo else ""
        if note:
            print(note)
    return status


def pdf_cli(root: Path | None = None) -> int:
    """`python -m selfeval pdf`: see `convert_years`."""
    roots = Roots.of(root)
    if not _built_years(roots):
        print(f"{roots.outputs} 下还没有 report.docx，请先运行 make report。/ No docx yet.")
        return 0
    return convert_years(roots)
