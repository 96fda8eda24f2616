"""Word to PDF with LibreOffice on the server, and the checks a PDF gets (poppler).

`docx_to_pdf` runs ``soffice --headless --convert-to pdf`` in a child process with a
time limit, in a temporary directory with a private LibreOffice profile (so two
conversions never share, or lock, one), and with FONTCONFIG_FILE pointing at
``exchange/fonts/fonts.conf``: the system's fonts plus a fallback from Noto CJK for
each official face (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体 and their other
names), so the PDF shows Chinese glyphs on a server without the official fonts and
uses the official fonts where they are installed.

One adjustment for LibreOffice: the official layout's character grid (28 characters
of 15.79 pt for 16 pt type, exchange.docx_layout) is what Word and WPS honour, but
LibreOffice's import gives a character wider than the grid's pitch two cells, which
would halve every line to 14 characters. Before converting, a ``linesAndChars`` grid
that is narrower than the type becomes a line grid, and the text is condensed by the
difference (0.25 pt), which gives the same 28 characters a line; the lines come from
the exact line pitch of the Normal style. The Word file itself is not changed.

The checks (`pdf_fonts`, `pdf_has_cjk`, `pdf_page_texts`, `pdf_to_pngs`) run poppler's
pdffonts, pdftotext and pdftoppm, each in a child process with a time limit.
"""

import contextlib
import io
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

#: The fontconfig file LibreOffice gets: the system's fonts plus Noto CJK fallbacks.
FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
#: Seconds a poppler tool may take on one PDF.
TOOL_TIMEOUT = 60
#: Embedded font names that are Chinese faces: Noto CJK, the official faces by their
#: PostScript names (FangSong_GB2312, SimHei, KaiTi, FZXiaoBiaoSong…) or in Chinese.
_CJK_FONT = re.compile(
    r"CJK|FangSong|Fangsong|SimSun|NSimSun|SimHei|KaiTi|Kaiti|STSong|STKaiti|STFangsong"
    r"|FZ|XiaoBiaoSong|SourceHan|WenQuanYi|[\u4e00-\u9fff]",
)


