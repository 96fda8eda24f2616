"""Reading deadlines the way offices write them.

A ledger's 完成时限 column is seldom a date. Clerks write the month (2016年10月底前,
2016.12, 十月底前), the part of a month (6月中旬), the year (2016年底前, 年内, 全年),
a half or a quarter (上半年, 三季度末, Q3), a range (2016年3月—6月), several steps in
one cell (6月底前完成方案，10月底前出台) or no date at all (持续推进). A deadline is a
day, so each form is read as the last day it allows, and the reading says how it
got there, so a clerk previewing an import can see that 三季度 became 9月30日 and
object before anything is written.

`find_deadlines` finds every phrase in running text (a sentence of a work-points
document); `read_deadline` reads one cell with it. A phrase without a year takes
the year of the phrase before it in the same text (2022年10月底前…，年底前… is the
end of 2022), else the year the caller gives (the plan's year).
"""

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reformledger.exchange.parsing import CellValueError, clean_text, excel_serial_date


@dataclass(frozen=True)
class DateReading:
    """A deadline as read: the day, how the text was read (in the reader's language),
    whether the day was assumed because the text named none, and the text itself."""

    date: dt.date
    how: str
    assumed: bool
    text: str


# --- the forms ------------------------------------------------------------------
# Patterns run on NFKC-folded text (full-width digits, spaces, brackets, ～ and －
# become ASCII). Where several match at the same place the longest wins, so
# 2016年10月底前 is one month phrase, not the year 2016 followed by a stray 10月.

_YEAR = (
    r"(?P<y>(?<![0-9])(?:19[5-9][0-9]|2[01][0-9]{2})(?![0-9])"
    r"|(?<![〇零一二三四五六七八九十])[一二][〇零一二三四五六七八九]{3}(?=\s*年))"
)
_YEAR0 = r"(?P<y0>(?<![0-9])(?:19[5-9][0-9]|2[01][0-9]{2})(?![0-9]))"
# Chinese numerals stand inside words (统一, 之一, 周一…): a month or quarter in
# Chinese numerals may not follow a character that makes one with it.
_CN_AFTER = r"(?<![统唯之万同单逐专划归合周期初第十百千〇零一二三四五六七八九两0-9])"
_MONTH = r"(?:(?<![0-9])[0-9]{1,2}|" + _CN_AFTER + r"(?:十[一二]?|[一二三四五六七八九]))"
_CONN = r"\s*(?:[-—–―~〜至到]+)\s*"
_BEFORE = r"(?P<b>\s*(?:之前|以前|前|为止|止|以内|内))?"
_TIME = r"(?:\s*T?\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
# 上旬 and 月初 end on the 10th, 中旬 and 月中 on the 20th; 初步 (preliminary) is no date.
_PART = r"(?:\s*(?P<part>上旬|中旬|下旬|月初|月中|月底|月末|初(?![步期始次])|底|末))?"
# 年内, 年底 and 全年 after these are other years (三年内, 明年底, 每年底…).
_YEAR_WORD_AFTER = (
    r"(?<![0-9〇零一二三四五六七八九十几多数半两百千明去前后上下次隔每近往历跨新成少])"
)

