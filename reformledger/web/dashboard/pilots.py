"""The dashboard's pilots section (改革试点 · 基层创新 · 指标): the registry's pilots by
level and state, investment against plan for the pilots with sub-projects, the county
brands (一县区一品牌), grassroots innovations by status and how far the replicable
experiences have spread, and the year's indicators with those behind their path first.

Every figure is summed or counted from rows by the apps' selectors, already scoped to
what the user may see: `pilots.selectors.pilots` (`pilot_totals`, `with_investment`,
`county_brands`), `pilots.selectors.innovations` (`innovations`, `experience_spread`)
and `indicators.selectors` (`with_facts`, the facts `indicators_off_track` filters on).
Each read is a fixed number of queries, so the section costs the same whatever the
number of pilots, sub-projects, reports, innovations or values; each chart has its
table beside it with the same numbers. Shown only to users who work pilots or
indicators (`sees_pilots`, `sees_indicators`).

The lists read one office's registry: the highest office whose pilots, innovations or
indicators the user sees (the city's office for the city's people, the county's for a
county office's staff).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from reformledger.indicators import selectors as indicator_selectors
from reformledger.indicators.choices import Track
from reformledger.indicators.permissions import sees_indicators, visible_indicators
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Unit
from reformledger.pilots import permissions as pilot_permissions
from reformledger.pilots.choices import InnovationStatus, PilotLevel, PilotStatus
from reformledger.pilots.selectors.innovations import experience_spread, innovations
from reformledger.pilots.selectors.pilots import (
    BrandRow,
    county_brands,
    pilot_totals,
    with_investment,
)
from reformledger.web.dashboard.data import UNIT_LIMIT, Breakdown, Series

#: At most this many pilots are drawn in "investment against plan" (the most planned first).
INVESTMENT_LIMIT = UNIT_LIMIT
#: At most this many replicable experiences are listed (the most adopted first).
SPREAD_LIMIT = 20
#: At most this many indicators are listed (behind their path first).
INDICATOR_LIMIT = 40

PLANNED_COLOUR, COMPLETED_COLOUR = "#adb5bd", "#198754"


@dataclass(frozen=True)
class InvestmentRow:
    """A pilot with sub-projects: planned and completed investment (10,000 yuan)."""

    pk: int
    code: str
    name: str
    sub_projects: int
    planned: Decimal
    completed: Decimal

    @property
    def rate(self) -> Decimal | None:
        if not self.planned:
            return None
        return (self.completed * 100 / self.planned).quantize(Decimal("0.1"))


@dataclass
class InvestmentChart:
    """Planned against completed investment, one pair of bars per pilot."""

    rows: list[InvestmentRow]
    of: int = 0  # pilots with sub-projects before the INVESTMENT_LIMIT cut (0 = no cut)
    empty_reason: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def totals(self) -> dict:
        return {
            "sub_projects": sum(r.sub_projects for r in self.rows),
            "planned": sum((r.planned for r in self.rows), Decimal(0)),
            "completed": sum((r.completed for r in self.rows), Decimal(0)),
        }

    @property
    def chart(self) -> dict:
        # Plain numbers for the chart (json_script would write Decimals as strings).
        return {
            "kind": "hbars",
            "grouped": True,
            "categories": [f"{r.code} {r.name}" for r in self.rows],
            "series": [
                {
                    "name": _("Planned"),
                    "title": _("Planned investment (10,000 yuan)"),
                    "colour": PLANNED_COLOUR,
                    "values": [float(r.planned) for r in self.rows],
                },
                {
                    "name": _("Completed"),
                    "title": _("Investment completed (10,000 yuan)"),
                    "colour": COMPLETED_COLOUR,
                    "values": [float(r.completed) for r in self.rows],
                },
            ],
        }


@dataclass
class InnovationStatuses:
    """The year's innovations by status (a donut and its table)."""

    rows: list[dict]  # {"status", "label", "colour", "n"}, in the order of their way
    empty_reason: str = ""

    @property
    def total(self) -> int:
        return sum(r["n"] for r in self.rows)

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def chart(self) -> dict:
        return {
            "kind": "donut",
            "total": self.total,
            "total_label": _("Innovations"),
            "items": [
                {"name": r["label"], "colour": r["colour"], "value": r["n"]}
                for r in self.rows
                if r["n"]
            ],
        }


