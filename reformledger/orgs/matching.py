"""Finding units and people by the names clerks type (名称匹配).

An office that imports its existing ledger from Excel, or a work-points document
(工作要点), meets units and responsible leaders written as people type them:
"市发改局", "惠州市发展和改革局", "财政局（HZ-CZJ）", "各县（区）", "张副市长".
`UnitMatcher` and `PersonMatcher` are loaded once, in a fixed number of queries,
and then match any number of texts in memory. They never guess: a name they cannot
place comes back with the closest candidates, a clerk picks one, and the importer
remembers the answer with `services.unit_alias_add`, so the next import finds it.

Normalisation (`fold`, `NameKeys.key`) makes spellings that differ only in width,
spaces, brackets, list commas, "中共" or the city's name ("惠州市X" = "市X") one key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reformledger.orgs.choices import MatchHow, UnitKind
from reformledger.orgs.models import Person, Unit, UnitAlias, UnitName

#: How many candidates a name that was not found comes back with.
MAX_CANDIDATES = 5
#: Below this similarity a unit or person is not worth showing to the clerk.
MIN_SCORE = 0.5

# Characters NFKC leaves alone that offices still use interchangeably.
_FOLD_TABLE = str.maketrans(
    {
        "、": ",",
        "﹑": ",",
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "[": "(",
        "]": ")",
        "“": None,
        "”": None,
        '"': None,
        "《": None,
        "》": None,
        "\u200b": None,
        "\ufeff": None,
    }
)
_SPACE = re.compile(r"\s+")
_NAME_WITH_CODE = re.compile(r"^(?P<name>.+)\((?P<code>[^()]+)\)$")


def fold(text: str | None) -> str:
    """`text` with the differences that never matter removed: full-width letters,
    digits and brackets (NFKC), every space, （）/【】/[] as (), 、 and ，as a comma,
    quotation marks, and letter case (codes are written either way)."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return _SPACE.sub("", text).translate(_FOLD_TABLE).upper()


class NameKeys:
    """The key two spellings of one unit name share (名称规范化).

    Besides `fold`, a leading "中共" is dropped ("中共惠州市委办公室" = "市委办公室") and a
    leading city name becomes "市" ("惠州市发展和改革局" = "市发展和改革局"), except
    before a county or zone, where it goes altogether ("惠州市惠阳区" = "惠阳区"). The
    city and locality names come from the unit tree, not from code.
    """

    def __init__(self, cities: Iterable[str] = (), localities: Iterable[str] = ()):
        self.cities = sorted({fold(c) for c in cities if fold(c)}, key=len, reverse=True)
        self.localities = tuple(sorted({fold(c) for c in localities if fold(c)}, key=len))

    def key(self, text: str | None) -> str:
        """The normalised form of a unit name (what aliases are unique on)."""
        text = fold(text)
        if text.startswith("中共") and len(text) > 2:
            text = text[2:]
        for city in self.cities:
            if text.startswith(city) and len(text) > len(city):
                rest = text[len(city) :]
                if rest.startswith(self.localities):
                    return rest
                return "市" + rest
        return text


# --- units -------------------------------------------------------------------


@dataclass(frozen=True)
class Collective:
    """A collective name (集合称谓) a document uses for a group of units."""

    texts: tuple[str, ...]
    kinds: tuple[str, ...]
    label: Promise
    #: Only units not inside a county or zone below the host ("市直": the city's own).
    direct: bool = False


