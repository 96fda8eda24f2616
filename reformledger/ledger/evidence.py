"""Checks on an uploaded evidence file (佐证材料) before it is stored.

A file is accepted only when its extension is on the allow-list AND its content
parses as what the extension says, not only its first bytes: a `.pdf` must open in
pypdf (in a child Python process with a time limit) with at least one page and no
document JavaScript; a `.png` or `.jpg` must decode whole in Pillow,
within a pixel budget; a `.docx`, `.xlsx` or `.pptx` must be a sound zip (sizes,
compression ratio, every member's checksum) whose `[Content_Types].xml` declares
that kind of document, without macros; an `.ofd` a sound zip with its `OFD.xml`.
A file that is also a zip archive where it should not be one (a polyglot: a PDF or
an image with an archive glued on) is refused, and so are archives, programs and
office files with macros, whatever they are called. The form and the service both
call `check_upload`, so a page shows the error on the field and a call that skips
the page is refused the same way.
"""

import hashlib
import re
import subprocess
import sys
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from reformledger.exchange.xlsx_safety import MAX_MEMBERS, RATIO_FLOOR

#: Default size limit; a deployment sets RL_EVIDENCE_MAX_BYTES in settings.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_OOXML_MAIN = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}

#: extension -> the content type the file is served with (never the browser's claim).
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".ofd": "application/ofd",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}

#: The types that are zip containers themselves.
_ZIP_TYPES = {*_OOXML_MAIN, ".ofd"}

#: What the file input offers (the server checks again).
ACCEPT = ",".join(CONTENT_TYPES)

# Programs, scripts and macro-enabled office files: refused with their own reason,
# so a user who renamed nothing still learns why.
_FORBIDDEN = {
    ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe",
    ".js", ".jse", ".wsf", ".sh", ".jar", ".apk", ".app", ".hta", ".lnk", ".reg",
    ".html", ".htm", ".svg", ".xhtml",
}  # fmt: skip
_MACRO = {".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm", ".sldm"}
# Archives: their content cannot be checked here, so they are refused by name (and a
# zip under another name by its content).
_ARCHIVE = {
    ".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab", ".iso", ".arj",
    ".lzh",
}  # fmt: skip
#: Seconds the PDF reader may take on one file before it is refused.
PDF_TIMEOUT = 30
#: Pillow's name of each image type.
_IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}

# Signatures of programs: a Windows PE, an ELF binary, a Mach-O, a script.
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"#!")
# A zip member larger than this is not read (a zip bomb costs nothing to refuse).
_MAX_MEMBER_READ = 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """What is known of an accepted upload: its cleaned name, size, type and hash."""

    name: str
    size: int
    content_type: str
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "RL_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def clean_name(name: str) -> str:
    """The file's own name without any folder, control characters or odd spacing."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > 200:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: 200 - len(suffix)] + suffix
    return name


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _read_all(upload, limit: int) -> bytes:
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    return data


_ZIP_ERRORS = (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError)


def _zip_problem(zf: zipfile.ZipFile) -> str | None:
    """Why a zip container (an Office file, an OFD) is not sound, or None: too many
    parts, unpacking too large or compressed more than documents are (a zip bomb),
    encrypted parts, or a part whose checksum fails. Sizes are the directory's, and
    reading stops at them, so checking a bomb costs no more than the limits allow."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        return _("The file has too many parts to be a document.")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    limit = int(settings.RL_UPLOAD_MAX_UNCOMPRESSED_BYTES)
    if total > limit:
        return _("The file unpacks to %(size)s; the limit is %(limit)s.") % {
            "size": filesizeformat(total),
            "limit": filesizeformat(limit),
        }
    if total > RATIO_FLOOR and total > int(settings.RL_UPLOAD_MAX_RATIO) * max(packed, 1):
        return _("The file is compressed %(ratio)s to 1, more than a document can be.") % {
            "ratio": total // max(packed, 1)
        }
    if any(i.flag_bits & 0x1 for i in infos):
        return _("The file is encrypted; save it without a password and upload it again.")
    if zf.testzip() is not None:
        return "mismatch"
    return None