_RANGE_BETWEEN = re.compile(r"^\s*[-—–―~〜至到]+\s*$")
_ASSUMED = ("持续", "长期", "长效", "常态", "按计划", "逐年")
_QUARTER_HOW = {
    1: gettext_lazy("end of the first quarter of %(year)d"),
    2: gettext_lazy("end of the second quarter of %(year)d"),
    3: gettext_lazy("end of the third quarter of %(year)d"),
    4: gettext_lazy("end of the fourth quarter of %(year)d"),
}
_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_CN_DIGIT |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(text: str) -> int:
    """1-99 in Arabic or Chinese numerals (十, 十二, 二十); years digit by digit (二〇一六)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    tens, _sep, units = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year_end(year: int) -> tuple[dt.date, str]:
    return dt.date(year, 12, 31), _("end of year %(year)d") % {"year": year}


def _month_of(match: re.Match, key: str, phrase: str) -> int:
    month = _number(match[key])
    if not 1 <= month <= 12:
        raise CellValueError(_("%(value)s is not a date of the calendar.") % {"value": phrase})
    return month


def _resolve_date(match: re.Match, phrase: str) -> Callable[[int], tuple[dt.date, str]]:
    month = _month_of(match, "m", phrase)

    def resolve(year: int) -> tuple[dt.date, str]:
        try:
            return dt.date(year, month, int(match["d"])), _("as written")
        except ValueError:
            raise CellValueError(
                _("%(value)s is not a date of the calendar.") % {"value": phrase}
            ) from None

    return resolve


def _resolve_month(match: re.Match, phrase: str) -> Callable[[int], tuple[dt.date, str]]:
    month = _month_of(match, "m", phrase)
    first = _month_of(match, "m0", phrase) if match.groupdict().get("m0") else None
    part = match["part"] or ""

    def resolve(year: int) -> tuple[dt.date, str]:
        # 2016年11月至2月 ends in the February after.
        if first is not None and month < first:
            year += 1
        name = f"{year}-{month:02d}"
        if part in ("上旬", "月初", "初"):
            day, how = dt.date(year, month, 10), _("early %(month)s: the 10th") % {"month": name}
        elif part in ("中旬", "月中"):
            day, how = dt.date(year, month, 20), _("mid %(month)s: the 20th") % {"month": name}
        else:
            day, how = _last_day(year, month), _("last day of %(month)s") % {"month": name}
        if first is not None:
            how = _("end of the range: %(how)s") % {"how": how}
        return day, how

    return resolve


def _resolve_quarter(match: re.Match, phrase: str) -> Callable[[int], tuple[dt.date, str]]:
    quarter = _number(match["q"])
    ranged = bool(match.groupdict().get("q0"))

    def resolve(year: int) -> tuple[dt.date, str]:
        how = str(_QUARTER_HOW[quarter]) % {"year": year}
        if ranged:
            how = _("end of the range: %(how)s") % {"how": how}
        return _last_day(year, quarter * 3), how

    return resolve


def _resolve_half(match: re.Match, phrase: str) -> Callable[[int], tuple[dt.date, str]]:
    first = match["h"] == "上"

    def resolve(year: int) -> tuple[dt.date, str]:
        if first:
            return dt.date(year, 6, 30), _("end of the first half of %(year)d") % {"year": year}
        return dt.date(year, 12, 31), _("end of the second half of %(year)d") % {"year": year}

    return resolve


def _resolve_year(match: re.Match, phrase: str) -> Callable[[int], tuple[dt.date, str]]:
    ranged = bool(match.groupdict().get("y0"))

    def resolve(year: int) -> tuple[dt.date, str]:
        day, how = _year_end(year)
        if ranged:
            how = _("end of the range: %(how)s") % {"how": how}
        return day, how

    return resolve


def _refuse_occasion(match: re.Match, phrase: str) -> Callable[[int], tuple[dt.date, str]]:
    # 春节 and 清明 move with the lunar calendar, 两会 and 开学 with each year's notice:
    # reading them as the year's end would be a guess that looks like a fact.
    raise CellValueError(
        _("%(value)s names no day of the calendar; write the date, like 2017年1月27日.")
        % {"value": phrase}
    )


_Resolver = Callable[[re.Match, str], Callable[[int], tuple[dt.date, str]]]
# After a year, what makes it the start of a longer phrase (2016年—2017年6月 is a range
# of months, not of years).
_NOT_YEAR_ONLY = (
    r"(?!\s*(?:(?:[0-9]{1,2}|十[一二]?|[一二三四五六七八九])\s*月|第|前?[一二三四1-4]\s*季"
    r"|[上下]半年|[Qq]))"
)
_FORMS: list[tuple[re.Pattern, _Resolver]] = [
    (
        re.compile(
            _YEAR + r"\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})(?![0-9])\s*[日号]?"
            r"(?![0-9])" + _TIME + _BEFORE
        ),
        _resolve_date,
    ),
    (
        re.compile(
            _YEAR + r"\s*(?P<sep>[/.\-])\s*(?P<m>[0-9]{1,2})\s*(?P=sep)\s*(?P<d>[0-9]{1,2})"
            r"(?![0-9])(?:\s*[日号])?" + _TIME + _BEFORE
        ),
        _resolve_date,
    ),
    (
        re.compile(
            r"(?<![0-9])(?P<y>19[5-9][0-9]|2[01][0-9]{2})(?P<m>0[1-9]|1[0-2])"
            r"(?P<d>0[1-9]|[12][0-9]|3[01])(?![0-9])" + _BEFORE
        ),
        _resolve_date,
    ),
    (
        re.compile(
            r"(?<![0-9./\-])(?P<m>"
            + _MONTH
            + r")\s*月\s*(?P<d>[0-9]{1,2})(?![0-9])\s*[日号]"
            + _BEFORE
        ),
        _resolve_date,
    ),
    (
        re.compile(
            _YEAR + r"\s*年\s*(?:(?P<m0>" + _MONTH + r")\s*月?" + _CONN + r")?"
            r"(?P<m>" + _MONTH + r")\s*月(?![度报刊薪])\s*份?" + _PART + _BEFORE
        ),
        _resolve_month,
    ),
    (
        re.compile(
            _YEAR
            + r"\s*(?P<sep>[/.\-])\s*(?P<m>[0-9]{1,2})(?![0-9])(?:\s*月\s*份?)?"
            + _PART
            + _BEFORE
        ),
        _resolve_month,
    ),
    (
        re.compile(
            r"(?<![0-9./\-])(?:(?P<m0>" + _MONTH + r")\s*月?" + _CONN + r")?"
            r"(?P<m>" + _MONTH + r")\s*月(?![度报刊薪])\s*份?" + _PART + _BEFORE
        ),
        _resolve_month,
    ),
    (
        re.compile(
            r"(?:" + _YEAR + r"\s*年?\s*(?:度\s*)?|" + _CN_AFTER + r")(?:第|前)?\s*"
            r"(?:(?P<q0>[一二三四1-4])" + _CONN + r")?(?P<q>[一二三四1-4])\s*"
            r"(?:季度(?:末|底)?|季(?:末|底))" + _BEFORE
        ),
        _resolve_quarter,
    ),
    (
        re.compile(
            r"(?:" + _YEAR + r"\s*(?:年|-)?\s*)?(?<![A-Za-z])[Qq]\s*(?P<q>[1-4])(?![0-9])" + _BEFORE
        ),
        _resolve_quarter,
    ),
    (
        re.compile(
            r"(?:" + _YEAR + r"\s*年\s*(?:度\s*)?|(?<![0-9〇零一二三四五六七八九十几多数两]))"
            r"(?P<h>上|下)半年度?(?:末|底)?" + _BEFORE
        ),
        _resolve_half,
    ),
    (
        re.compile(
            r"(?:" + _YEAR0 + r"\s*年?" + _CONN + r")?" + _YEAR + r"\s*年" + _NOT_YEAR_ONLY + r"\s*"
            r"(?P<s>度内|度|年底|年末|底|末|内|全年)?" + _BEFORE
        ),
        _resolve_year,
    ),
    (
        re.compile(r"(?:今|本|当|同)年度?(?P<s>内|年底|年末|底|末)?" + _BEFORE),
        _resolve_year,
    ),
    (
        re.compile(_YEAR_WORD_AFTER + r"(?:年(?:底|末)|年度内|年内|全年)" + _BEFORE),
        _resolve_year,
    ),
    (
        re.compile(
            r"(?:" + _YEAR + r"\s*年\s*)?(?:春节|元旦|国庆|两会|汛期|汛前|清明|端午|中秋|开学"
            r"|寒假|暑假)节?(?(y)(?:之前|以前|前)?|(?:之前|以前|前))"
        ),
        _refuse_occasion,
    ),
]


@dataclass
class _Phrase:
    start: int  # offsets in the folded text
    end: int
    year: int | None  # as written, None when the phrase names no year
    bare: bool  # a year and nothing else ("2016年"): often only the context of what follows
    resolve: Callable[[int], tuple[dt.date, str]]
    text: str


@dataclass
class _Read:
    start: int
    end: int
    year: int | None
    bare: bool
    date: dt.date
    how: str


def _fold(text: str) -> tuple[str, list[int]]:
    """The text folded with NFKC one character at a time, and for each folded character
    the offset of the character it came from, so offsets can be given in the original."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        part = unicodedata.normalize("NFKC", char)
        folded.append(part)
        origin.extend([index] * len(part))
    return "".join(folded), origin


