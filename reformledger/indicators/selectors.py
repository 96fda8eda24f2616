"""Reads of indicators (指标), scoped to the user and in a fixed number of queries.

Each indicator's facts for a year — its latest actual, the year's target and whether
it is on track (see `tracking` for the path and the tolerance) — are computed for a
whole list at once: one query for the values of the indicators and of the parts of
their ratios, one for the targets. A ratio's actual is computed from its parts'
values of the same period and never stored.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.core.clock import business_today
from reformledger.indicators import permissions, tracking
from reformledger.indicators.choices import Track, ValueStatus
from reformledger.indicators.models import (
    Indicator,
    IndicatorFile,
    IndicatorTarget,
    IndicatorValue,
)
from reformledger.indicators.tracking import Actual
from reformledger.ledger.models import Period
from reformledger.orgs.models import Unit

__all__ = [
    "Facts",
    "SeriesPoint",
    "indicator_actuals",
    "indicator_detail",
    "indicator_facts",
    "indicator_history",
    "indicator_list",
    "indicator_series",
    "indicator_tracks",
    "indicator_values",
    "indicators",
    "indicators_off_track",
    "owner_units",
    "value_file",
    "with_facts",
]

#: The values that count as actuals: a returned one is being corrected.
COUNTED = (ValueStatus.REPORTED, ValueStatus.CHECKED)
SORTS = {"code", "name", "owner", "track", "latest"}
_RELATED = ("office", "owner_unit", "numerator", "denominator")


@dataclass
class Facts:
    """An indicator's standing in a year: its latest actual (up to the year's end), the
    year's target, the path's start, and the track of its latest actual of the year."""

    year: int
    latest: Actual | None = None
    target: Decimal | None = None
    start: Decimal | None = None
    track: Track = Track.NO_DATA
    judged: Actual | None = None  # the actual the track is judged on
    path: Decimal | None = None  # the path's value at the end of its period

    @property
    def track_colour(self) -> str:
        return self.track.colour


@dataclass
class SeriesPoint:
    """One period of an indicator's series: the path's value at its end (when the year
    has a target) against the actual (when there is one)."""

    period: Period
    path: Decimal | None = None
    actual: Actual | None = None
    track: Track = Track.NO_DATA
    target: Decimal | None = None  # the year's target, on the year's last period
    notes: list = field(default_factory=list)


def _rows(indicators: Iterable[Indicator]) -> list[Indicator]:
    if isinstance(indicators, QuerySet):
        return list(indicators.select_related(*_RELATED))
    return list(indicators)


def _actuals(
    indicators: list[Indicator],
    *,
    until: dt.date | None,
    checked_only: bool = False,
) -> dict[int, list[Actual]]:
    """Each indicator's actuals, oldest first (one query): its values, or for a ratio
    those computed from its parts' values of the same periods."""
    wanted = {i.pk for i in indicators}
    for i in indicators:
        if i.is_ratio:
            wanted |= {i.numerator_id, i.denominator_id}
    statuses = (ValueStatus.CHECKED,) if checked_only else COUNTED
    values = IndicatorValue.objects.filter(indicator_id__in=wanted, status__in=statuses)
    if until is not None:
        values = values.filter(period__end__lte=until)
    by_indicator: dict[int, dict[int, Actual]] = defaultdict(dict)
    for v in values.select_related("period").order_by("period__end", "period__start", "pk"):
        by_indicator[v.indicator_id][v.period_id] = Actual(v.period, v.value, v.status, v)
    out: dict[int, list[Actual]] = {}
    for i in indicators:
        if i.is_ratio:
            tops, bottoms = (
                by_indicator.get(i.numerator_id, {}),
                by_indicator.get(i.denominator_id, {}),
            )
            found = []
            for period_id, top in tops.items():
                bottom = bottoms.get(period_id)
                value = bottom and tracking.ratio(top.value, bottom.value, i.scale)
                if value is None:
                    continue
                both = top.status == bottom.status == ValueStatus.CHECKED
                status = ValueStatus.CHECKED if both else ValueStatus.REPORTED
                found.append(Actual(top.period, value, status))
            out[i.pk] = sorted(found, key=lambda a: (a.period.end, a.period.start))
        else:
            out[i.pk] = list(by_indicator.get(i.pk, {}).values())
    return out


