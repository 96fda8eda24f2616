"""Indicators' kinds of the next act (待办), added to the ledger's through its hook
(`ledger.selectors.next_acts.register_next_acts`, called in IndicatorsConfig.ready):

- an owner unit's liaison: its reported indicators with no value (or only a returned
  one) for the latest open period of their office that has ended, and the values the
  office returned in periods still open, to report again;
- office staff: reported values awaiting their check.
"""

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.indicators.choices import IndicatorKind, ValueStatus
from reformledger.indicators.models import Indicator, IndicatorValue
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period
from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any

__all__ = ["indicator_sources"]


def _latest_ended(today, office_ref: OuterRef):
    """The office's latest open period that has ended by `today`."""
    return Period.objects.filter(
        office=office_ref, status=PeriodStatus.OPEN, end__lt=today
    ).order_by("-end", "-pk")


def _to_report(paths: tuple[str, ...], today) -> Source:
    latest = _latest_ended(today, OuterRef("office"))
    standing = IndicatorValue.objects.filter(
        indicator=OuterRef("pk"),
        period=Subquery(_latest_ended(today, OuterRef(OuterRef("office"))).values("pk")[:1]),
        status__in=(ValueStatus.REPORTED, ValueStatus.CHECKED),
    )
    due = Indicator.objects.filter(
        under_any("owner_unit", paths), kind=IndicatorKind.REPORTED
    ).filter(Exists(latest), ~Exists(standing))

    def items(limit: int) -> list[NextAct]:
        rows = list(due.select_related("office").order_by("code", "pk")[:limit])
        if not rows:
            return []
        periods = {}
        for period in Period.objects.filter(
            office_id__in={i.office_id for i in rows}, status=PeriodStatus.OPEN, end__lt=today
        ).order_by("end", "pk"):
            periods[period.office_id] = period  # the latest wins
        found = []
        for indicator in rows:
            period = periods.get(indicator.office_id)
            if period is None:
                continue
            late = period.report_due < today
            words = _("%(period)s, late since %(due)s") if late else _("%(period)s, due %(due)s")
            found.append(
                NextAct(
                    subject=f"{indicator.code} {indicator.name}",
                    url=reverse("indicators:report", args=[indicator.pk]) + f"?period={period.pk}",
                    detail=words % {"period": period.label, "due": period.report_due.isoformat()},
                    late=late,
                )
            )
        return found

    return Source("indicator_to_report", _("Indicator values to report"), due, items)


def _returned(paths: tuple[str, ...]) -> Source:
    """Values the office returned, in periods still open: to report again."""
    due = IndicatorValue.objects.filter(
        under_any("indicator__owner_unit", paths),
        status=ValueStatus.RETURNED,
        period__status=PeriodStatus.OPEN,
    )

    def show(value: IndicatorValue) -> NextAct:
        indicator = value.indicator
        return NextAct(
            subject=f"{indicator.code} {indicator.name}",
            url=reverse("indicators:report", args=[indicator.pk]) + f"?period={value.period_id}",
            detail=_("%(period)s, returned: %(reason)s")
            % {"period": value.period.label, "reason": value.return_reason},
        )

    return Source(
        "indicator_value_returned",
        _("Indicator values returned to report again"),
        due,
        first_rows(due, ("indicator", "period"), ("checked_at", "pk"), show),
    )


def _to_check(paths: tuple[str, ...]) -> Source:
    due = IndicatorValue.objects.filter(
        under_any("indicator__office", paths), status=ValueStatus.REPORTED
    )

    def show(value: IndicatorValue) -> NextAct:
        indicator = value.indicator
        return NextAct(
            subject=f"{indicator.code} {indicator.name}",
            url=reverse("indicators:detail", args=[indicator.pk]) + f"#value-{value.pk}",
            detail=_("%(period)s: %(value)s %(measure)s, reported by %(unit)s on %(date)s")
            % {
                "period": value.period.label,
                "value": f"{value.value:,.{indicator.decimals}f}",
                "measure": indicator.measure,
                "unit": indicator.owner_unit.label,
                "date": timezone.localdate(value.reported_at).isoformat(),
            },
        )

    related = ("indicator__owner_unit", "period")
    return Source(
        "indicator_value_to_check",
        _("Indicator values to check"),
        due,
        first_rows(due, related, ("reported_at", "pk"), show),
        more_url=reverse("indicators:list"),
    )


def indicator_sources(context: NextActContext) -> list[Source]:
    """The indicator kinds waiting for the context's user, by role."""
    sources: list[Source] = []
    if liaison := context.paths(Role.UNIT_REPORTER):
        sources += [_to_report(liaison, context.today), _returned(liaison)]
    if staff := context.paths(Role.OFFICE_ADMIN):
        sources.append(_to_check(staff))
    return sources
