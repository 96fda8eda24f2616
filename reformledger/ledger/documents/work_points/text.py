"""The text of a work-points document, in the order it is read: paragraphs and tables.

A Word file gives its paragraphs (with the bold run a title often starts with, and
the numbers Word's automatic list numbering draws, which are not in the text) and
its tables, in body order; a line break inside a paragraph starts a new line, since
offices put 牵头单位：… and 责任单位：… on lines of their own. A PDF's text comes from
`pdftotext`, one line per printed line: lines are joined back into paragraphs where
a line runs to the margin without ending a sentence, and page numbers (— 3 —) go.
Pasted text is read a line at a time, joined the same way.
"""

import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reformledger.exchange.document_safety import check_document, pdf_text, text_of
from reformledger.exchange.errors import refused


@dataclass
class Block:
    """A paragraph (one line of it) or a table of the document, numbered in reading
    order from 1. `bold` is the leading bold text of a Word paragraph, if any."""

    number: int
    text: str = ""
    bold: str = ""
    rows: list[list[str]] | None = None

    @property
    def is_table(self) -> bool:
        return self.rows is not None


@dataclass
class DocumentText:
    kind: str  # "docx", "pdf" or "text"
    blocks: list[Block] = field(default_factory=list)


_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_PAGE_NUMBER = re.compile(r"^[\s\-—－–_]*(?:第\s*)?[0-9０-９]+(?:\s*页)?[\s\-—－–_]*$")
_ENDS = tuple("。；;：:！!？?）)”")
# A line that starts a paragraph of its own: a number, a label, a heading mark.
_STARTS = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十0-9０-９]+\s*[）)]"
    r"|[0-9０-９]{1,3}\s*[.．、](?![0-9０-９])|[①-⑳]|第[一二三四五六七八九十]+[部章节]"
    r"|(?:牵头|责任|配合|协办|参与|主责)(?:单位|部门)\s*[:：]|完成时限\s*[:：]|附件)"
)


def read_blocks(
    data: bytes, file_name: str, *, progress: Callable[[int, int], None] | None = None
) -> DocumentText:
    """The checked document's blocks. Raises ImportRefused when it cannot be read."""
    suffix = check_document(data, file_name)
    if suffix == ".docx":
        return DocumentText("docx", _docx_blocks(data, progress))
    if suffix == ".pdf":
        lines = pdf_text(data).replace("\f", "\n").splitlines()
        # pdftotext puts a space where a Chinese character meets a Latin one (增长 6.2%).
        lines = [_CJK_SPACE.sub("", line) for line in lines]
        return DocumentText("pdf", _numbered(_paragraphs(lines)))
    return DocumentText("text", _numbered(_paragraphs(text_of(data).splitlines())))


def _numbered(texts: list[str]) -> list[Block]:
    return [Block(i, text) for i, text in enumerate(texts, start=1)]


def _width(text: str) -> int:
    """A line's width in half-width columns (a Chinese character is two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs: a line that reaches the text's usual width
    without ending a sentence goes on in the next line, unless that one starts
    with a number or a label."""
    cleaned = [line.strip(" \t\u3000\xa0") for line in lines]
    cleaned = [line for line in cleaned if not _PAGE_NUMBER.match(line)]
    widths = sorted(_width(line) for line in cleaned if line)
    if not widths:
        return []
    full = widths[int(len(widths) * 0.8)] * 0.85
    out: list[str] = []
    joining = False
    for line in cleaned:
        if not line:
            joining = False
            continue
        if joining and out and not _STARTS.match(line):
            out[-1] += line
        else:
            out.append(line)
        joining = _width(line) >= full and not line.endswith(_ENDS)
    return out


# --- Word ---------------------------------------------------------------------------


def _docx_blocks(data: bytes, progress) -> list[Block]:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # a damaged part python-docx meets while opening
        raise refused(
            _("The document could not be read (%(reason)s).") % {"reason": type(exc).__name__}
        ) from exc
    numbering = _Numbering(document)
    body = list(document.element.body.iterchildren())
    blocks: list[Block] = []
    for index, element in enumerate(body):
        if progress is not None and index % 50 == 0:
            progress(index, len(body))
        if element.tag == qn("w:p"):
            paragraph = Paragraph(element, document)
            label = numbering.label(paragraph)
            for i, (line, bold) in enumerate(_lines(paragraph)):
                if i == 0 and label:
                    line = f"{label}{line}"
                if line.strip():
                    blocks.append(Block(len(blocks) + 1, line.strip(), bold))
        elif element.tag == qn("w:tbl"):
            rows = [_row_texts(row) for row in Table(element, document).rows]
            if any(any(cell for cell in row) for row in rows):
                blocks.append(Block(len(blocks) + 1, rows=rows))
    if progress is not None:
        progress(len(body), len(body))
    return blocks


def _lines(paragraph) -> Iterator[tuple[str, str]]:
    """The lines of a paragraph (split at its line breaks), each with the bold text it
    starts with."""
    text = paragraph.text.replace("\r", "\n").replace("\t", " ")
    bold = ""
    for run in paragraph.runs:
        if not run.text.strip():
            bold += run.text
            continue
        if run.bold:
            bold += run.text
        else:
            break
    for i, line in enumerate(text.split("\n")):
        yield line, (bold.strip() if i == 0 and text.strip().startswith(bold.strip()) else "")


def _row_texts(row) -> list[str]:
    """A table row's cells as text; a cell merged across columns is given once."""
    texts: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:
        key = id(cell._tc)
        texts.append("" if key in seen else cell.text.strip())
        seen.add(key)
    return texts


# Word's automatic list numbering is drawn by Word, not written into the text.
_CN = "〇一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


def _formatted(n: int, fmt: str) -> str:
    if fmt.startswith(("chinese", "ideograph", "japaneseCounting", "taiwanese")):
        return _chinese(n)
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    return str(n)


class _Numbering:
    """The labels Word draws before numbered paragraphs (一、 （一） 1.), counted as
    Word counts them: per list, a level's counter restarting under a higher level."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = defaultdict(dict)
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        from docx.oxml.ns import qn

        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.iterchildren(qn("w:abstractNum")):
            levels = {}
            for lvl in node.iterchildren(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.levels[num.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})

    def label(self, paragraph) -> str:
        props = paragraph._p.pPr
        num = props.numPr if props is not None else None
        if num is None or num.numId is None:
            return ""
        num_id = str(num.numId.val)
        level = int(num.ilvl.val) if num.ilvl is not None else 0
        levels = self.levels.get(num_id)
        if not levels or level not in levels:
            return ""
        fmt, text, start = levels[level]
        if fmt in ("bullet", "none") or not text:
            return ""
        counters = self.counters[num_id]
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]

        def value(match: re.Match) -> str:
            at = int(match.group(1)) - 1
            lvl_fmt, _text, lvl_start = levels.get(at, ("decimal", "", 1))
            return _formatted(counters.get(at, lvl_start), lvl_fmt)

        return re.sub(r"%([1-9])", value, text)
