"""Headless Chromium checks of built reports, and screenshots for `make screenshots`
(`python -m tools.browser`).

Playwright for Python drives the system's Chromium (Debian package `chromium`); no browser is
ever downloaded. Every request whose URL is not `file:` or `data:` is aborted and recorded, so a
page that would need the network fails its check instead of silently fetching something.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfeval import config
from selfeval.present.formats import cn_number
from selfeval.present.frames import NINE_SECTIONS
from selfeval.rules import is_year_folder
from selfeval.store import write_with

#: Where Debian and other distributions put the Chromium binary (real binary before wrappers).
CHROMIUM_CANDIDATES = (
    "/usr/lib/chromium/chromium",
    "/usr/lib/chromium-browser/chromium-browser",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
)
#: Environment variable naming a Chromium executable explicitly.
CHROMIUM_ENV = "SELFEVAL_CHROMIUM"

INSTALL_HINT = (
    "未找到 Chromium 浏览器。请安装：sudo apt-get install -y chromium fonts-noto-cjk"
    f"（或用环境变量 {CHROMIUM_ENV} 指定浏览器路径）。"
    " / Chromium not found: install it with `apt-get install -y chromium fonts-noto-cjk`"
    f" or set {CHROMIUM_ENV} to its path."
)

LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
)

#: The nine sections of a 部门整体支出绩效自评报告: (numeral, title the heading must contain).
SECTIONS: tuple[tuple[str, str], ...] = tuple(
    (cn_number(n), title) for n, (_key, title) in enumerate(NINE_SECTIONS, 1)
)

#: A section heading's numeral: 「九、」, 「十、」.
_NUMERAL = re.compile(r"^[一二三四五六七八九十]+、")

#: Font families that carry CJK ideographs (what a non-tofu Chinese glyph must be drawn with).
CJK_FAMILY = re.compile(
    r"CJK|Source Han|WenQuanYi|Droid Sans Fallback|AR PL|PingFang|YaHei|SimSun|SimHei|"
    r"Hei|Song|Kai|Fang|Ming|Han Sans|Han Serif",
    re.IGNORECASE,
)
CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

#: A4 printing: paper width, and the margins used for the PDF and for the overflow check when
#: the page sets none of its own (`@page { margin: … }`, as report.css does: 28 mm and 26 mm).
A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0
PRINT_MARGIN_MM = 12.0
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 120_000

_JS_IMAGES = """() => Array.from(document.images).map(i => ({
    src: (i.currentSrc || i.src || '').slice(0, 80),
    complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))"""

_JS_HEADINGS = """() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))
    .filter(h => h.getClientRects().length > 0)
    .map(h => h.innerText.replace(/\\u00b6/g, '').trim())"""

# Width of the CJK characters of each visible heading, drawn in the heading's own style.
_JS_CJK_WIDTHS = """(limit) => {
    const out = [];
    for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
        if (out.length >= limit || h.getClientRects().length === 0) continue;
        const chars = (h.innerText.match(/[\\u3400-\\u4dbf\\u4e00-\\u9fff]/g) || []).join('');
        if (chars.length < 2) continue;
        const span = document.createElement('span');
        span.style.whiteSpace = 'nowrap';
        span.textContent = chars;
        h.appendChild(span);
        const width = span.getBoundingClientRect().width;
        const size = parseFloat(getComputedStyle(span).fontSize);
        span.remove();
        out.push({text: h.innerText.trim().slice(0, 40), chars: chars.length, width, size});
    }
    return out;
}"""

# Left and right margins (px) of the page's own `@page` rule, or null where it sets none.
_JS_PAGE_MARGINS = """() => {
    for (const sheet of document.styleSheets) {
        let rules;
        try { rules = sheet.cssRules; } catch (e) { continue; }
        for (const rule of rules) {
            if (!(rule instanceof CSSPageRule) || rule.selectorText) continue;
            const left = rule.style.marginLeft, right = rule.style.marginRight;
            if (!left || !right) continue;
            const px = (value) => {
                const probe = document.createElement('div');
                probe.style.width = value;
                document.body.appendChild(probe);
                const width = probe.getBoundingClientRect().width;
                probe.remove();
                return width;
            };
            return [px(left), px(right)];
        }
    }
    return null;
}"""

# Elements that would be cut or shrunk when the page is printed at the printable width
# (Chromium shrinks the whole printout to fit content wider than that: 616 px in 590 px, 96 %).
# A landscape section (`@page landscape`) is laid out at its own, wider text block: a 723 px
# 自评表 there prints at 100 %, a 1,104 px one shrank the whole printout to 83 % (measured).
_JS_OVERFLOW = """(landscape) => {
    const width = document.documentElement.clientWidth;
    const limit = (el) => (el.closest('section.landscape') ? landscape : width);
    const out = [];
    for (const el of document.querySelectorAll('table, img, svg, pre, canvas, figure, video')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.right > limit(el) + 1 || r.left < -1) {
            const label = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
            const span = `${Math.round(r.left)}..${Math.round(r.right)} px`;
            out.push(`${label}: ${span} > ${limit(el)} px`);
        }
    }
    const doc = document.documentElement.scrollWidth;
    const portrait = [...document.body.querySelectorAll('*')].some(
        (el) => !el.closest('section.landscape') && el.getBoundingClientRect().right > width + 1);
    if (doc > landscape + 1 || (doc > width + 1 && portrait)) {
        out.push(`page: scrollWidth ${doc} px > ${width} px`);
    }
    return out;
}"""


# Width of each header cell against the width its text needs (nowrap; th.wrap: its min-width),
# of the portrait or of the landscape sections' cells (each laid out at its own width).
_JS_HEADER_WIDTHS = """(landscape) => Array.from(document.querySelectorAll('th'))
    .filter(th => th.getClientRects().length > 0)
    .filter(th => !!th.closest('section.landscape') === landscape).map(th => {
    const span = document.createElement('span');
    span.style.whiteSpace = 'nowrap';
    span.textContent = th.innerText.split('\\n')[0];
    th.appendChild(span);
    const need = span.getBoundingClientRect().width;
    span.remove();
    const style = getComputedStyle(th);
    const content = th.getBoundingClientRect().width
        - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
        - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    return {text: th.innerText, wrap: th.classList.contains('wrap'), need, content,
            scope: th.getAttribute('scope'),
            fontSize: parseFloat(style.fontSize)};
})"""


def find_chromium() -> Path | None:
    """Path of a system Chromium executable, or None when none is installed."""
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        path = Path(explicit)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        path = Path(candidate)
        if path.is_file() and os.access(path, os.X_OK):
            return path
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


@dataclass
class CjkSample:
    """How one heading's Chinese characters were drawn."""

    text: str
    chars: int
    width_em: float
    fonts: dict[str, int] = field(default_factory=dict)

    @property
    def cjk_glyphs(self) -> int:
        """Glyphs of this heading drawn with a font that carries CJK ideographs."""
        return sum(n for family, n in self.fonts.items() if CJK_FAMILY.search(family))