#: The collective names offices write, and the units each stands for (under the
#: office's host unit, `UnitMatcher.load(within=...)`). Texts are compared folded, so
#: （）/() and 、/, need not be written twice.
COLLECTIVES: tuple[Collective, ...] = (
    # A task "各县（区）" lead goes to every county and district; documents addressed to
    # governments say the same with 政府 / 人民政府.
    Collective(
        (
            "各县(区)",
            "各县区",
            "各县(区)政府",
            "各县(区)人民政府",
            "各县区政府",
            "各县区人民政府",
            # Provinces with county-level cities write 县（市、区） or 县市区.
            "各县(市、区)",
            "各县(市、区)政府",
            "各县(市、区)人民政府",
            "各县市区",
            "各县市区政府",
            "各县市区人民政府",
        ),
        (UnitKind.COUNTY,),
        _("all counties and districts (%(count)d)"),
    ),
    # Functional zones are county-level but not counties, so documents name them apart.
    Collective(
        ("各功能区", "各功能区管委会"),
        (UnitKind.ZONE,),
        _("all functional zones (%(count)d)"),
    ),
    # The usual addressee of a city-wide task: both kinds of county-level unit.
    Collective(
        (
            "各县(区)、功能区",
            "各县(区)和功能区",
            "各县(区)、各功能区",
            "各县区、功能区",
            "各县区和功能区",
        ),
        (UnitKind.COUNTY, UnitKind.ZONE),
        _("all counties, districts and functional zones (%(count)d)"),
    ),
    # "市直" means the host's own departments, not the bureaux of a county below it.
    Collective(
        (
            "市直各单位",
            "市直各部门",
            "市级各有关部门",
            "市直有关单位",
            "各有关部门",
            # A county's or district's own departments (区直, 县直), in its documents.
            "区直各部门",
            "区直各单位",
            "区直有关单位",
            "县直各部门",
            "县直各单位",
            "县直有关单位",
        ),
        (UnitKind.DEPARTMENT,),
        _("all departments (%(count)d)"),
        direct=True,
    ),
    # A county's documents speak to its towns and subdistricts together.
    Collective(
        ("各镇(街道)", "各街道", "各镇街", "各镇(街)"),
        (UnitKind.TOWN,),
        _("all towns and subdistricts (%(count)d)"),
    ),
)


@dataclass(frozen=True)
class UnitMatch:
    """What a typed unit name names.

    - found: `units` holds the unit (several for a collective name) and `how` says
      by what; `unit` is the one unit of a plain match.
    - ambiguous: the name is shared and `within` did not settle it; `units` is empty
      and `candidates` holds every unit sharing it (score 1.0) for the clerk to pick.
    - not found: `how` is "" and `candidates` holds up to five closest units.
    A merged unit, by whatever name or code, gives its successor in `units` (the end
    of the chain when merges followed each other), the merged unit in `merged_from`
    and the day it closed in `merged_on`, so an importer can say "X was merged into
    Y on date". A former name gives `how` "former_name" and the day the name ended
    in `name_until`.
    """

    text: str
    units: tuple[Unit, ...] = ()
    how: str = MatchHow.NONE
    ambiguous: bool = False
    candidates: tuple[tuple[Unit, float], ...] = ()
    expands_to_label: str = ""
    merged_from: Unit | None = None
    merged_on: dt.date | None = None
    name_until: dt.date | None = None

    @property
    def found(self) -> bool:
        return bool(self.how) and not self.ambiguous

    @property
    def unit(self) -> Unit | None:
        """The one unit of a plain match; None when not found, ambiguous or collective."""
        if self.how == MatchHow.COLLECTIVE or len(self.units) != 1:
            return None
        return self.units[0]


