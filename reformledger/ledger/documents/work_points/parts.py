"""An item's parts: its title and description, the units its clauses and labelled
lines name with their roles, its deadlines and its numeric targets, each kept with
where it stood so the preview can mark it."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from reformledger.exchange.chinese import has_traditional, to_simplified
from reformledger.exchange.dates import DateReading, find_deadlines, read_deadline
from reformledger.exchange.parsing import CellValueError
from reformledger.ledger.documents.work_points.items import (
    _LABEL_ANY,
    _LABELS,
    _SENTENCE_END,
    TITLE_COMMA,
    TITLE_MAX,
    Deadline,
    Item,
    Span,
    Units,
    _fold_in_place,
    _marker,
)
from reformledger.orgs.matching import COLLECTIVES, fold

_ROLE = re.compile(
    r"^(?P<names>.+?)\s*(?P<role>牵头负责|牵头|(?:按职责分工|按照职责分工|按职责|分别|具体|共同|负责)?"
    r"(?:负责落实|负责|落实|配合|参与|协助|协同|协办|实施))\s*(?:等)?\s*$"
)
_LEAD_IN = re.compile(r"^(?:由|请|各由)\s*")
_NAME_TAIL = re.compile(r"(?:等(?:单位|部门)?|等有关单位)$")
_COLLECTIVE_KEYS = {fold(text) for c in COLLECTIVES for text in c.texts}

# --- deadlines and targets ------------------------------------------------------------

_BARE_YEAR = re.compile(r"^\s*(?:[0-9]{4}|[〇零一二三四五六七八九]{4})\s*年?\s*$")
_DUE_WORDS = ("前", "底", "末", "内", "月", "季", "半年", "日")
_ONGOING = ("持续", "长期", "长效", "常态", "按计划", "逐年")
_TARGET = re.compile(
    r"(?:增长|提高|提升|达到|达|超过|不低于|不少于|不超过|不高于|控制在|降低|下降|减少|压减|"
    r"新增|突破|保持在|保持|完成|实现|建成|培育|新建|累计|占比|比重|覆盖率|率)"
    r"[^，,；;。]{0,24}?(?<![0-9.])[0-9]+(?:\.[0-9]+)?\s*"
    r"(?:%|％|‰|个百分点|倍|[万亿千百]?(?:元|美元|人次|人|户|个|家|项|所|件|辆|套|座|条|次|吨|亩|"
    r"公里|千米|平方米|平方公里|千瓦|标准箱|张|名|栋|床|万|亿))"
    r"(?:左右|以上|以内|以下|及以上)?"
)
_CLAUSE_SPLIT = re.compile(r"[，,；;。！？!?\n()（）]")


def read_item(item: Item, *, year: int, bold: str = "", number_end: int = 0) -> None:
    """Split an item's lines into title, description, units, deadlines and targets,
    keeping where each part stood (`item.spans`)."""
    item.spans = []
    item.traditional = any(has_traditional(line.text) for line in item.lines)
    units = Units()
    body: list[tuple[int, str]] = []  # (line index, text) of the lines that are not labels
    removed: dict[int, list[tuple[int, int]]] = {}
    for index, line in enumerate(item.lines):
        if line.label:
            units.extend(_label_line(item, index, line.simple))
            continue
        start = number_end if index == 0 else 0
        if start:
            item.spans.append(Span(index, 0, start, "number"))
        found, where = _units_in(line.simple)
        units.extend(found)
        for clause_start, clause_end, roles in where:
            removed.setdefault(index, []).append((clause_start, clause_end))
            _mark_clause(item, index, line.simple, clause_start, clause_end, roles)
        body.append((index, line.simple[start:], line.plain[start:]))
    item.lead, item.helping = units.settled()
    item.leader = units.leader
    _title_and_description(item, body, removed, bold, number_end)
    _deadlines(item, year)
    _targets(item)


def _label_line(item: Item, index: int, text: str) -> Units:
    """牵头单位：A  配合单位：B, C — one or several labels on a line."""
    units = Units()
    labels = list(_LABEL_ANY.finditer(text))
    for i, label in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        value = text[label.end() : end]
        role = _LABELS[label["label"]]
        item.spans.append(Span(index, label.start(), label.end(), "label"))
        if role == "deadline":
            continue
        names = _names(value)
        if role == "leader":
            units.leader = value.strip(" ;；。")
            item.spans.append(Span(index, label.end(), end, "leader"))
            continue
        getattr(units, role).extend(names)
        kind = "helping" if role == "helping" else "lead"
        item.spans.append(Span(index, label.end(), end, kind))
    return units


def _bracket_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost bracketed group, brackets included."""
    groups = []
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char in "(（":
            if depth == 0:
                start = i
            depth += 1
        elif char in ")）" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


