"""Small files that are really what they say, for tests that upload evidence: the
evidence checks parse each file by its type (a PDF must open, an image decode)."""

import io

from PIL import Image

from reformledger.demo.documents import text_pdf


def _image(kind: str, size=(4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


PDF = text_pdf(["Reform Ledger test"])
PNG = _image("PNG")
JPEG = _image("JPEG")
