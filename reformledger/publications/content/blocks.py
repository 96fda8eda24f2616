"""The content of a publication as plain data: what `render.py` lays out in Word.

A builder (report.py, compendiums.py) draws every figure from the ledger and writes
the document as a list of blocks — headings, generated paragraphs, narrative sections
(the office's words, filled in from the newest `Narrative` versions), tables, charts
(each laid out with its table beside it) and page breaks — in a JSON-able dict. The
dict is what a rendition keeps and hashes, so the same ledger, period and words give
the same content, hash and document.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from reformledger.exchange.docx_layout import chinese_number

#: Bumped when the layout of a document changes, so an unchanged ledger still gives a
#: new rendition in the new layout.
LAYOUT_VERSION = 1


@dataclass(frozen=True)
class Section:
    """A narrative section the office writes: its key and what the page calls it."""

    key: str
    label: str
    hint: str = ""


def number_text(value) -> str:
    """A figure as a table shows it: whole numbers without decimals, others as given."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}" if value != value.to_integral() else str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


@dataclass
class Content:
    """A document being written: its front matter and its blocks, in order."""

    kind: str
    title: str
    subtitle: str = ""
    issuer: str = ""
    document_no: str = ""
    date: dt.date | None = None
    period: str = ""
    narratives: dict[str, str] = field(default_factory=dict)
    blocks: list[dict] = field(default_factory=list)
    _h1: int = 0
    _h2: int = 0

    def h1(self, text: str) -> None:
        """一、text (a chapter: in the contents)."""
        self._h1 += 1
        self._h2 = 0
        self.blocks.append({"t": "h", "level": 1, "text": f"{chinese_number(self._h1)}、{text}"})

    def h2(self, text: str) -> None:
        """（一）text (a section of a chapter: in the contents)."""
        self._h2 += 1
        self.blocks.append({"t": "h", "level": 2, "text": f"（{chinese_number(self._h2)}）{text}"})

    def h3(self, number: int, text: str) -> None:
        """1. text (仿宋 bold; not in the contents)."""
        self.blocks.append({"t": "h", "level": 3, "text": f"{number}. {text}"})

    def p(self, text: str) -> None:
        """A generated paragraph (its figures come from the ledger)."""
        if text:
            self.blocks.append({"t": "p", "text": text})

    def narrative(self, key: str) -> None:
        """The office's words for section `key` (its newest version), if written."""
        text = self.narratives.get(key, "")
        for para in (line.strip() for line in text.splitlines()):
            if para:
                self.blocks.append({"t": "n", "key": key, "text": para})

    def table(
        self,
        caption: str,
        header: list[str],
        rows: list[list],
        widths: list[float] | None = None,
        *,
        key: str = "",
    ) -> None:
        """A generated table (`key` names it for checks); numbers become text."""
        self.blocks.append(
            {
                "t": "table",
                "key": key,
                "caption": caption,
                "header": list(header),
                "rows": [
                    [number_text(v) if not isinstance(v, str) else v for v in r] for r in rows
                ],
                "widths": widths,
            }
        )

    def chart(
        self,
        caption: str,
        categories: list[str],
        series: list[tuple[str, list]],
        *,
        kind: str = "bar",
        stacked: bool = False,
        colours: list[str] | None = None,
        category_label: str = "",
        key: str = "",
    ) -> None:
        """A chart drawn on the server, with its table beside it."""
        self.blocks.append(
            {
                "t": "chart",
                "key": key,
                "kind": kind,
                "caption": caption,
                "categories": list(categories),
                "series": [[name, [float(v) for v in values]] for name, values in series],
                "stacked": stacked,
                "colours": colours,
                "category_label": category_label,
            }
        )

    def page_break(self) -> None:
        self.blocks.append({"t": "break"})

    def as_dict(self) -> dict:
        return {
            "layout": LAYOUT_VERSION,
            "kind": self.kind,
            "title": self.title,
            "subtitle": self.subtitle,
            "issuer": self.issuer,
            "document_no": self.document_no,
            "date": self.date.isoformat() if self.date else "",
            "period": self.period,
            "blocks": self.blocks,
        }


def content_hash(content: dict) -> str:
    """The hash of a content dict (canonical JSON): equal content, equal hash."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def headings(content: dict) -> list[tuple[int, str]]:
    """The contents' entries: the level-1 and level-2 headings, in order."""
    return [(b["level"], b["text"]) for b in content["blocks"] if b["t"] == "h" and b["level"] <= 2]