def _targets(indicators: list[Indicator], years: Iterable[int]) -> dict[tuple[int, int], Decimal]:
    rows = IndicatorTarget.objects.filter(
        indicator_id__in=[i.pk for i in indicators], year__in=list(years)
    )
    return {(t.indicator_id, t.year): t.target for t in rows}


def path_start(indicator: Indicator, year: int, actuals: list[Actual]) -> Decimal | None:
    """The start of `year`'s path: the last actual of the previous year, else the
    baseline (of an earlier year), else None (the path is then flat at the target)."""
    before = [a for a in actuals if a.period.year == year - 1]
    if before:
        return before[-1].value
    if indicator.baseline is not None and (
        indicator.baseline_year is None or indicator.baseline_year < year
    ):
        return indicator.baseline
    return None


def _judge(indicator: Indicator, year: int, start, target, actual: Actual) -> tuple[Track, Decimal]:
    start = target if start is None else start
    path = tracking.path_at(start, target, actual.period.end, year)
    allowed = tracking.tolerance(start, target, indicator.decimals)
    verdict = tracking.judge(
        direction=indicator.direction, actual=actual.value, path=path, allowed=allowed
    )
    return verdict, path


def indicator_facts(
    indicators: Iterable[Indicator],
    *,
    year: int | None = None,
    as_of: dt.date | None = None,
    checked_only: bool = False,
) -> dict[int, Facts]:
    """Each indicator's facts for `year` (this year by default), from the actuals of
    periods ended by `as_of` (the year's end by default): two queries, whatever the
    number of indicators. `checked_only` counts only values the office checked."""
    rows = _rows(indicators)
    year = year or business_today().year
    until = as_of or dt.date(year, 12, 31)
    actuals = _actuals(rows, until=until, checked_only=checked_only)
    targets = _targets(rows, [year])
    out: dict[int, Facts] = {}
    for i in rows:
        mine = actuals.get(i.pk, [])
        facts = Facts(year=year, latest=mine[-1] if mine else None)
        facts.target = targets.get((i.pk, year))
        facts.start = path_start(i, year, mine)
        this_year = [a for a in mine if a.period.year == year]
        if this_year:
            facts.judged = this_year[-1]
            if facts.target is None:
                facts.track = Track.NO_TARGET
            else:
                facts.track, facts.path = _judge(i, year, facts.start, facts.target, facts.judged)
        elif facts.target is None:
            facts.track = Track.NO_TARGET if mine else Track.NO_DATA
        out[i.pk] = facts
    return out


def indicator_actuals(
    indicators: Iterable[Indicator], *, year: int
) -> dict[int, dict[int, Actual]]:
    """Each indicator's actuals of `year` by period id (one query): reported values
    awaiting check or checked, a ratio's computed from its parts."""
    found = _actuals(_rows(indicators), until=dt.date(year, 12, 31))
    return {
        pk: {a.period.pk: a for a in rows if a.period.year == year} for pk, rows in found.items()
    }


def indicator_tracks(indicators: Iterable[Indicator], *, year: int) -> dict[int, Track]:
    """Each indicator's track in `year`: on track, behind its path, no value yet, or no
    target for the year (two queries)."""
    return {pk: f.track for pk, f in indicator_facts(indicators, year=year).items()}


def with_facts(indicators: Iterable[Indicator], *, year: int | None = None) -> list[Indicator]:
    """The indicators, each with its `facts` for `year` (two queries)."""
    rows = _rows(indicators)
    facts = indicator_facts(rows, year=year)
    for i in rows:
        i.facts = facts[i.pk]
    return rows


def _sort_key(name: str):
    never = Decimal("-1e30")
    keys = {
        "code": lambda i: (i.office.path, i.code),
        "name": lambda i: (i.name, i.code),
        "owner": lambda i: (i.owner_unit.path, i.code),
        "track": lambda i: (list(Track).index(i.facts.track), i.code),
        "latest": lambda i: (i.facts.latest.value if i.facts.latest else never, i.code),
    }
    return keys[name]


def indicators(user) -> QuerySet[Indicator]:
    """The indicators `user` may see, joined for a list."""
    return permissions.visible_indicators(user).select_related(*_RELATED)


