"""Checks on an uploaded Word or PDF document before it is read, and its text.

The same rules as for workbooks (`xlsx_safety`): the size first, then the name and
the content's own signature; for a .docx the zip's directory (declared sizes and
ratio, macros, encryption, XML entity declarations) before python-docx parses a
byte. A PDF's text is extracted by Debian's `pdftotext` (poppler-utils) in a child
process, on a temporary file, with a time limit, so a hostile PDF costs a bounded
few seconds of another process and never this one's memory.
"""

import io
import zipfile
from pathlib import PurePosixPath

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from reformledger.exchange import pdf
from reformledger.exchange.errors import refused
from reformledger.exchange.xlsx_safety import (
    MAX_MEMBERS,
    RATIO_FLOOR,
    XML_HEAD,
    _max_ratio,
    _max_uncompressed,
    max_upload_bytes,
)

#: The documents an import reads, by extension.
DOCUMENT_TYPES = (".docx", ".pdf", ".txt")
#: Seconds pdftotext may take before the file is refused.
PDF_TIMEOUT = 60

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def check_document(data: bytes, name: str) -> str:
    """Raise ImportRefused unless `data` is a .docx, .pdf or UTF-8 .txt safe to read;
    return its extension."""
    suffix = PurePosixPath(name or "").suffix.lower()
    if suffix in (".docm", ".dotm"):
        raise refused(_("Word documents with macros (%(ext)s) are not accepted.") % {"ext": suffix})
    if suffix == ".doc":
        raise refused(_("This is an old .doc file; save it as .docx and upload it again."))
    if suffix not in DOCUMENT_TYPES:
        raise refused(_("Only Word (.docx), PDF (.pdf) or text (.txt) documents are accepted."))
    limit = max_upload_bytes()
    if len(data) > limit:
        raise refused(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if not data:
        raise refused(_("The file is empty."))
    if suffix == ".docx":
        _check_docx(data)
    elif suffix == ".pdf" and data.lstrip()[:5] != b"%PDF-":
        raise refused(_("The file is not a PDF document, whatever its name says."))
    return suffix


def _check_docx(data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        raise refused(_("This is an old .doc or a password-protected document; save it as .docx."))
    not_word = _("The file is not a Word document (.docx), whatever its name says.")
    if not data.startswith(b"PK\x03\x04"):
        raise refused(not_word)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused(not_word) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise refused(_("The document has too many parts."))
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos)
        if total > _max_uncompressed():
            raise refused(
                _("The document unpacks to %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(total), "limit": filesizeformat(_max_uncompressed())}
            )
        if total > RATIO_FLOOR and total > _max_ratio() * max(packed, 1):
            raise refused(
                _("The document is compressed %(ratio)s to 1, more than a document can be.")
                % {"ratio": total // max(packed, 1)}
            )
        names = {i.filename for i in infos}
        if any(i.flag_bits & 0x1 for i in infos):
            raise refused(_("The document is encrypted; save it without a password."))
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise refused(_("Word documents with macros are not accepted."))
        if "[Content_Types].xml" not in names:
            raise refused(not_word)
        types = archive.read("[Content_Types].xml")
        if b"macroenabled" in types.lower():
            raise refused(_("Word documents with macros are not accepted."))
        if _WORD_MAIN not in types:
            raise refused(_("The file is an Office document but not a Word document."))
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    head = part.read(XML_HEAD).lower()
                if b"<!doctype" in head or b"<!entity" in head:
                    raise refused(
                        _("The document contains XML entity declarations, which are not accepted.")
                    )


def text_of(data: bytes) -> str:
    """A text file's content: UTF-8 (with or without a byte-order mark), else GB18030,
    as Chinese Windows saves it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise refused(_("The text is neither UTF-8 nor GB18030; save it as UTF-8."))


def pdf_text(data: bytes, *, timeout: int = PDF_TIMEOUT) -> str:
    """The text of a PDF as `pdftotext` extracts it (reading order, one line per line
    of the page, pages separated by form feeds; `exchange.pdf` runs it)."""
    try:
        text = "\f".join(pdf.pdf_page_texts(data, timeout=timeout))
    except pdf.ConversionError as exc:
        raise refused(exc.message) from None
    if not text.strip():
        raise refused(
            _("The PDF holds no text (a scanned image?); upload the Word file or paste the text.")
        )
    return text