def _scan(folded: str) -> list[_Phrase]:
    """Every phrase, left to right; where several forms match at one place the longest
    (then the first listed) wins."""
    phrases: list[_Phrase] = []
    upcoming: list[re.Match | None] = [None] * len(_FORMS)
    pos = 0
    while True:
        best: tuple[tuple[int, int, int], re.Match] | None = None
        for index, (pattern, _resolver) in enumerate(_FORMS):
            found = upcoming[index]
            if found is None or found.start() < pos:
                found = upcoming[index] = pattern.search(folded, pos)
            if found is not None:
                key = (found.start(), -found.end(), index)
                if best is None or key < best[0]:
                    best = (key, found)
        if best is None:
            return phrases
        (_start, _end, index), match = best
        groups = match.groupdict()
        year = _number(groups["y"]) if groups.get("y") else None
        resolver = _FORMS[index][1]
        bare = (
            resolver is _resolve_year
            and year is not None
            and not (groups.get("s") or groups.get("b") or groups.get("y0"))
        )
        phrase = match[0].strip()
        phrases.append(
            _Phrase(match.start(), match.end(), year, bare, resolver(match, phrase), phrase)
        )
        pos = match.end()


def _read(phrases: list[_Phrase], folded: str, year: int | None) -> list[_Read]:
    """Each phrase with its day: the year comes from the phrase, else from the phrase
    before it, else from `year`; a range (two phrases joined by —, - or 至) becomes its
    end; a bare year directly followed by a phrase without one is only its context."""
    read: list[_Read] = []
    context = year
    for phrase in phrases:
        if phrase.year is not None:
            context = phrase.year
        if context is None:
            raise CellValueError(_("%(value)s does not say which year.") % {"value": phrase.text})
        day, how = phrase.resolve(context)
        if read and _RANGE_BETWEEN.match(folded[read[-1].end : phrase.start]):
            before = read.pop()
            # 2016年11月至2月 ends in the February after.
            if phrase.year is None and day < before.date:
                day, how = phrase.resolve(context + 1)
            how = _("end of the range: %(how)s") % {"how": how}
            read.append(_Read(before.start, phrase.end, before.year, False, day, how))
            continue
        read.append(_Read(phrase.start, phrase.end, phrase.year, phrase.bare, day, how))
    return [
        entry
        for index, entry in enumerate(read)
        if not (entry.bare and index + 1 < len(read) and read[index + 1].year is None)
    ]