@dataclass(frozen=True)
class Spread:
    """A replicable experience and the units that adopted it."""

    pk: int
    title: str
    unit: str
    declared: dt.datetime | None
    adopters: list[str]


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator of the year: its latest actual, the year's target, its track."""

    pk: int
    code: str
    name: str
    measure: str
    owner: str
    decimals: int
    latest: Decimal | None
    period: str
    target: Decimal | None
    track: Track

    @property
    def behind(self) -> bool:
        return self.track == Track.BEHIND

    @property
    def shown_as(self) -> str:
        """The `floatformat` argument: its decimal places, grouped by the locale."""
        return f"{self.decimals}g"


@dataclass
class PilotsSection:
    """What the dashboard shows of pilots, innovations and indicators for one user and
    one year; the parts a user does not work are None."""

    year: int
    office: Unit | None
    totals: dict | None = None  # pilot_totals: by level, sub-projects, investment
    by_level: Breakdown | None = None
    investment: InvestmentChart | None = None
    brands: list[BrandRow] | None = None
    statuses: InnovationStatuses | None = None
    spread: list[Spread] = field(default_factory=list)
    indicators: list[IndicatorRow] | None = None
    indicators_of: int = 0  # indicators in all (the table lists at most INDICATOR_LIMIT)

    @property
    def shows_pilots(self) -> bool:
        return self.totals is not None

    @property
    def off_track(self) -> int:
        return sum(1 for r in self.indicators or () if r.behind)

    @property
    def replicable(self) -> int:
        if self.statuses is None:
            return 0
        return next(
            (r["n"] for r in self.statuses.rows if r["status"] == InnovationStatus.REPLICABLE), 0
        )

    @property
    def spread_cut(self) -> bool:
        return len(self.spread) >= SPREAD_LIMIT

    @property
    def indicators_cut(self) -> bool:
        return self.indicators_of > len(self.indicators or ())


# --- the reads --------------------------------------------------------------------------


def _office(user, pilots: bool, indicators: bool) -> Unit | None:
    """The highest office whose pilots, innovations or indicators `user` sees (one query)."""
    q = Q(pk__in=[])
    if pilots:
        q |= Q(pk__in=pilot_permissions.visible_pilots(user).values("office"))
        q |= Q(pk__in=pilot_permissions.visible_innovations(user).values("office"))
    if indicators:
        q |= Q(pk__in=visible_indicators(user).values("office"))
    return Unit.objects.filter(q, kind=UnitKind.OFFICE).order_by("depth", "path").first()