def indicator_list(
    user,
    *,
    q: str | None = None,
    owner: Unit | int | None = None,
    track: str | None = None,
    office: Unit | int | None = None,
    year: int | None = None,
    ordering: str = "",
) -> list[Indicator]:
    """The indicators `user` may see, each with its `facts` for `year` (this year by
    default): search the code, name or source (`q`), filter by owner unit (and the units
    below it), track and office; sorted by `ordering` (code, name, owner, track, latest;
    "-" reverses). Three queries, whatever the number of indicators."""
    rows = indicators(user)
    if q and q.strip():
        q = q.strip()
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(source__icontains=q))
    if owner:
        unit = owner if isinstance(owner, Unit) else Unit.objects.filter(pk=owner).first()
        rows = rows.filter(owner_unit__path__startswith=unit.path) if unit else rows.none()
    if office:
        rows = rows.filter(office=office)
    found = with_facts(rows.order_by("office__path", "code"), year=year)
    if track:
        found = [i for i in found if i.facts.track == track]
    name = ordering.lstrip("-")
    if name in SORTS and name != "code":
        found.sort(key=_sort_key(name), reverse=ordering.startswith("-"))
    elif ordering == "-code":
        found.reverse()
    return found


def indicator_detail(user, pk: int) -> Indicator:
    """An indicator `user` may see, with its links (Indicator.DoesNotExist otherwise)."""
    return (
        permissions.visible_indicators(user)
        .select_related(*_RELATED, "created_by")
        .prefetch_related("tasks", "pilots")
        .get(pk=pk)
    )


def indicator_values(indicator: Indicator) -> QuerySet[IndicatorValue]:
    """A reported indicator's values, newest period first, with their evidence."""
    return (
        indicator.values.select_related("period", "reported_by", "checked_by")
        .prefetch_related(Prefetch("files", queryset=IndicatorFile.objects.order_by("pk")))
        .order_by("-period__end", "-pk")
    )


def indicator_series(indicator: Indicator) -> list[SeriesPoint]:
    """Per period of every year with a target or an actual (oldest first): the target
    path's value at the period's end against the actual, and its track."""
    actuals = _actuals([indicator], until=None)[indicator.pk]
    targets = {t.year: t.target for t in IndicatorTarget.objects.filter(indicator=indicator)}
    years = sorted({a.period.year for a in actuals} | set(targets))
    if not years:
        return []
    periods = list(
        Period.objects.filter(office_id=indicator.office_id, year__in=years).order_by("start", "pk")
    )
    by_period = {a.period.pk: a for a in actuals}
    known = {p.pk for p in periods}
    periods += [a.period for a in actuals if a.period.pk not in known]
    periods.sort(key=lambda p: (p.end, p.start))
    points = []
    for year in years:
        mine = [p for p in periods if p.year == year]
        target = targets.get(year)
        start = path_start(indicator, year, actuals)
        for n, period in enumerate(mine):
            point = SeriesPoint(period=period, actual=by_period.get(period.pk))
            if target is not None:
                base = target if start is None else start
                point.path = tracking.path_at(base, target, period.end, year)
                if point.actual is not None:
                    point.track, _path = _judge(indicator, year, start, target, point.actual)
            elif point.actual is not None:
                point.track = Track.NO_TARGET
            if n == len(mine) - 1:
                point.target = target
            points.append(point)
    return points


def indicator_history(indicator: Indicator) -> QuerySet[AuditRecord]:
    """The indicator's audit records — its definition, targets, values and their checks —
    newest first, as the history partial shows them."""
    return history_of(indicator).order_by("-id")


def indicators_off_track(user, office: Unit, year: int) -> list[Indicator]:
    """The indicators of `office` that `user` may see and that are behind their path in
    `year`, each with its `facts` (for the dashboard): three queries."""
    found = with_facts(indicators(user).filter(office=office).order_by("code"), year=year)
    return [i for i in found if i.facts.track == Track.BEHIND]


def owner_units(user) -> QuerySet[Unit]:
    """The units that own an indicator the user sees (the list's filter)."""
    owners = permissions.visible_indicators(user).values("owner_unit")
    return Unit.objects.filter(pk__in=owners).order_by("path")


def value_file(user, pk: int) -> IndicatorFile:
    """An evidence file of a value the user may see (IndicatorFile.DoesNotExist else)."""
    return IndicatorFile.objects.select_related("value__indicator").get(
        pk=pk, value__in=permissions.visible_values(user)
    )
