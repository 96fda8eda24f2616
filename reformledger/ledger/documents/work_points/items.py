"""The shapes of a work-points document as read: its lines, items, headings and the
paragraphs outside the numbering, and how a line is numbered."""

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from reformledger.exchange.chinese import to_simplified
from reformledger.exchange.dates import DateReading

TITLE_MAX = 200
#: A first sentence longer than this is cut at its first comma into title and description.
TITLE_COMMA = 40

# --- the numbering ------------------------------------------------------------------

_CN = "一二三四五六七八九十百零〇"
#: (kind, rank, pattern): a lower rank stands higher in the tree.
_MARKERS = [
    ("part", 0, re.compile(rf"^\s*第[{_CN}]+(?:部分|章|篇)\s*[、.,，:：]?\s*")),
    ("cn", 1, re.compile(rf"^\s*[{_CN}]+\s*[、.,，:：]\s*")),
    ("pcn", 2, re.compile(rf"^\s*\(\s*[{_CN}]+\s*\)\s*[、.]?\s*")),
    ("ar", 3, re.compile(r"^\s*[0-9]{1,3}\s*[.、,，](?![0-9])\s*")),
    ("par", 4, re.compile(r"^\s*\(\s*[0-9]{1,3}\s*\)\s*[、.]?\s*")),
    ("circ", 5, re.compile(r"^\s*[①-⑳]\s*[、.]?\s*")),
]
_COUNT = re.compile(r"\s*\(\s*(?:共|计)?\s*[0-9]+\s*(?:项|个|条)?\s*\)\s*$")

# --- units ----------------------------------------------------------------------------

_LABELS = {
    "牵头单位": "lead",
    "牵头部门": "lead",
    "牵头责任单位": "lead",
    "主责单位": "lead",
    "主办单位": "lead",
    "责任单位": "responsible",
    "责任部门": "responsible",
    "实施单位": "responsible",
    "配合单位": "helping",
    "配合部门": "helping",
    "协办单位": "helping",
    "参与单位": "helping",
    "协同单位": "helping",
    "协助单位": "helping",
    "责任领导": "leader",
    "牵头领导": "leader",
    "分管领导": "leader",
    "牵头市领导": "leader",
    "完成时限": "deadline",
    "完成时间": "deadline",
    "时间节点": "deadline",
    "时限要求": "deadline",
    "完成期限": "deadline",
}
_LABEL_NAMES = "|".join(sorted(_LABELS, key=len, reverse=True))
_LABEL_LINE = re.compile(rf"^\s*(?:{_LABEL_NAMES})\s*[:：]")
_LABEL_ANY = re.compile(rf"(?P<label>{_LABEL_NAMES})\s*[:：]\s*")
# The role a clause ends with, and what it makes of the units before it.


@dataclass
class Line:
    """One line of the document as read: `text` as written and `simple`, the same in
    simplified characters with full-width letters, digits and brackets folded; both
    have the same length whenever the conversion kept every character in place
    (`aligned`), so an offset found in one marks the other."""

    block: int
    text: str
    simple: str
    aligned: bool
    label: bool = False
    plain: str = ""  # simplified, punctuation as written: what titles are cut from

    @classmethod
    def of(cls, block: int, text: str) -> "Line":
        plain = to_simplified(text)
        simple = _fold_in_place(plain)
        label = bool(_LABEL_LINE.match(simple))
        return cls(block, text, simple, len(simple) == len(text), label, plain)

    @property
    def shown(self) -> str:
        return self.text if self.aligned else self.simple


