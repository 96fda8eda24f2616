"""The dashboard's supervision section (督查督办): the year's figures — leading-group
meetings held, documents reviewed, collective reviews, open and overdue orders — a
stacked bar of orders by responsible unit and level, and the overdue action items.

It reads `supervision.selectors.figures`, already scoped to what the user may see
(the office's people see their offices' work, a unit only what is addressed to it),
at a fixed number of queries; the chart is a `Breakdown` like the dashboard's others,
so the page draws it from JSON the same way. Shown only to users who work
supervision (`sees_supervision`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reformledger.ledger.selectors import ReferenceDates, reference_dates
from reformledger.supervision import selectors
from reformledger.supervision.choices import OrderLevel
from reformledger.supervision.permissions import sees_supervision
from reformledger.web.dashboard.data import UNIT_LIMIT, Breakdown, Series

#: At most this many overdue action items are listed, most overdue first (the selector's cut).
ITEM_LIMIT = 20


@dataclass(frozen=True)
class OverdueItem:
    """An action item unanswered past its deadline, as the table lists it."""

    pk: int
    unit: str
    demand: str
    deadline: dt.date
    days: int


@dataclass
class SupervisionSection:
    """What the dashboard shows of supervision for one user and one year."""

    year: int
    meetings: int
    documents_reviewed: int
    reviews: int
    orders: int
    orders_open: int
    orders_overdue: int
    orders_by_level: dict[str, int]
    by_unit: Breakdown
    overdue_items: list[OverdueItem] = field(default_factory=list)

    @property
    def items_cut(self) -> bool:
        """True when there may be more overdue items than the table lists."""
        return len(self.overdue_items) >= ITEM_LIMIT

    @property
    def levels(self) -> list[dict]:
        """Each level with its name, colour and count of orders (a badge each)."""
        return [
            {
                "level": lv.value,
                "name": str(lv.label),
                "colour": lv.colour,
                "n": self.orders_by_level.get(lv.value, 0),
            }
            for lv in OrderLevel
        ]


def orders_by_unit(by_unit: list[tuple[str, dict[str, int]]]) -> Breakdown:
    """The year's orders by responsible unit and level, the units with the most orders
    first, at most UNIT_LIMIT of them; each level in its own colour."""
    shown = by_unit[:UNIT_LIMIT]
    return Breakdown(
        kind="hbars",
        categories=[unit for unit, _counts in shown],
        series=[
            Series(
                key=level.value,
                name=str(level.label),
                colour=level.colour,
                values=[counts.get(level.value, 0) for _unit, counts in shown],
                badge=True,
            )
            for level in OrderLevel
        ],
        of=len(by_unit) if len(by_unit) > len(shown) else 0,
    )


def _with_reason(chart: Breakdown, reason: str) -> Breakdown:
    chart.empty_reason = reason
    return chart


def supervision_section(
    user, year: int | None, dates: ReferenceDates | dt.date | None = None
) -> SupervisionSection | None:
    """The section for `user` and `year`, or None for a user who does not work
    supervision (or without a year to show). Orders and action items count in their
    task's ledger year, overdue as of its reference date (`dates`, or a day standing
    for today)."""
    if not year or not sees_supervision(user):
        return None
    if not isinstance(dates, ReferenceDates):
        dates = reference_dates(dates)
    f = selectors.figures(user, year, dates=dates)
    return SupervisionSection(
        year=year,
        meetings=f.meetings,
        documents_reviewed=f.documents_reviewed,
        reviews=f.reviews,
        orders=sum(f.orders_by_level.values()),
        orders_open=f.orders_open,
        orders_overdue=f.orders_overdue,
        orders_by_level=f.orders_by_level,
        by_unit=_with_reason(orders_by_unit(f.orders_by_unit), _("No orders this year.")),
        overdue_items=[
            OverdueItem(
                pk=item.pk,
                unit=item.unit.short_name or item.unit.name,
                demand=item.demand,
                deadline=item.deadline,
                days=item.days_overdue,
            )
            for item in f.items_overdue[:ITEM_LIMIT]
        ],
    )