class UnitMatcher:
    """Matches typed unit names against the unit tree, its former names and aliases.

    Load it once per import (`UnitMatcher.load(within=office_host)`: three queries,
    whatever the number of units) and call `match` for every cell. Ties between
    units sharing a name go to the units under `within`, and among those to the ones
    nearest it (the city's 财政局 before a county's); otherwise the match is ambiguous.
    """

    def __init__(
        self,
        units: Sequence[Unit],
        former_names: Iterable[tuple[int, str, dt.date | None]] = (),
        aliases: Iterable[tuple[int, str]] = (),
        within: Unit | None = None,
    ):
        self._by_id = {u.pk: u for u in units}
        self._by_path = {u.path: u for u in units}
        self.within = self._by_id.get(within.pk, within) if within is not None else None
        self.keys = NameKeys(
            cities=(n for u in units if u.kind == UnitKind.CITY for n in (u.name, u.short_name)),
            localities=(
                n
                for u in units
                if u.kind in (UnitKind.COUNTY, UnitKind.ZONE)
                for n in (u.name, u.short_name)
            ),
        )
        key = self.keys.key
        self._code: dict[str, Unit] = {fold(u.code): u for u in units}
        self._name: dict[str, list[Unit]] = defaultdict(list)
        self._short: dict[str, list[Unit]] = defaultdict(list)
        # key -> {id of the unit that bore the name: the day the name ended}
        self._former: dict[str, dict[int, dt.date | None]] = defaultdict(dict)
        self._alias: dict[str, Unit] = {}
        # id of a closed unit -> the day its last name ended (the day it was merged)
        self._closed_on: dict[int, dt.date] = {}
        for u in units:
            if u.is_active:
                self._name[key(u.name)].append(u)
                if u.short_name:
                    self._short[key(u.short_name)].append(u)
            else:
                # A unit closed without a dated name still answers to its last name.
                for text in (u.name, u.short_name):
                    if text:
                        self._former[key(text)].setdefault(u.pk, None)
        for unit_id, text, until in former_names:
            unit = self._by_id.get(unit_id)
            if unit is None or (unit.is_active and key(text) == key(unit.name)):
                continue
            if not unit.is_active and until is not None:
                self._closed_on[unit_id] = max(until, self._closed_on.get(unit_id, until))
            was = self._former[key(text)].get(unit_id)
            if was is None or (until is not None and until > was):
                self._former[key(text)][unit_id] = until
        for unit_id, text in aliases:
            if unit_id in self._by_id:
                self._alias[key(text)] = self._by_id[unit_id]
        self._collective = {key(t): c for c in COLLECTIVES for t in c.texts}
        self._cache: dict[str, UnitMatch] = {}
        self._candidate_keys = self._keys_for_candidates()

    @classmethod
    def load(cls, within: Unit | None = None) -> UnitMatcher:
        """A matcher over every unit, former name and alias (three queries).

        `within` is the host unit of the ledger's office (the city for the city
        office, a county for a county office).
        """
        units = list(Unit.objects.order_by("path"))
        former = UnitName.objects.filter(valid_until__isnull=False).values_list(
            "unit_id", "name", "valid_until"
        )
        aliases = UnitAlias.objects.values_list("unit_id", "alias")
        return cls(units, list(former), list(aliases), within=within)

    def key(self, text: str | None) -> str:
        """The normalised form of `text` this matcher compares (see `NameKeys`)."""
        return self.keys.key(text)

    def match(self, text: str | None) -> UnitMatch:
        """What `text` names: a unit, several (a collective name), or candidates."""
        text = "" if text is None else str(text)
        if text not in self._cache:
            self._cache[text] = self._match(text)
        return self._cache[text]

    # The order is the order of trust: a code is exact, a current name is what the
    # unit is called now, a clerk's alias beats history, and a former name comes last
    # because another unit may have taken it since.
    def _match(self, text: str) -> UnitMatch:
        folded = fold(text)
        if not folded:
            return UnitMatch(text=text)
        if folded in self._code:
            return self._found(text, self._code[folded], MatchHow.CODE)
        with_code = _NAME_WITH_CODE.match(folded)
        if with_code and with_code["code"] in self._code:
            return self._found(text, self._code[with_code["code"]], MatchHow.NAME_WITH_CODE)
        key = self.key(text)
        for index, how in ((self._name, MatchHow.NAME), (self._short, MatchHow.SHORT_NAME)):
            if key in index:
                return self._one_of(text, index[key], how)
        if key in self._collective:
            return self._expand(text, self._collective[key])
        if key in self._alias:
            return self._found(text, self._alias[key], MatchHow.ALIAS)
        if key in self._former:
            return self._former_name(text, self._former[key])
        return UnitMatch(text=text, candidates=self._candidates(key))

    def _successor(self, unit: Unit) -> Unit:
        """The unit that carries on `unit`'s work now: itself, or the end of its merges."""
        seen = {unit.pk}
        while not unit.is_active and unit.merged_into_id in self._by_id:
            unit = self._by_id[unit.merged_into_id]
            if unit.pk in seen:
                break
            seen.add(unit.pk)
        return unit

    def _found(self, text: str, unit: Unit, how: str, until: dt.date | None = None) -> UnitMatch:
        successor = self._successor(unit)
        merged = unit if successor.pk != unit.pk else None
        return UnitMatch(
            text=text,
            units=(successor,),
            how=how,
            merged_from=merged,
            merged_on=self._closed_on.get(unit.pk) if merged else None,
            name_until=until,
        )

    def _prefer(self, units: Iterable[Unit]) -> list[Unit]:
        """Of units sharing a name, those under `within` nearest to it (else all)."""
        units = list({u.pk: u for u in units}.values())
        if len(units) <= 1 or self.within is None:
            return units
        inside = [u for u in units if u.path.startswith(self.within.path)]
        if not inside:
            return units
        nearest = min(u.depth for u in inside)
        return [u for u in inside if u.depth == nearest]

    def _one_of(self, text: str, units: list[Unit], how: str) -> UnitMatch:
        chosen = self._prefer(units)
        if len(chosen) == 1:
            return self._found(text, chosen[0], how)
        return UnitMatch(
            text=text, how=how, ambiguous=True, candidates=tuple((u, 1.0) for u in chosen)
        )

    def _former_name(self, text: str, bearers: dict[int, dt.date | None]) -> UnitMatch:
        # Several units may have borne the name; what counts is who carries it on now.
        by_successor: dict[int, tuple[Unit, dt.date | None]] = {}
        for unit_id, until in bearers.items():
            bearer = self._by_id[unit_id]
            successor = self._successor(bearer)
            kept = by_successor.get(successor.pk)
            if kept is None or (until and (kept[1] is None or until > kept[1])):
                by_successor[successor.pk] = (bearer, until)
        chosen = self._prefer(self._successor(b) for b, _until in by_successor.values())
        if len(chosen) > 1:
            return UnitMatch(
                text=text,
                how=MatchHow.FORMER_NAME,
                ambiguous=True,
                candidates=tuple((u, 1.0) for u in chosen),
            )
        bearer, until = by_successor[chosen[0].pk]
        return self._found(text, bearer, MatchHow.FORMER_NAME, until)

    def _expand(self, text: str, collective: Collective) -> UnitMatch:
        host = self.within
        below = host.path if host is not None else ""
        units = tuple(
            u
            for u in self._by_path.values()
            if u.is_active
            and u.kind in collective.kinds
            and u.path.startswith(below)
            and (host is None or u.pk != host.pk)
            and not (collective.direct and self._inside_locality(u, host))
        )
        units = tuple(sorted(units, key=lambda u: u.path))
        return UnitMatch(
            text=text,
            units=units,
            how=MatchHow.COLLECTIVE,
            expands_to_label=str(collective.label) % {"count": len(units)},
        )

    def _inside_locality(self, unit: Unit, host: Unit | None) -> bool:
        """True when a county or zone stands between `host` and `unit`."""
        step = Unit.steplen
        start = host.depth + 1 if host is not None else 1
        for depth in range(start, unit.depth):
            above = self._by_path.get(unit.path[: depth * step])
            if above is not None and above.kind in (UnitKind.COUNTY, UnitKind.ZONE):
                return True
        return False

    def _keys_for_candidates(self) -> list[tuple[str, Unit]]:
        """Every key a unit answers to, pointing at the active unit it leads to."""
        keys: list[tuple[str, Unit]] = []
        for index in (self._name, self._short):
            keys.extend((k, u) for k, units in index.items() for u in units)
        keys.extend((k, self._successor(u)) for k, u in self._alias.items())
        for k, bearers in self._former.items():
            keys.extend((k, self._successor(self._by_id[i])) for i in bearers)
        return [(k, u) for k, u in keys if u.is_active]

    def _candidates(self, key: str) -> tuple[tuple[Unit, float], ...]:
        best: dict[int, tuple[Unit, float]] = {}
        letters = set(key)
        for candidate_key, unit in self._candidate_keys:
            if letters.isdisjoint(candidate_key):
                continue
            score = similarity(key, candidate_key)
            if score >= MIN_SCORE and score > best.get(unit.pk, (unit, 0.0))[1]:
                best[unit.pk] = (unit, score)
        within = self.within.path if self.within is not None else ""
        ranked = sorted(
            best.values(),
            key=lambda us: (-us[1], not us[0].path.startswith(within), us[0].depth, us[0].path),
        )
        return tuple(ranked[:MAX_CANDIDATES])