def find_deadlines(text: str, *, year: int | None) -> list[tuple[int, int, DateReading]]:
    """Every deadline phrase in running text, in order, as (start, end, reading) with
    offsets into `text` as given. Phrases that name no date (持续推进) are not
    deadlines here; `read_deadline` assumes the year's end for a cell of them.

    Raises CellValueError for a phrase that names an impossible date (2016年13月) or
    no year when none came before it and `year` is None.
    """
    folded, origin = _fold(text)
    found = []
    for entry in _read(_scan(folded), folded, year):
        start = origin[entry.start]
        end = origin[entry.end - 1] + 1
        # The folded match may end in spaces the phrase does not need.
        while end > start and text[end - 1].isspace():
            end -= 1
        found.append((start, end, DateReading(entry.date, entry.how, False, text[start:end])))
    return found


def read_deadline(value: Any, *, year: int | None) -> DateReading:
    """A deadline cell read as the last day it allows: a date cell, an Excel serial, a
    bare year (2016) or any phrase `find_deadlines` knows; several phrases give the
    latest. A cell that names no date but says the work goes on (持续推进, 长期坚持,
    常态化) gives the end of `year`, marked assumed."""
    text = clean_text(value)
    if isinstance(value, dt.datetime):
        return DateReading(value.date(), _("as written"), False, text)
    if isinstance(value, dt.date):
        return DateReading(value, _("as written"), False, text)
    if isinstance(value, bool):
        raise CellValueError(_("%(value)s is not a deadline.") % {"value": text})
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not folded:
        raise CellValueError(_("No deadline is written."))
    if isinstance(value, int | float) or re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", folded):
        number = float(folded)
        if 1950 <= number < 2200:
            if number.is_integer():
                return DateReading(*_year_end(int(number)), False, text)
            # Excel keeps 2016.10 typed into a number cell as 2016.1: January or October?
            if not isinstance(value, str) and folded.endswith(".1"):
                raise CellValueError(
                    _(
                        "%(value)s was stored as a number, so 2016.10 and 2016.1 look the "
                        "same; write the month in words, like 2016年10月."
                    )
                    % {"value": text}
                )
        elif not (len(folded) == 8 and folded.isdigit()):  # 20160630 is read below
            return DateReading(excel_serial_date(number), _("Excel date serial"), False, text)
    found = find_deadlines(text, year=year)
    if not found:
        if any(word in folded for word in _ASSUMED):
            if year is None:
                raise CellValueError(_("%(value)s does not say which year.") % {"value": text})
            how = _("no date named; end of year %(year)d assumed") % {"year": year}
            return DateReading(dt.date(year, 12, 31), how, True, text)
        raise CellValueError(
            _(
                "%(value)s is not a deadline (write it like 2016年6月30日, 2016年10月底前 "
                "or 年底前)."
            )
            % {"value": text}
        )
    latest = max(found, key=lambda entry: entry[2].date)[2]
    if len({entry[2].date for entry in found}) > 1:
        how = _("latest of %(count)d dates: %(how)s") % {"count": len(found), "how": latest.how}
        return DateReading(latest.date, how, False, text)
    return DateReading(latest.date, latest.how, False, text)
