"""Telling the rows of a sheet that are not data from the rows that are.

Offices lay a ledger out for printing, not for reading back: a heading row per
reform area (一、经济体制改革（共7项）), a 小计 or 合计 row under each group, the
header repeated at the top of every printed page, and notes merged across the
foot of the table (注：1.…). Read as data, each would be a task with no code. An
import classifies every row first, reads only the data, lists the rest as skipped
with what they said, and may offer a section heading as the reform area of the
rows under it.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from reformledger.exchange import parsing

KINDS = ("data", "blank", "subtotal", "note", "header", "section")

# A total's word must stand alone (合计, 合计：, 合计 7) or lead a count: 总计划 and
# 总数据平台 are task titles.
_TOTAL = re.compile(
    r"^(?:(?:小计|合计|总计|共计|总数)(?=$|[^\w]|[0-9]|共)"
    r"|[共计][0-9]+[项个条件家]"
    r"|(?:sub|grand)?total(?![a-z]))",
    re.IGNORECASE,
)
_NUMBERISH = re.compile(
    r"^(?:[-+]?[0-9][0-9,]*(?:\.[0-9]+)?(?:%|项|个|条|件|家|人|元|万元|亿元)?|[-—–/·.…]+)$"
)
_NOTE = re.compile(r"^(?:注[:0-9(]|备注:|说明:|填表说明|填报说明|notes?:)", re.IGNORECASE)
_CN_NUM = "一二三四五六七八九十百零〇"
# The numbering of a heading: 一、 二. (三) 第四部分 IV、 — in either width.
_SECTION_NUMBER = re.compile(
    rf"^\s*(?:[{_CN_NUM}]+\s*[、.．,，:：]"
    rf"|[(（]\s*[{_CN_NUM}]+\s*[)）]\s*[、.．]?"
    rf"|第[{_CN_NUM}]+(?:部分|类|章|节|批|板块)\s*[、.．,，:：]?"
    r"|[IVXⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\s*[、.．])\s*"
)
# A bare number in the 序号 column beside the heading's name: 一 or （二）.
_SECTION_NUMBER_ONLY = re.compile(rf"^[(（]?\s*[{_CN_NUM}]+\s*[)）]?\s*[、.．]?$")
# The count after a heading's name: （共7项）, (7项), ：共 7 项.
_SECTION_COUNT = re.compile(
    r"\s*[:：,，]?\s*(?:[(（]\s*(?:共|计)?\s*[0-9０-９]+\s*(?:项|个|条)?\s*[)）]"
    r"|(?:共|计)\s*[0-9０-９]+\s*(?:项|个|条)?)\s*$"
)
_SPACE = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_LABEL_LENGTH = 80


@dataclass(frozen=True)
class RowKind:
    """What a row of a sheet is, and what it said (for the preview's list of skipped
    rows; for a section, the heading's name without its numbering and count)."""

    kind: str
    label: str = ""


def _text(value: Any) -> str:
    """A cell as one line: 合  计 becomes 合计, other runs of spaces one space."""
    return _SPACE.sub(" ", _CJK_GAP.sub("", parsing.clean_text(value))).strip()


def _label(texts: list[str]) -> str:
    distinct = list(dict.fromkeys(texts))
    label = " · ".join(distinct)
    return label if len(label) <= _LABEL_LENGTH else label[: _LABEL_LENGTH - 1] + "…"


def _folded(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def _section_name(text: str) -> str:
    return _SECTION_COUNT.sub("", _SECTION_NUMBER.sub("", text, count=1)).strip()


def classify_row(values: tuple, *, header_keys: set[str] | None = None) -> RowKind:
    """What a row is: "blank", "subtotal", "note", "header" (the table's headers again,
    recognised by `header_keys`, the keys `parsing.header_keys` gives the headers),
    "section" (a group heading; its label is the group's name) or "data".

    A row is only taken for something other than data on clear signs, because a data
    row skipped by mistake is a task silently lost: 合计 inside a title, or a lone
    title with its other cells left blank, stays data."""
    cells = [(index, _text(value)) for index, value in enumerate(values)]
    filled = [(index, text) for index, text in cells if text]
    if not filled:
        return RowKind("blank")
    texts = [text for _index, text in filled]
    folded = [_folded(text) for text in texts]
    label = _label(texts)

    totals = [bool(_TOTAL.match(text)) for text in folded]
    if any(totals) and all(
        total or _NUMBERISH.match(text) for total, text in zip(totals, folded, strict=True)
    ):
        return RowKind("subtotal", label)

    # A note is merged across the row: its text, then nothing (or itself again).
    others = {text for text in folded[1:] if text != folded[0]}
    if _NOTE.match(folded[0]) and len(others) <= 1:
        return RowKind("note", label)

    distinct = list(dict.fromkeys(texts))
    if len(distinct) == 1 and _SECTION_NUMBER.match(distinct[0]):
        name = _section_name(distinct[0])
        if name:
            return RowKind("section", name)
    if (
        len(distinct) == 2
        and isinstance(values[filled[0][0]], str)
        and _SECTION_NUMBER_ONLY.match(distinct[0])
        and not _NUMBERISH.match(_folded(distinct[1]))
    ):
        name = _section_name(distinct[1])
        if name:
            return RowKind("section", name)

    if header_keys:
        named = sum(1 for value in texts if parsing.header_keys(value) & header_keys)
        if named * 2 >= len(texts) and named >= min(2, len(texts)):
            return RowKind("header", label)
    return RowKind("data")