def _split_outside_brackets(text: str, separators: str) -> list[tuple[int, str]]:
    """Parts of `text` between separators that stand outside brackets: (offset, part)."""
    parts = []
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char in "(（":
            depth += 1
        elif char in ")）" and depth:
            depth -= 1
        elif char in separators and depth == 0:
            parts.append((start, text[start:i]))
            start = i + 1
    parts.append((start, text[start:]))
    return parts


def _units_in(text: str) -> tuple[Units, list[tuple[int, int, list]]]:
    """The unit clauses in brackets of a line: what they name, and where each stands."""
    units = Units()
    where = []
    for start, end in _bracket_groups(text):
        found = _clause(text[start + 1 : end - 1])
        if found:
            clause, roles = found
            units.extend(clause)
            where.append((start, end, roles))
    return units, where


def _clause(inner: str):
    """(Units, [(offset, end, kind)…]) when the text inside brackets names units with
    their roles, else None. Offsets are within `inner`."""
    inner_stripped = inner.strip()
    if not inner_stripped or len(inner_stripped) > 200 or "。" in inner_stripped:
        return None
    units = Units()
    roles: list[tuple[int, int, str]] = []
    if _LABEL_ANY.search(inner):
        for offset, part in _split_outside_brackets(inner, ";；"):
            for label in _LABEL_ANY.finditer(part):
                role = _LABELS[label["label"]]
                rest = part[label.end() :]
                nxt = _LABEL_ANY.search(rest)
                value = rest[: nxt.start()] if nxt else rest
                begin = offset + label.end()
                if role == "leader":
                    units.leader = value.strip(" ,，;；")
                    roles.append((begin, begin + len(value), "leader"))
                elif role in ("lead", "responsible", "helping"):
                    names = _names(value)
                    if any(len(n) > 30 for n in names):
                        return None
                    getattr(units, role).extend(names)
                    kind = "helping" if role == "helping" else "lead"
                    roles.append((begin, begin + len(value), kind))
        return (units, roles) if units or units.leader else None
    pending: list[tuple[int, str]] = []
    for offset, part in _split_outside_brackets(inner, ",，;；"):
        if not part.strip():
            continue
        role = _ROLE.match(part.strip())
        if role is None:
            pending.append((offset, part))
            continue
        names_text = _LEAD_IN.sub("", role["names"])
        if "会同" in names_text:
            first, _sep, second = names_text.partition("会同")
            lead_names, help_names = _names(first), _names(second)
            if not lead_names or not help_names:
                return None
            units.lead += lead_names
            units.helping += help_names
            roles.append((offset, offset + len(part), "lead"))
            continue
        names = [n for o, p in pending for n in _names(p)] + _names(names_text)
        if not names or any(len(n) > 30 or _looks_like_text(n) for n in names):
            return None
        word = role["role"]
        if "牵头" in word:
            kind = "lead"
        elif any(w in word for w in ("配合", "参与", "协助", "协同", "协办")):
            kind = "helping"
        else:
            kind = "responsible"
        getattr(units, kind).extend(names)
        for o, p in pending:
            roles.append((o, o + len(p), kind))
        roles.append((offset, offset + len(part), kind))
        pending = []
    if pending or not units:
        return None
    if units.lead:  # 负责 beside 牵头 is the others' share of the work
        units.helping = [*units.responsible, *units.helping]
        units.responsible = []
    responsible = "helping" if units.lead else "lead"
    return units, [(s, e, responsible if k == "responsible" else k) for s, e, k in roles]