def pilots_by_level(user, office: Unit) -> Breakdown:
    """The office's pilots by level (national, provincial, municipal) and state, one
    series per state in its colour (one query)."""
    counts: dict[tuple[str, str], int] = {}
    rows = (
        pilot_permissions.visible_pilots(user)
        .filter(office=office)
        .order_by()
        .values("level", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[(row["level"], row["status"])] = row["n"]
    levels = [lv for lv in PilotLevel if any(counts.get((lv.value, s), 0) for s in PilotStatus)]
    return Breakdown(
        kind="bars",
        categories=[str(lv.label) for lv in levels],
        series=[
            Series(
                key=status.value,
                name=str(status.label),
                colour=status.colour,
                values=[counts.get((lv.value, status.value), 0) for lv in levels],
                badge=True,
            )
            for status in PilotStatus
        ],
        empty_reason=_("No pilot in the registry yet."),
    )


def investment_against_plan(user, office: Unit) -> InvestmentChart:
    """Planned against completed investment of the office's pilots with sub-projects,
    the most planned first, at most INVESTMENT_LIMIT of them (two queries)."""
    pilots = with_investment(pilot_permissions.visible_pilots(user).filter(office=office))
    rows = list(pilots.filter(n_sub_projects__gt=0).order_by("-planned", "code")[:INVESTMENT_LIMIT])
    # Counted every time, so that the section's queries do not depend on the rows.
    with_subs = (
        pilot_permissions.visible_pilots(user)
        .filter(office=office, sub_projects__isnull=False)
        .distinct()
        .count()
    )
    return InvestmentChart(
        rows=[
            InvestmentRow(
                pk=p.pk,
                code=p.code,
                name=p.name,
                sub_projects=p.n_sub_projects,
                planned=p.planned,
                completed=p.completed,
            )
            for p in rows
        ],
        of=with_subs if with_subs > len(rows) else 0,
        empty_reason=_("No pilot has sub-projects yet."),
    )


def innovation_statuses(user, office: Unit, year: int) -> InnovationStatuses:
    """The office's innovations of `year` by status (one query)."""
    counts = dict(
        innovations(user)
        .filter(office=office, year=year)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return InnovationStatuses(
        rows=[
            {"status": s.value, "label": str(s.label), "colour": s.colour, "n": counts.get(s, 0)}
            for s in InnovationStatus
        ],
        empty_reason=_("No grassroots innovation proposed in %(year)s.") % {"year": year},
    )


def spread(user, office: Unit) -> list[Spread]:
    """The office's replicable experiences, the most adopted first, with the units that
    adopted each (at most SPREAD_LIMIT; three queries)."""
    rows = experience_spread(user, office)[:SPREAD_LIMIT]
    return [
        Spread(
            pk=i.pk,
            title=i.title,
            unit=i.unit.short_name or i.unit.name,
            declared=i.declared_at,
            adopters=[a.unit.short_name or a.unit.name for a in i.adoptions.all()],
        )
        for i in rows
    ]


def indicator_rows(user, office: Unit, year: int) -> tuple[list[IndicatorRow], int]:
    """The office's indicators with their facts in `year`, those behind their path
    first (as `indicators_off_track` picks them), then by code; at most INDICATOR_LIMIT,
    and how many there are in all (two or three queries)."""
    found = indicator_selectors.with_facts(
        indicator_selectors.indicators(user).filter(office=office).order_by("code"), year=year
    )
    found.sort(key=lambda i: (i.facts.track != Track.BEHIND, i.code))
    rows = []
    for i in found[:INDICATOR_LIMIT]:
        facts = i.facts
        rows.append(
            IndicatorRow(
                pk=i.pk,
                code=i.code,
                name=i.name,
                measure=i.measure,
                owner=i.owner_unit.short_name or i.owner_unit.name,
                decimals=i.decimals,
                latest=facts.latest.value if facts.latest else None,
                period=facts.latest.period.label if facts.latest else "",
                target=facts.target,
                track=facts.track,
            )
        )
    return rows, len(found)


def pilots_section(user, year: int | None) -> PilotsSection | None:
    """The section for `user` and `year`, or None for a user who works neither pilots
    nor indicators (or without a year to show). Pilots and their investment are those
    of the registry as it stands; innovations and indicators those of `year`."""
    if not year:
        return None
    pilots, indicators = pilot_permissions.sees_pilots(user), sees_indicators(user)
    if not (pilots or indicators):
        return None
    office = _office(user, pilots, indicators)
    section = PilotsSection(year=year, office=office)
    if office is None:
        return section
    if pilots:
        scoped = pilot_permissions.visible_pilots(user).filter(office=office)
        section.totals = pilot_totals(scoped)
        section.by_level = pilots_by_level(user, office)
        section.investment = investment_against_plan(user, office)
        section.brands = [row for row in county_brands(user, office) if row.pilot]
        section.statuses = innovation_statuses(user, office, year)
        section.spread = spread(user, office)
    if indicators:
        section.indicators, section.indicators_of = indicator_rows(user, office, year)
    return section


__all__ = [
    "INDICATOR_LIMIT",
    "INVESTMENT_LIMIT",
    "SPREAD_LIMIT",
    "IndicatorRow",
    "InnovationStatuses",
    "InvestmentChart",
    "InvestmentRow",
    "PilotsSection",
    "Spread",
    "indicator_rows",
    "innovation_statuses",
    "investment_against_plan",
    "pilots_by_level",
    "pilots_section",
    "spread",
]