def _common_subsequence(a: str, b: str) -> int:
    """Length of the longest common subsequence of `a` and `b`."""
    row = [0] * (len(b) + 1)
    for ch in a:
        previous_diagonal = 0
        for j, other in enumerate(b, start=1):
            kept = row[j]
            row[j] = previous_diagonal + 1 if ch == other else max(row[j], row[j - 1])
            previous_diagonal = kept
    return row[-1]


def similarity(query: str, key: str) -> float:
    """How likely `query` is an abbreviation or a misspelling of `key`, from 0 to 1.

    Chinese abbreviations keep characters of the full name in order (市发改局 from
    市发展和改革局, 市金融局 from 市金融工作局), so the main part is how much of the
    query appears in order in the name; difflib's ratio adds how close the lengths
    are, and a shared last character (局, 委, 办, 区…) says the same kind of body.
    A shared leading 市/区/县 says nothing about which unit is meant and is skipped.
    """
    if not query or not key:
        return 0.0
    if query == key:
        return 1.0
    if query[0] == key[0] and query[0] in "市区县":
        query, key = query[1:], key[1:]
        if not query or not key:
            return 0.0
    coverage = _common_subsequence(query, key) / len(query)
    ratio = difflib.SequenceMatcher(None, query, key, autojunk=False).ratio()
    same_end = 1.0 if query[-1] == key[-1] else 0.0
    return round(min(0.99, 0.6 * coverage + 0.3 * ratio + 0.1 * same_end), 3)