def _looks_like_text(name: str) -> bool:
    """A 'name' that is a phrase of the text, not a unit (a deadline, a number)."""
    return bool(re.search(r"[0-9]{4}|月底|年底|之前|完成|推进|工作", name))


def _names(text: str) -> list[str]:
    """Unit names in a list: 、 ， 及 separate them, except inside brackets and inside a
    collective name (各县（区）、功能区)."""
    pieces: list[str] = []
    for _offset, part in _split_outside_brackets(text.strip(" ;；。,，"), "、,，/"):
        for piece in re.split(r"以及|及(?!时)", part):
            piece = _NAME_TAIL.sub("", piece.strip(" \u3000"))
            # Brackets as offices write them in names: 各县（区）政府.
            piece = piece.replace("(", "（").replace(")", "）")
            if piece:
                pieces.append(piece)
    merged: list[str] = []
    for piece in pieces:
        if merged and fold(f"{merged[-1]}、{piece}") in _COLLECTIVE_KEYS:
            merged[-1] = f"{merged[-1]}、{piece}"
        elif merged and fold(f"{merged[-1]}和{piece}") in _COLLECTIVE_KEYS:
            merged[-1] = f"{merged[-1]}和{piece}"
        else:
            merged.append(piece)
    return merged


def _mark_clause(item: Item, index: int, text: str, start: int, end: int, roles) -> None:
    item.spans.append(Span(index, start, start + 1, "label"))
    item.spans.append(Span(index, end - 1, end, "label"))
    for s, e, kind in roles:
        item.spans.append(Span(index, start + 1 + s, start + 1 + e, kind))


def _first_sentence_end(text: str) -> int:
    depth = 0
    for i, char in enumerate(text):
        if char in "(（":
            depth += 1
        elif char in ")）" and depth:
            depth -= 1
        elif depth == 0 and (
            char in _SENTENCE_END or char == "\n" or (char in ":：" and i <= TITLE_COMMA)
        ):
            return i + 1
    return len(text)


def _without(text: str, cuts: list[tuple[int, int]]) -> str:
    for start, end in sorted(cuts, reverse=True):
        text = text[:start] + text[end:]
    return text


def _title_and_description(item: Item, body, removed, bold: str, number_end: int) -> None:
    if not body:
        item.title = ""
        return
    first_index, first_text, first_plain = body[0]
    first_cuts = [
        (s - (number_end if first_index == 0 else 0), e - (number_end if first_index == 0 else 0))
        for s, e in removed.get(first_index, [])
    ]
    bold_simple = _fold_in_place(to_simplified(bold)) if bold else ""
    marker = _marker(bold_simple)
    if marker is not None:
        bold_simple = bold_simple[marker[2] :]
    bold_simple = bold_simple.strip()
    if len(bold_simple) >= 4 and first_text.startswith(bold_simple):
        end = len(bold_simple)
    else:
        end = _first_sentence_end(first_text)
    title_part = first_plain[:end]
    cuts_in_title = [(s, min(e, end)) for s, e in first_cuts if s < end]
    title = _without(title_part, cuts_in_title).strip()
    rest = first_plain[end:]
    # A long first sentence: its first clause is the task, the rest says how.
    if len(title) > TITLE_COMMA and not bold_simple:
        comma = _first_comma(title)
        if comma:
            title_cut = title[:comma]
            rest = title[comma + 1 :] + rest
            title = title_cut
            end = title_part.find(title_cut) + len(title_cut) if title_cut in title_part else end
    title = _strip_leading_deadline(title).strip(" :：;；。,，")
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    item.title = title
    offset = number_end if first_index == 0 else 0
    item.spans.append(Span(first_index, offset, offset + min(end, len(title_part)), "title"))
    rest_cuts = [(max(s - end, 0), e - end) for s, e in first_cuts if e > end]
    parts = [_without(rest, rest_cuts)]
    for index, _simple, plain in body[1:]:
        parts.append(_without(plain, removed.get(index, [])))
    description = "\n".join(p.strip() for p in parts if p.strip(" 。;；,，"))
    item.description = re.sub(r"[ \t]+", " ", description).strip()