class ConversionError(Exception):
    """A document could not be converted to PDF; the message says why, in the reader's
    language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def soffice_path() -> str | None:
    """LibreOffice's program: settings.RL_SOFFICE when set, else soffice or libreoffice
    on PATH; None when there is none."""
    configured = getattr(settings, "RL_SOFFICE", "")
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def _run(command: list[str], *, timeout: int, env: dict | None = None, cwd: str | None = None):
    """Run `command` in its own process group; on time-out kill the whole group (soffice
    starts soffice.bin under it) and raise subprocess.TimeoutExpired."""
    with subprocess.Popen(  # noqa: S603 - fixed programs on files of our own
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def docx_to_pdf(data: bytes, *, timeout: int = 600) -> bytes:
    """The PDF of a .docx, converted by LibreOffice; ConversionError when LibreOffice is
    missing, takes longer than `timeout` seconds or produces nothing."""
    program = soffice_path()
    if program is None:
        raise ConversionError(
            _("The server cannot make PDF files: LibreOffice (soffice) is not installed.")
        )
    with tempfile.TemporaryDirectory(prefix="rl-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(_grid_for_libreoffice(data))
        out = folder / "out"
        out.mkdir()
        env = {
            **os.environ,
            "FONTCONFIG_FILE": str(FONTS_CONF),
            "HOME": tmp,  # LibreOffice writes caches under $HOME too
        }
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            done = _run(command, timeout=timeout, env=env, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise ConversionError(
                _("Converting the document to PDF took longer than %(seconds)s seconds.")
                % {"seconds": timeout}
            ) from None
        except OSError as error:
            raise ConversionError(
                _("LibreOffice could not be started: %(error)s") % {"error": error}
            ) from None
        result = out / "document.pdf"
        if done.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-300:]
            raise ConversionError(
                _("LibreOffice could not convert the document to PDF (%(detail)s).")
                % {"detail": detail or done.returncode}
            )
        return result.read_bytes()


_GRID = re.compile(rb"<w:docGrid\b[^>]*/>")
_ATTRIBUTE = re.compile(rb'w:(type|charSpace)="([^"]*)"')


def _grid_for_libreoffice(data: bytes) -> bytes:
    """The .docx with each character grid narrower than the type turned into a line grid,
    and its text condensed by the difference (see the module's docstring); any other
    document as it is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            document = source.read("word/document.xml")
            styles = source.read("word/styles.xml")
            entries = [(info, source.read(info.filename)) for info in source.infolist()]
    except (zipfile.BadZipFile, KeyError):
        return data  # not ours to mend: LibreOffice says what is wrong with it
    condense = 0
    for grid in _GRID.findall(document):
        attributes = dict(_ATTRIBUTE.findall(grid))
        space = int(attributes.get(b"charSpace", b"0") or 0)
        if attributes.get(b"type") == b"linesAndChars" and space < 0:
            # charSpace is in 4096ths of a point, w:spacing in twentieths.
            condense = max(condense, math.ceil(-space / 4096 * 20))
    if not condense:
        return data
    document = _GRID.sub(
        lambda m: re.sub(rb'\s*w:charSpace="[^"]*"', b"", m.group(0)).replace(
            b'w:type="linesAndChars"', b'w:type="lines"'
        ),
        document,
    )
    spacing = b'<w:spacing w:val="-%d"/>' % condense
    # w:spacing goes after w:rFonts … w:color and before w:w, w:kern, w:position, w:sz…
    styles, count = re.subn(
        rb"(<w:rPrDefault>\s*<w:rPr>(?:(?!</w:rPr>).)*?)"
        rb"(<w:w\b|<w:kern\b|<w:position\b|<w:sz\b|<w:szCs\b|<w:lang\b|</w:rPr>)",
        lambda m: m.group(1) + spacing + m.group(2),
        styles,
        count=1,
        flags=re.DOTALL,
    )
    if not count:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, blob in entries:
            if info.filename == "word/document.xml":
                blob = document
            elif info.filename == "word/styles.xml":
                blob = styles
            target.writestr(info, blob)
    return out.getvalue()


# --- checks (poppler) -------------------------------------------------------------------
def _poppler(tool: str, pdf: bytes, *arguments: str, timeout: int = TOOL_TIMEOUT) -> bytes:
    program = shutil.which(tool)
    if program is None:
        raise ConversionError(
            _("The server cannot read PDF files (%(tool)s is missing).") % {"tool": tool}
        )
    with tempfile.TemporaryDirectory(prefix="rl-pdf-") as tmp:
        source = Path(tmp) / "document.pdf"
        source.write_bytes(pdf)
        try:
            done = _run(
                [program, *(a.replace("{pdf}", str(source)) for a in arguments)],
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise ConversionError(
                _("Reading the PDF took longer than %(seconds)s seconds.") % {"seconds": timeout}
            ) from None
    if done.returncode != 0:
        raise ConversionError(_("The PDF could not be read (it may be damaged or encrypted)."))
    return done.stdout


def pdf_fonts(pdf: bytes) -> list[dict]:
    """The PDF's fonts as pdffonts lists them: [{"name", "type", "embedded", "subset"}]."""
    lines = _poppler("pdffonts", pdf, "{pdf}").decode("utf-8", "replace").splitlines()
    if len(lines) < 2:
        return []
    # The second line's dashes mark the columns: name, type, encoding, emb, sub, uni, …
    spans = [m.span() for m in re.finditer(r"-+", lines[1])]
    fonts = []
    for line in lines[2:]:
        if not line.strip():
            continue
        cells = [
            line[start : (spans[i + 1][0] if i + 1 < len(spans) else None)].strip()
            for i, (start, _end) in enumerate(spans)
        ]
        fonts.append(
            {
                "name": cells[0],
                "type": cells[1],
                "embedded": cells[3] == "yes",
                "subset": cells[4] == "yes",
            }
        )
    return fonts


def pdf_has_cjk(pdf: bytes) -> bool:
    """Whether some embedded font of the PDF is a Chinese face (Noto CJK or an official
    one), i.e. the Chinese text shows as glyphs on any reader."""
    return any(
        font["embedded"] and _CJK_FONT.search(font["name"].split("+", 1)[-1])
        for font in pdf_fonts(pdf)
    )


def pdf_page_texts(pdf: bytes, *, timeout: int = TOOL_TIMEOUT) -> list[str]:
    """The text of each page, as pdftotext extracts it (reading order, not layout)."""
    text = _poppler("pdftotext", pdf, "-q", "-enc", "UTF-8", "{pdf}", "-", timeout=timeout).decode(
        "utf-8", "replace"
    )
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page, the last too, with a form feed
    return pages


def pdf_to_pngs(pdf: bytes, outdir: Path, *, dpi: int = 60) -> list[Path]:
    """Each page as a PNG in `outdir` (page-1.png, page-2.png…, as pdftoppm numbers
    them), in page order."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    prefix = outdir / "page"
    _poppler("pdftoppm", pdf, "-q", "-r", str(dpi), "-png", "{pdf}", str(prefix))
    pages = list(outdir.glob("page-*.png"))
    return sorted(pages, key=lambda path: int(path.stem.rsplit("-", 1)[1]))