@dataclass
class PageCheck:
    """Everything observed while opening one HTML file in the browser."""

    path: Path
    title: str = ""
    headings: list[str] = field(default_factory=list)
    text: str = ""
    blocked_requests: list[str] = field(default_factory=list)
    local_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    cjk: list[CjkSample] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    pdf_size: int = 0
    pdf_a4: bool = False
    screenshot: Path | None = None

    @property
    def broken_images(self) -> list[str]:
        """Images that did not decode (naturalWidth 0)."""
        return [img["src"] for img in self.images if not img["complete"] or img["width"] <= 0]

    def missing_sections(self) -> list[str]:
        """The standard sections (numeral、phrase) with no rendered heading."""
        missing = []
        numbered = [h for h in self.headings if _NUMERAL.match(h)]
        for numeral, phrase in SECTIONS:
            # An optional part the unit wrote (结果应用) shifts the later numerals by one.
            if not any(phrase in h for h in numbered):
                missing.append(f"{numeral}、…{phrase}…")
        return missing

    def problems(self, *, report: bool = True) -> list[str]:
        """Chinese descriptions of every failed check; `report=False` skips report-only checks."""
        out: list[str] = []
        out += [f"页面请求了外部资源（已拦截）/ blocked: {u}" for u in self.blocked_requests]
        out += [f"页面引用了自身以外的文件 / local file request: {u}" for u in self.local_requests]
        out += [f"控制台错误 / console error: {m}" for m in self.console_errors]
        out += [f"脚本异常 / page error: {m}" for m in self.page_errors]
        out += [f"页面弹出了对话框 / dialog fired: {m}" for m in self.dialogs]
        out += [f"图片未能解码 / image not decoded: {s}" for s in self.broken_images]
        if not self.title.strip():
            out.append("页面没有标题 / page has no title")
        for sample in self.cjk:
            if not 0.85 <= sample.width_em <= 1.15:
                out.append(
                    f"中文字宽异常（疑为方框）/ implausible CJK width {sample.width_em:.2f} em:"
                    f" {sample.text}"
                )
            if sample.cjk_glyphs < sample.chars:
                out.append(
                    f"中文未用中文字体绘制 / CJK not drawn with a CJK font {sample.fonts}:"
                    f" {sample.text}"
                )
        out += [f"打印时超出 A4 页宽 / overflows the A4 page: {o}" for o in self.overflow]
        if self.pdf_size and not self.pdf_a4:
            out.append("打印的 PDF 不是 A4 / printed PDF is not A4")
        if report:
            if not self.cjk:
                out.append("没有可检查的中文标题 / no Chinese heading to check")
            out += [f"缺少章节标题 / missing section: {s}" for s in self.missing_sections()]
        return out


