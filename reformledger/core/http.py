"""Responses every app sends the same way."""

import tempfile
from typing import BinaryIO
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv; charset=utf-8"


#: A generated download stays in memory up to this size, then goes to a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024


def file_download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    """A generated file as an attachment: never cached (it holds ledger content the
    user was allowed to see when it was made) and never sniffed as another type."""
    response = HttpResponse(data, content_type=content_type)
    return _attachment(response, filename)


def spooled_file() -> BinaryIO:
    """Where a large generated file is written before it is sent: memory up to
    `SPOOL_BYTES`, then an anonymous temporary file (gone when closed)."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


def file_stream(file: BinaryIO, content_type: str, filename: str) -> FileResponse:
    """A generated file (from `spooled_file`) streamed as an attachment in blocks, with
    its length, the headers of `file_download`; the file is closed once sent."""
    file.seek(0)
    response = FileResponse(file, content_type=content_type)
    response.block_size = 64 * 1024
    return _attachment(response, filename)


def stored_file_response(handle, stored) -> HttpResponse:
    """A kept upload sent as an attachment under its original name and type
    (`stored.original_name`, `stored.content_type`): never sniffed, run or cached.

    `handle` is the stored file (a FileField's file) as the view's service opened it,
    after checking the user may have it and recording the download. Every view that
    sends a stored file answers through here. With RL_ACCEL_REDIRECT set, the answer is
    empty and names the file under that prefix in `X-Accel-Redirect`: nginx, whose
    `internal` location there is aliased to MEDIA_ROOT, sends the bytes with these
    headers, and the app server's worker is free at once. Otherwise the file is streamed.
    """
    prefix = settings.RL_ACCEL_REDIRECT
    if prefix:
        name = handle.name
        handle.close()
        response = HttpResponse(content_type=stored.content_type)
        response["Content-Disposition"] = content_disposition_header(True, stored.original_name)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name.lstrip("/"))
    else:
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=stored.original_name,
            content_type=stored.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