def _fold_in_place(text: str) -> str:
    """NFKC one character at a time, where it gives one character (（→(, １→1, ．→.)."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


@dataclass(frozen=True)
class Span:
    """A part recognised in a line: line index within the item, offsets, and what it is
    (number, title, lead, helping, leader, label, deadline, target, unread)."""

    line: int
    start: int
    end: int
    kind: str


@dataclass
class Deadline:
    """A deadline phrase found in an item, and the day it was read as."""

    text: str
    date: dt.date
    how: str


@dataclass
class Units:
    """The units a clause or labelled lines name, by role, in order."""

    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    helping: list[str] = field(default_factory=list)
    leader: str = ""

    def __bool__(self) -> bool:
        return bool(self.lead or self.responsible or self.helping)

    def extend(self, other: "Units") -> None:
        self.lead += other.lead
        self.responsible += other.responsible
        self.helping += other.helping
        self.leader = self.leader or other.leader

    def settled(self) -> tuple[list[str], list[str]]:
        """(lead units, helping units): those said to lead, else the first responsible;
        every other unit helps."""
        lead = list(dict.fromkeys(self.lead))
        rest = list(self.responsible)
        if not lead and rest:
            lead, rest = [rest[0]], rest[1:]
        helping = [u for u in dict.fromkeys([*rest, *self.helping]) if u not in lead]
        return lead, helping


@dataclass
class Item:
    """A draft task as read from the document (an item, a heading taken as a parent
    task, a paragraph the clerk took from outside the numbering, or a table row)."""

    key: str
    where: str  # "正文" or "表1": the part of the document, as errors name it
    row: int  # the paragraph's number in the document, or the table row
    lines: list[Line]
    number: str = ""  # its numbering as written: 3.
    path: list[str] = field(default_factory=list)  # the keys of the headings above it
    title: str = ""
    description: str = ""
    lead: list[str] = field(default_factory=list)
    helping: list[str] = field(default_factory=list)
    leader: str = ""
    units_from: str = ""  # "" (its own), or the key of the heading it took them from
    deadlines: list[Deadline] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)  # (phrase, why)
    deadline: DateReading | None = None
    targets: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    title_sentence_end: int = 0  # in the body's simplified text
    body_offsets: list[tuple[int, int]] = field(default_factory=list)
    kind: str = "item"  # item, parent, loose, row
    section: str = ""  # a table row's heading row
    merged: list[str] = field(default_factory=list)  # keys of the items merged into it
    edits: dict[str, str] = field(default_factory=dict)
    traditional: bool = False

    @property
    def source(self) -> str:
        """The paragraph(s) as written: the task's basis."""
        return "\n".join(line.text for line in self.lines)

    @property
    def source_hash(self) -> str:
        return paragraph_hash(self.source)

    def sentences(self) -> list[str]:
        return _sentences(self.body())

    def body(self) -> str:
        """The item's text in simplified characters without its number and labelled
        lines (what a split cuts into sentences)."""
        number = next((s.end for s in self.spans if s.kind == "number" and s.line == 0), 0)
        return "\n".join(
            line.plain[number if i == 0 else 0 :]
            for i, line in enumerate(self.lines)
            if not line.label
        )


@dataclass
class Heading:
    """A numbered paragraph with numbered paragraphs under it."""

    key: str
    row: int
    level: int
    number: str
    name: str
    lines: list[Line]
    units: Units
    path: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # keys of the items and headings below

    @property
    def source(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Stray:
    """A paragraph outside the numbering: before it, between items after one closed
    with its units, or after it. `looks` says whether it reads like an item."""

    key: str
    row: int
    text: str
    looks: bool
    under: str = ""  # the heading it stands under, if any


@dataclass
class WorkPointsFile:
    """What a work-points document says, as read."""

    kind: str
    title: str = ""
    document_no: str = ""
    issued_on: dt.date | None = None
    items: list[Item] = field(default_factory=list)
    headings: dict[str, Heading] = field(default_factory=dict)
    strays: list[Stray] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)  # {"where", "rows", "read", "columns"}
    year_evidence: Counter = field(default_factory=Counter)
    traditional: bool = False
    blocks: int = 0

    def file_year(self) -> int | None:
        return self.year_evidence.most_common(1)[0][0] if self.year_evidence else None

    def looks_like_items(self) -> list[Stray]:
        return [s for s in self.strays if s.looks]


def paragraph_hash(text: str) -> str:
    """The hash a paragraph is found again by: folded width, no spaces, simplified."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", to_simplified(text)))
    return hashlib.sha256(key.encode()).hexdigest()


def title_key(text: str) -> str:
    """A title as compared with the ledger's titles (simplified, folded, no spaces)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", to_simplified(text or "")))


def number_length(simple: str) -> int:
    """How long the number a folded line opens with is (0 when it has none)."""
    found = _marker(simple)
    return found[2] if found is not None else 0


def _marker(simple: str) -> tuple[str, int, int] | None:
    """(kind, rank, length of the number) when the line opens with a number."""
    for kind, rank, pattern in _MARKERS:
        found = pattern.match(simple)
        if found and len(simple) > found.end():
            return kind, rank, found.end()
    return None


_SENTENCE_END = "。！？；!?;"


def _sentences(text: str) -> list[str]:
    """Sentences ending in 。！？；(outside brackets) or at a line break."""
    out = []
    for line in text.split("\n"):
        start = 0
        depth = 0
        for i, char in enumerate(line):
            if char in "(（":
                depth += 1
            elif char in ")）" and depth:
                depth -= 1
            elif char in _SENTENCE_END and depth == 0:
                out.append(line[start : i + 1])
                start = i + 1
        if line[start:].strip():
            out.append(line[start:])
    return [s.strip() for s in out if s.strip(" 。；;")]