def _first_comma(title: str) -> int:
    """Where the first comma outside brackets stands, if a title of 4 or more
    characters comes before it; else 0."""
    parts = _split_outside_brackets(title, ",，")
    if len(parts) > 1 and parts[1][0] - 1 >= 4:
        return parts[1][0] - 1
    return 0


def _strip_leading_deadline(title: str) -> str:
    try:
        found = find_deadlines(title, year=2000)
    except CellValueError:
        return title
    if found and found[0][0] == 0 and len(title) - found[0][1] >= 4:
        return title[found[0][1] :].lstrip(" ,，:：")
    return title


def _deadlines(item: Item, year: int) -> None:
    """Every deadline phrase of the item (not a bare year, nor a year before the
    ledger's), read with `year`; a phrase the reader cannot read is kept as unread."""
    item.deadlines, item.unread = [], []
    for index, line in enumerate(item.lines):
        for start, end, reading, problem in _phrases(line.simple, year):
            if problem:
                item.unread.append((line.simple[start:end], problem))
                item.spans.append(Span(index, start, end, "unread"))
                continue
            if _BARE_YEAR.match(reading.text) or reading.date < dt.date(year, 1, 1):
                continue
            item.deadlines.append(Deadline(reading.text, reading.date, reading.how))
            item.spans.append(Span(index, start, end, "deadline"))
    item.deadline = choose_deadline(item, year)


def _phrases(text: str, year: int):
    """(start, end, reading, "") of each phrase, or (start, end, None, why) for a
    clause whose phrase cannot be read; a bad phrase spoils only its own clause."""
    try:
        return [(s, e, r, "") for s, e, r in find_deadlines(text, year=year)]
    except CellValueError:
        pass
    out = []
    start = 0
    for piece in _CLAUSE_SPLIT.split(text):
        try:
            out += [(start + s, start + e, r, "") for s, e, r in find_deadlines(piece, year=year)]
        except CellValueError as exc:
            out.append((start, start + len(piece), None, str(exc)))
        start += len(piece) + 1
    return out


def choose_deadline(item: Item, year: int, picked: str = "") -> DateReading:
    """The latest deadline of the item, or the day the clerk picked; with none, the
    year's end, marked assumed (持续推进 says why)."""
    if picked:
        day = dt.date.fromisoformat(picked)
        return DateReading(day, _("chosen in the preview"), False, picked)
    if item.deadlines:
        latest = max(item.deadlines, key=lambda d: d.date)
        how = latest.how
        if len({d.date for d in item.deadlines}) > 1:
            how = _("latest of %(count)d dates: %(how)s") % {
                "count": len(item.deadlines),
                "how": latest.how,
            }
        return DateReading(latest.date, how, False, latest.text)
    words = next((w for w in _ONGOING if any(w in line.simple for line in item.lines)), "")
    if words:
        return read_deadline(words, year=year)
    return DateReading(
        dt.date(year, 12, 31),
        _("no deadline written; end of year %(year)d assumed") % {"year": year},
        True,
        "",
    )


def _targets(item: Item) -> None:
    item.targets = []
    skip = {s.line: s.end for s in item.spans if s.kind == "number"}
    for index, line in enumerate(item.lines):
        if line.label:
            continue
        offset = skip.get(index, 0)
        for piece in _CLAUSE_SPLIT.split(line.simple[offset:]):
            found = _TARGET.search(piece)
            if found:
                text = piece.strip(" (（)）")
                cut = _bracket_groups(text)
                for start, end in reversed(cut):
                    if _clause(text[start + 1 : end - 1]):
                        text = text[:start] + text[end:]
                text = text.strip()
                if text and text not in item.targets:
                    item.targets.append(text)
                    at = offset + piece.find(text)
                    item.spans.append(Span(index, at, at + len(text), "target"))
                    plain = line.plain[at : at + len(text)]
                    if plain != text and len(plain) == len(text):
                        item.targets[-1] = plain
            offset += len(piece) + 1
