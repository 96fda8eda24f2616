"""Traditional characters read as simplified ones (繁简转换).

A work-points document copied from a Hong Kong or Taiwan page, or typed on a
machine set to traditional characters, names 市發展改革委 and 年底前完成 in
traditional characters; the unit tree and the ledger are kept in simplified ones.
OpenCC's `t2s` table (decision 0008) converts them character by character and
phrase by phrase, keeping every character in its place for the texts offices write,
so a reading's offsets still point into the text as written.
"""

from functools import cache

import opencc


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` in simplified characters (already simplified text comes back unchanged)."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)


def has_traditional(text: str) -> bool:
    """Whether `text` holds characters that convert to other simplified ones."""
    return to_simplified(text) != text