def _is_allowed(url: str) -> bool:
    return url.startswith(("file:", "data:", "about:", "blob:"))


class Browser:
    """One headless Chromium with a fresh profile and all networking blocked; a context manager."""

    def __init__(self, executable: Path | None = None) -> None:
        """Use `executable`, or the system Chromium found by `find_chromium()`."""
        self.executable = executable or find_chromium()
        if self.executable is None:
            raise RuntimeError(INSTALL_HINT)
        self.blocked: list[str] = []
        self._playwright: Any = None
        self._context: Any = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Browser:
        # playwright (dev extra) only once a browser is opened: `make screenshots` on a machine
        # without it, and every test that skips for want of Chromium, still import this module.
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.TemporaryDirectory(prefix="selfeval-chromium-")
        self._playwright = sync_playwright().start()
        try:
            self._context = self._playwright.chromium.launch_persistent_context(
                self._profile.name,
                executable_path=str(self.executable),
                args=list(LAUNCH_ARGS),
                headless=True,
                viewport=VIEWPORT,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                service_workers="block",
                accept_downloads=False,
            )
            self._context.set_default_timeout(TIMEOUT_MS)
            self._context.route("**/*", self._route)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the browser and remove its profile."""
        if self._context is not None:
            self._context.close()
            self._context = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def local_page(self, origin: str) -> Any:
        """A new Playwright page that may load from one server on this machine (`origin`, e.g.
        ``http://127.0.0.1:8888``: JupyterLab driven by a test); everything else stays blocked.
        A page's route takes precedence over the context's blocking one."""
        if not origin.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError(f"not a local server: {origin}")
        page = self._context.new_page()
        page.route(f"{origin}/**", lambda route: route.continue_())
        return page

    def _route(self, route: Any) -> None:
        url = route.request.url
        if _is_allowed(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def check(
        self,
        html: Path,
        *,
        pdf: Path | None = None,
        screenshot: Path | None = None,
        cjk_samples: int = 4,
    ) -> PageCheck:
        """Open `html` and record requests, errors, images, headings, fonts, print layout."""
        html = Path(html).resolve()
        result = PageCheck(path=html)
        page_url = html.as_uri()
        first_blocked = len(self.blocked)
        page = self._context.new_page()
        try:

            def on_request(request: Any) -> None:
                url = request.url
                if url.startswith("file:") and url.split("#")[0] != page_url:
                    result.local_requests.append(url)
                elif not _is_allowed(url) and url not in self.blocked:
                    result.blocked_requests.append(url)

            def on_dialog(dialog: Any) -> None:
                result.dialogs.append(f"{dialog.type}: {dialog.message}")
                dialog.dismiss()

            def on_console(message: Any) -> None:
                if message.type == "error":
                    result.console_errors.append(message.text)

            page.on("request", on_request)
            page.on("dialog", on_dialog)
            page.on("console", on_console)
            page.on("pageerror", lambda error: result.page_errors.append(str(error)))
            page.goto(page_url, wait_until="load")
            page.evaluate("() => document.fonts.ready.then(() => true)")

            result.title = page.title()
            result.headings = page.evaluate(_JS_HEADINGS)
            result.text = page.evaluate("() => document.body ? document.body.innerText : ''")
            result.images = page.evaluate(_JS_IMAGES)
            result.cjk = self._cjk_samples(page, cjk_samples)
            if screenshot is not None:
                result.screenshot = write_with(screenshot, lambda tmp: page.screenshot(path=tmp))
            result.overflow, pdf_bytes = _print_a4(page)
            result.pdf_size = len(pdf_bytes)
            result.pdf_a4 = _is_a4_pdf(pdf_bytes)
            if pdf is not None:
                write_with(pdf, lambda tmp: Path(tmp).write_bytes(pdf_bytes))
        finally:
            page.close()
        result.blocked_requests += self.blocked[first_blocked:]
        result.blocked_requests = list(dict.fromkeys(result.blocked_requests))
        return result

    def print_pdf(self, html: Path, pdf: Path) -> Path:
        """Print `html` as a reader's browser does (print media, the page's own @page size,
        margins and page-number boxes) to `pdf`; returns `pdf`."""
        page = self._context.new_page()
        try:
            page.goto(Path(html).resolve().as_uri(), wait_until="load")
            page.evaluate("() => document.fonts.ready.then(() => true)")
            page.emulate_media(media="print")
            data = page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            page.close()
        return write_with(pdf, lambda tmp: Path(tmp).write_bytes(data))

    def review_states(self, html: Path, pdf: Path) -> dict[str, str]:
        """The report as a reviewer uses it: the visible text as opened (the 报送稿), the visible
        text with the 审核底稿 switched on (its checkbox ticked), and that state printed to
        `pdf` (print must never show the layer)."""
        page = self._context.new_page()
        try:
            page.goto(Path(html).resolve().as_uri(), wait_until="load")
            page.evaluate("() => document.fonts.ready.then(() => true)")
            before = page.inner_text("main")
            page.check("#review-layer")
            after = page.inner_text("main")
            page.emulate_media(media="print")
            data = page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            page.close()
        write_with(pdf, lambda tmp: Path(tmp).write_bytes(data))
        return {"before": before, "after": after}

    def header_widths(self, html: Path) -> list[dict[str, Any]]:
        """Every table header cell of `html` laid out for print (cells not printed, such as the
        审核底稿's, left out): its width and the width its text needs on one line (or, for a
        long header marked to wrap, its narrowest line)."""
        page = self._context.new_page()
        try:
            page.goto(Path(html).resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            cells = []
            # the text block of a portrait page, then of a landscape one (the 自评表's)
            for width_mm, landscape in ((156, False), (243, True)):
                page.set_viewport_size({"width": round(width_mm / 25.4 * 96), "height": 800})
                cells += page.evaluate(_JS_HEADER_WIDTHS, landscape)
            return cells
        finally:
            page.close()

    def _cjk_samples(self, page: Any, limit: int) -> list[CjkSample]:
        samples = [
            CjkSample(
                text=s["text"], chars=s["chars"], width_em=s["width"] / s["size"] / s["chars"]
            )
            for s in page.evaluate(_JS_CJK_WIDTHS, limit)
            if s["size"] > 0
        ]
        if not samples:
            return samples
        # The fonts the platform actually used for each heading (DevTools protocol).
        cdp = self._context.new_cdp_session(page)
        try:
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            nodes = cdp.send(
                "DOM.querySelectorAll", {"nodeId": root, "selector": "h1,h2,h3,h4,h5,h6"}
            )["nodeIds"]
            by_text: dict[str, dict[str, int]] = {}
            for node in nodes:
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
                outer = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
                used: dict[str, int] = {}
                for font in fonts:
                    used[font["familyName"]] = used.get(font["familyName"], 0) + int(
                        font["glyphCount"]
                    )
                by_text[_heading_key(_strip_tags(outer))] = used
        finally:
            cdp.detach()
        for sample in samples:
            sample.fonts = by_text.get(_heading_key(sample.text), {})
        return samples


def _heading_key(text: str) -> str:
    """A heading as both sides see it: innerText breaks a title at its <br>, the markup does
    not, so whitespace is dropped before the two are matched."""
    return re.sub(r"\s+", "", text)[:30]


def _strip_tags(html: str) -> str:
    text = re.sub(r"<[^>]+>", "", html)
    return html_lib.unescape(text).replace("\u00b6", "").strip()


def _print_a4(page: Any) -> tuple[list[str], bytes]:
    """Lay the page out at the A4 printable width (inside the page's own side margins, else
    12 mm), list what overflows, and print it to PDF."""
    default = PRINT_MARGIN_MM / 25.4 * 96
    left, right = page.evaluate(_JS_PAGE_MARGINS) or (default, default)
    printable_px = round(A4_WIDTH_MM / 25.4 * 96 - left - right)
    landscape_px = round(A4_HEIGHT_MM / 25.4 * 96 - left - right)
    margin = f"{PRINT_MARGIN_MM}mm"
    page.emulate_media(media="print")
    page.set_viewport_size({"width": printable_px, "height": VIEWPORT["height"]})
    try:
        overflow = page.evaluate(_JS_OVERFLOW, landscape_px)
        pdf_bytes = page.pdf(
            format="A4",
            print_background=True,
            margin={"top": margin, "bottom": margin, "left": f"{left}px", "right": f"{right}px"},
        )
    finally:
        page.set_viewport_size(VIEWPORT)
        page.emulate_media(media="screen")
    return overflow, pdf_bytes


def _is_a4_pdf(data: bytes) -> bool:
    """Whether `data` is a PDF whose pages are A4 (595 × 842 pt, ±2 pt), portrait or landscape
    (the 绩效自评表's pages)."""
    if not data.startswith(b"%PDF-"):
        return False
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    if not boxes:
        return False
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box)
        short, long = sorted((x1 - x0, y1 - y0))
        if abs(short - 595.28) > 2 or abs(long - 841.89) > 2:
            return False
    return True