# --- people ------------------------------------------------------------------

# fmt: off
#: Two-character surnames (复姓): "欧阳副市长" is a 欧阳, not a 欧.
COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
    "司徒", "夏侯", "宇文", "长孙", "端木", "独孤", "南宫", "西门", "万俟", "闻人",
    "轩辕", "澹台", "申屠", "太史", "钟离", "呼延", "百里", "东郭",
))
# fmt: on


def surname_of(name: str) -> str:
    """The surname (姓) of a Chinese name: two characters for a compound surname."""
    name = fold(name)
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def _title_parts(title: str) -> tuple[str, ...]:
    """The posts in a title: "市委常委、常务副市长" holds 市委常委 and 常务副市长."""
    return tuple(p for p in re.split(r"[,;/]", fold(title)) if p)


def holds(parts: Sequence[str], post: str) -> bool:
    """True when one of `parts` is `post`: equal, or ending with it without being its
    deputy (常务副市长 holds 副市长; 副市长 does not hold 市长)."""
    if len(post) < 2:
        return False
    for part in parts:
        if part == post:
            return True
        if part.endswith(post) and not part[: -len(post)].endswith("副"):
            return True
    return False


@dataclass(frozen=True)
class PersonMatch:
    """Which person a typed responsible leader (责任领导) names.

    `how` is "name" (张伟, 张伟（副市长）, 副市长张伟) or "title" (市长, 张副市长), "" when
    not found. An ambiguous match has no `person` and lists every person it fits in
    `candidates` (score 1.0); a name not found lists up to five close ones.
    """

    text: str
    person: Person | None = None
    how: str = MatchHow.NONE
    ambiguous: bool = False
    candidates: tuple[tuple[Person, float], ...] = ()

    @property
    def found(self) -> bool:
        return self.person is not None