def _ooxml_problem(upload, ext: str) -> str | None:
    """Why a .docx/.xlsx/.pptx is not what it claims, or None if it is."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as zf:
            names = {i.filename: i for i in zf.infolist()}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return _("The file contains macros; save it without macros and upload it again.")
            problem = _zip_problem(zf)
            if problem:
                return problem
            info = names.get("[Content_Types].xml")
            if info is None or info.file_size > _MAX_MEMBER_READ:
                return "mismatch"
            types = zf.read(info).decode("utf-8", "replace")
    except _ZIP_ERRORS:
        return "mismatch"
    finally:
        upload.seek(0)
    if "macroEnabled" in types or "vbaProject" in types:
        return _("The file contains macros; save it without macros and upload it again.")
    if _OOXML_MAIN[ext] not in types:
        return "mismatch"
    return None


def _ofd_problem(upload) -> str | None:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as zf:
            problem = _zip_problem(zf)
            if problem:
                return problem
            ok = any(n.lower() == "ofd.xml" for n in zf.namelist())
    except _ZIP_ERRORS:
        ok = False
    finally:
        upload.seek(0)
    return None if ok else "mismatch"


def _is_zip(upload) -> bool:
    """Whether a zip archive's directory can be found in the file (at its end, where
    an archive glued onto a PDF or an image puts it)."""
    try:
        upload.seek(0)
        return zipfile.is_zipfile(upload)
    finally:
        upload.seek(0)


#: What the child process runs on a PDF: it prints the page count and whether the
#: document carries JavaScript (in its name tree, its open action or its additional
#: actions), or fails when pypdf cannot read it. Only pypdf is imported there.
_PDF_PROBE = """
import sys
from pypdf import PdfReader

reader = PdfReader(sys.argv[1])
root = reader.trailer["/Root"].get_object()
names = root.get("/Names")
script = bool(names) and "/JavaScript" in names.get_object()
action = root.get("/OpenAction")
if action is not None and not isinstance(action.get_object(), list):
    action = action.get_object()
    script = script or "/JS" in action or action.get("/S") == "/JavaScript"
script = script or "/AA" in root
print(len(reader.pages), int(script))
"""


def _pdf_problem(upload) -> str | None:
    """Why a .pdf does not open as a PDF (pypdf in a child process, with a time
    limit, so a hostile file costs a bounded few seconds of another process), or None."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter on a file of our own
                [sys.executable, "-I", "-c", _PDF_PROBE, copy.name],
                capture_output=True,
                timeout=PDF_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return _("The PDF took too long to open; save it again and upload it.")
    facts = done.stdout.decode("ascii", "replace").split()
    if done.returncode != 0 or len(facts) != 2 or not facts[0].isdigit():
        return "mismatch"
    if int(facts[0]) < 1:
        return "mismatch"
    if facts[1] != "0":
        return _("The PDF contains JavaScript; print it to a new PDF and upload that.")
    return None


def _image_problem(upload, ext: str) -> str | None:
    """Why a .png or .jpg does not decode whole as that kind of image, or None. Its
    size in pixels is read from the header first, so a small file that would unpack
    into a huge picture is refused before it is decoded."""
    limit = int(getattr(settings, "RL_EVIDENCE_MAX_PIXELS", 50_000_000))
    too_large = _("The image has more than %(limit)s pixels; upload a smaller one.") % {
        "limit": f"{limit:,}"
    }
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns, then refuses; both mean "too large" here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                if image.format != _IMAGE_FORMATS[ext]:
                    return "mismatch"
                width, height = image.size
                if width * height > limit:
                    return too_large
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return too_large
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, MemoryError):
        # Not an image, or truncated or corrupt data (Pillow raises several kinds).
        return "mismatch"
    finally:
        upload.seek(0)
    return None