def built_reports(outputs: Path) -> list[tuple[int, Path]]:
    """(year, report.html) of every year folder under `outputs` that holds a built report."""
    found = []
    if outputs.is_dir():
        for entry in sorted(outputs.iterdir()):
            report = entry / "report.html"
            if is_year_folder(entry.name) and report.is_file():
                found.append((int(entry.name), report))
    return found


def screenshots(outputs: Path, browser: Browser) -> tuple[list[Path], list[str]]:
    """Check every built report under `outputs`, writing `<YYYY>/screenshot.png` of its first
    screen; returns the screenshots written and the problems found (Chinese)."""
    written: list[Path] = []
    problems: list[str] = []
    for year, report in built_reports(outputs):
        result = browser.check(report, screenshot=report.parent / "screenshot.png")
        if result.screenshot is not None:
            written.append(result.screenshot)
        problems += [f"{year} 年报告 / report {year}: {p}" for p in result.problems()]
    index = outputs / "index.html"
    if index.is_file():
        result = browser.check(index)
        problems += [f"index.html: {p}" for p in result.problems(report=False)]
    return written, problems


def screenshots_cli(outputs: Path | None = None) -> int:
    """`make screenshots`: screenshot and check each built report; returns the exit status."""
    outputs = outputs or config.outputs_root()
    if not built_reports(outputs):
        print(f"{outputs} 下还没有已生成的报告，请先运行 make report。/ No built report yet.")
        return 0
    executable = find_chromium()
    if executable is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    with Browser(executable) as browser:
        written, problems = screenshots(outputs, browser)
    for path in written:
        print(f"已截图 / screenshot: {path}")
    for problem in problems:
        print(f"问题 / problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(screenshots_cli())