@dataclass
class _Known:
    """A person with the folded forms the matcher compares, worked out once."""

    person: Person
    name: str
    surname: str
    parts: tuple[str, ...] = field(default_factory=tuple)
    title: str = ""


class PersonMatcher:
    """Matches typed leaders against the people (`Person`) in one query."""

    def __init__(self, people: Iterable[Person]):
        self._people = [
            _Known(p, fold(p.name), surname_of(p.name), _title_parts(p.title), fold(p.title))
            for p in people
        ]
        self._by_name: dict[str, list[_Known]] = defaultdict(list)
        for known in self._people:
            self._by_name[known.name].append(known)
        self._cache: dict[str, PersonMatch] = {}

    @classmethod
    def load(cls) -> PersonMatcher:
        """A matcher over every person (one query)."""
        return cls(Person.objects.select_related("unit").order_by("name", "pk"))

    def match(self, text: str | None) -> PersonMatch:
        """Which person `text` names, by name, by title, or both."""
        text = "" if text is None else str(text)
        if text not in self._cache:
            self._cache[text] = self._match(text)
        return self._cache[text]

    def _match(self, text: str) -> PersonMatch:
        t = fold(text)
        if not t:
            return PersonMatch(text=text)
        if t in self._by_name:
            return self._one_of(text, self._by_name[t], MatchHow.NAME)
        # A name with its title around it: 张伟（副市长）, 副市长张伟, 张伟副市长.
        named = [k for k in self._people if len(k.name) >= 2 and k.name in t and self._titled(k, t)]
        if named:
            return self._one_of(text, named, MatchHow.NAME)
        # A title alone: 市长.
        titled = [k for k in self._people if holds(k.parts, t)]
        if titled:
            return self._one_of(text, titled, MatchHow.TITLE)
        # A surname and a title: 张副市长, 欧阳副市长.
        addressed = [
            k
            for k in self._people
            if k.surname and t.startswith(k.surname) and holds(k.parts, t[len(k.surname) :])
        ]
        if addressed:
            return self._one_of(text, addressed, MatchHow.TITLE)
        return PersonMatch(text=text, candidates=self._candidates(t))

    @staticmethod
    def _titled(known: _Known, text: str) -> bool:
        rest = text.replace(known.name, "", 1).replace("(", "").replace(")", "")
        if not rest:
            return True
        if rest == known.title.replace("(", "").replace(")", ""):
            return True
        return all(holds(known.parts, post) for post in rest.split(",") if post)

    @staticmethod
    def _one_of(text: str, known: list[_Known], how: str) -> PersonMatch:
        if len(known) == 1:
            return PersonMatch(text=text, person=known[0].person, how=how)
        return PersonMatch(
            text=text, how=how, ambiguous=True, candidates=tuple((k.person, 1.0) for k in known)
        )

    def _candidates(self, t: str) -> tuple[tuple[Person, float], ...]:
        scored = []
        for k in self._people:
            forms = [k.name, *(k.surname + part for part in k.parts)]
            score = max(
                difflib.SequenceMatcher(None, t, form, autojunk=False).ratio() for form in forms
            )
            if score >= MIN_SCORE:
                scored.append((k.person, round(min(score, 0.99), 3)))
        scored.sort(key=lambda ps: -ps[1])
        return tuple(scored[:MAX_CANDIDATES])
