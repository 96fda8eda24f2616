"""Checks on an uploaded evidence file (佐证材料) before it is stored.

A file is accepted only when its extension is on the allow-list AND its content
is what the extension says: a `.pdf` must start with `%PDF-`, a `.docx` must be a
zip whose `[Content_Types].xml` declares a Word document, and so on. Programs and
office files with macros are refused whatever they are called. The form and the
service both call `check_upload`, so a page shows the error on the field and a
call that skips the page is refused the same way.
"""

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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


def _ooxml_problem(upload, ext: str) -> str | None:
    """Why a .docx/.xlsx/.pptx is not what it claims, or None if it is."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as zf:
            names = {i.filename: i for i in zf.infolist()}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return _("The file contains macros; save it without macros and upload it again.")
            info = names.get("[Content_Types].xml")
            if info is None or info.file_size > _MAX_MEMBER_READ:
                return "mismatch"
            types = zf.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
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
            ok = any(n.lower() == "ofd.xml" for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        ok = False
    finally:
        upload.seek(0)
    return None if ok else "mismatch"


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
        return None if head.startswith(b"%PDF-") else "mismatch"
    if ext == ".png":
        return None if head.startswith(b"\x89PNG\r\n\x1a\n") else "mismatch"
    if ext in (".jpg", ".jpeg"):
        return None if head.startswith(b"\xff\xd8\xff") else "mismatch"
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