def _text_problem(upload, size: int) -> str | None:
    data = _read_all(upload, size)
    if b"\x00" in data:
        return "mismatch"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("The text file is not UTF-8; save it as UTF-8 and upload it again.")
    return None


def _content_problem(upload, ext: str, head: bytes, size: int) -> str | None:
    """Why the content does not match the extension ("mismatch"), or a specific reason."""
    if ext == ".pdf":
        return _pdf_problem(upload) if head.startswith(b"%PDF-") else "mismatch"
    if ext == ".png":
        if not head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "mismatch"
        return _image_problem(upload, ext)
    if ext in (".jpg", ".jpeg"):
        if not head.startswith(b"\xff\xd8\xff"):
            return "mismatch"
        return _image_problem(upload, ext)
    if ext in _OOXML_MAIN:
        if not head.startswith(b"PK\x03\x04"):
            return "mismatch"
        return _ooxml_problem(upload, ext)
    if ext == ".ofd":
        return None if head.startswith(b"PK\x03\x04") and not _ofd_problem(upload) else "mismatch"
    if ext in (".txt", ".csv"):
        return _text_problem(upload, size)
    return "mismatch"


def check_upload(upload) -> CheckedUpload:
    """Accept `upload` (a Django File) or raise ValidationError on "file" saying why."""
    name = clean_name(getattr(upload, "name", ""))
    if not name:
        raise _refuse(_("The file has no name."))
    ext = PurePosixPath(name).suffix.lower()
    size = upload.size
    if size is None:
        raise _refuse(_("The file %(name)s could not be read.") % {"name": name})
    if size == 0:
        raise _refuse(_("The file %(name)s is empty.") % {"name": name})
    limit = max_bytes()
    if size > limit:
        raise _refuse(
            _("The file %(name)s is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if ext in _MACRO:
        raise _refuse(
            _("%(name)s is an office file with macros (%(ext)s); macros are not accepted.")
            % {"name": name, "ext": ext}
        )
    if ext in _ARCHIVE:
        raise _refuse(
            _("%(name)s is an archive (%(ext)s); upload the documents in it one by one.")
            % {"name": name, "ext": ext}
        )
    if ext in _FORBIDDEN:
        raise _refuse(
            _("%(name)s is a program or script (%(ext)s); such files are not accepted.")
            % {"name": name, "ext": ext}
        )
    if ext not in CONTENT_TYPES:
        raise _refuse(
            _("Files of type %(ext)s are not accepted. Accepted: %(allowed)s.")
            % {"ext": ext or _("(none)"), "allowed": " ".join(sorted(CONTENT_TYPES))}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(_PROGRAM_MAGIC):
        raise _refuse(
            _("%(name)s is a program, not a %(ext)s file; programs are not accepted.")
            % {"name": name, "ext": ext}
        )
    if ext not in _ZIP_TYPES and _is_zip(upload):
        raise _refuse(
            _("%(name)s is named %(ext)s but holds a zip archive; such files are not accepted.")
            % {"name": name, "ext": ext}
        )
    problem = _content_problem(upload, ext, head, size)
    if problem == "mismatch":
        raise _refuse(
            _("%(name)s is named %(ext)s but its content is not a %(ext)s file.")
            % {"name": name, "ext": ext}
        )
    if problem:
        raise _refuse(problem)
    return CheckedUpload(
        name=name, size=size, content_type=CONTENT_TYPES[ext], sha256=_sha256(upload)
    )


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def store_checked(model, upload, info: CheckedUpload, **fields):
    """Keep an upload already accepted by `check_upload` as a new row of `model` (a file
    model with `file`, `original_name`, `size`, `content_type` and `sha256`), with the
    row's other `fields`. The stored file is removed again if the row cannot be saved."""
    upload.seek(0)
    row = model(
        original_name=info.name,
        size=info.size,
        content_type=info.content_type,
        sha256=info.sha256,
        **fields,
    )
    row.file.save(info.name, ContentFile(upload.read()), save=False)
    try:
        row.save()
    except Exception:
        row.file.delete(save=False)
        raise
    return row
