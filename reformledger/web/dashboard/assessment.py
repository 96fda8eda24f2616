"""The dashboard's assessment section (年度考核 · 绿黄牌): the cards by year (green and
yellow), the year's cards by kind of unit, and the year's yellow cards with the reasons
that gave them, each linking to its fact.

Read from `assessment.selectors`, already scoped: the office and city leaders see every
card, a unit's head or liaison its own published ones. Three queries whatever the
number of cards (the counts by year and kind, the yellow cards, their reasons). Shown
only to users who have the assessment section (`sees_assessment`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from reformledger.assessment import selectors
from reformledger.assessment.choices import CardColour
from reformledger.assessment.models import Card
from reformledger.assessment.permissions import sees_assessment, visible_cards
from reformledger.orgs.choices import UnitKind
from reformledger.web.dashboard.data import Breakdown, Series

__all__ = ["AssessmentSection", "YellowCard", "assessment_section"]

#: At most this many yellow cards are listed with their reasons.
YELLOW_LIMIT = 40
KINDS = (UnitKind.COUNTY, UnitKind.ZONE, UnitKind.DEPARTMENT)


@dataclass(frozen=True)
class YellowCard:
    """A yellow card and the lines that gave it (or took points off)."""

    card: Card
    reasons: list


@dataclass
class AssessmentSection:
    year: int
    by_year: Breakdown | None = None
    by_kind: Breakdown | None = None
    yellow: list[YellowCard] = field(default_factory=list)
    green: int = 0
    yellow_count: int = 0

    @property
    def total(self) -> int:
        return self.green + self.yellow_count


def _series(counts: dict, keys: list) -> list[Series]:
    return [
        Series(
            key=colour.value,
            name=str(colour.label),
            colour=colour.colour,
            values=[counts.get((key, colour.value), 0) for key in keys],
            badge=True,
        )
        for colour in CardColour
    ]


def assessment_section(user, year: int | None) -> AssessmentSection | None:
    """The section for `user` and `year`, or None for a user without the assessment."""
    if not year or not sees_assessment(user):
        return None
    current = visible_cards(user).filter(is_current=True)
    rows = list(current.order_by().values("year", "unit__kind", "colour").annotate(n=Count("pk")))
    by_year: dict = {}
    for row in rows:
        key = (row["year"], row["colour"])
        by_year[key] = by_year.get(key, 0) + row["n"]
    years = sorted({y for y, _c in by_year})
    # Cards are given after the year they judge: while the year shown has none yet, the
    # section shows the latest year before it that has.
    if year not in years and any(y < year for y in years):
        year = max(y for y in years if y < year)
    section = AssessmentSection(year=year)
    by_kind: dict = {}
    for row in rows:
        if row["year"] == year:
            by_kind[(row["unit__kind"], row["colour"])] = (
                by_kind.get((row["unit__kind"], row["colour"]), 0) + row["n"]
            )
    section.by_year = Breakdown(
        kind="bars",
        categories=[str(y) for y in years],
        series=_series(by_year, years),
        empty_reason=_("No assessment card yet."),
    )
    kinds = [k for k in KINDS if any(by_kind.get((k.value, c), 0) for c in CardColour.values)]
    section.by_kind = Breakdown(
        kind="hbars",
        categories=[str(k.label) for k in kinds],
        series=_series({(k, c): n for (k, c), n in by_kind.items()}, [k.value for k in kinds]),
        empty_reason=_("No card of this year yet."),
    )
    section.green = by_year.get((year, CardColour.GREEN.value), 0)
    section.yellow_count = by_year.get((year, CardColour.YELLOW.value), 0)
    yellow = (
        selectors.cards_with_reasons(user)
        .filter(year=year, is_current=True, colour=CardColour.YELLOW)
        .order_by("score", "unit__path")[:YELLOW_LIMIT]
    )
    section.yellow = [
        YellowCard(c, [r for r in c.reasons.all() if r.triggers_yellow or r.points < 0])
        for c in yellow
    ]
    return section
