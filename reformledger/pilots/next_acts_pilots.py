"""The next acts of pilots (待办), added to the ledger's through its hook:

- a host unit's liaison: approved or running pilots it hosts whose sub-projects owe an
  investment report for the office's period open today;
- office staff: pilots in their mid-term review with no review recorded, and pilots in
  acceptance with no acceptance recorded.

Each kind is one queryset (counted with the others in one query) and one query for
the rows shown.
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period
from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any
from reformledger.pilots.choices import PilotStatus
from reformledger.pilots.models import InvestmentReport, MidTermReview, Pilot, SubProject

__all__ = ["pilot_sources"]

#: States in which a host unit reports investment on its pilot's sub-projects.
REPORTING = (PilotStatus.APPROVED, PilotStatus.UNDER_WAY)


def _pilot_url(pilot: Pilot, anchor: str = "") -> str:
    url = reverse("pilots:pilot", args=[pilot.pk])
    return f"{url}#{anchor}" if anchor else url


def _subject(pilot: Pilot) -> str:
    return f"{pilot.code} {pilot.name}"


def _investment_due(context: NextActContext, paths: tuple[str, ...]) -> Source:
    today = context.today
    open_now = {
        "status": PeriodStatus.OPEN,
        "start__lte": today,
        "end__gte": today,
    }
    reported = InvestmentReport.objects.filter(
        sub_project=OuterRef("pk"),
        period__office=OuterRef("pilot__office"),
        **{f"period__{k}": v for k, v in open_now.items()},
    )
    missing = SubProject.objects.filter(pilot=OuterRef("pk")).filter(~Exists(reported))
    # An open period that began within the pilot period: none is asked for after it ends.
    period = Period.objects.filter(office=OuterRef("office"), **open_now).filter(
        start__lte=OuterRef("end")
    )
    due = Pilot.objects.filter(under_any("host_unit", paths), status__in=REPORTING).filter(
        Exists(period), Exists(missing)
    )

    def show(pilot: Pilot) -> NextAct:
        return NextAct(
            _subject(pilot),
            _pilot_url(pilot, "sub-projects"),
            _("report the investment completed this period on its sub-projects"),
        )

    return Source(
        "pilot_investment_due",
        _("Pilot investment to report"),
        due,
        first_rows(due, (), ("code", "pk"), show),
    )


def _reviews_due(paths: tuple[str, ...]) -> Source:
    due = Pilot.objects.filter(under_any("office", paths), status=PilotStatus.MID_TERM).filter(
        ~Exists(MidTermReview.objects.filter(pilot=OuterRef("pk")))
    )

    def show(pilot: Pilot) -> NextAct:
        return NextAct(
            _subject(pilot),
            _pilot_url(pilot, "acts"),
            _("hosted by %(unit)s: record the mid-term review") % {"unit": pilot.host_unit.label},
        )

    return Source(
        "pilot_review_due",
        _("Pilot mid-term reviews to record"),
        due,
        first_rows(due, ("host_unit",), ("code", "pk"), show),
    )


def _acceptances_due(paths: tuple[str, ...]) -> Source:
    due = Pilot.objects.filter(
        under_any("office", paths), status=PilotStatus.ACCEPTANCE, acceptance__isnull=True
    )

    def show(pilot: Pilot) -> NextAct:
        return NextAct(
            _subject(pilot),
            _pilot_url(pilot, "acts"),
            _("hosted by %(unit)s: record the acceptance (验收)") % {"unit": pilot.host_unit.label},
        )

    return Source(
        "pilot_acceptance_due",
        _("Pilot acceptances to record"),
        due,
        first_rows(due, ("host_unit",), ("code", "pk"), show),
    )


def pilot_sources(context: NextActContext) -> list[Source]:
    """The pilot kinds waiting for the context's user, by role."""
    sources: list[Source] = []
    if liaison := context.paths(Role.UNIT_REPORTER):
        sources.append(_investment_due(context, liaison))
    if staff := context.paths(Role.OFFICE_ADMIN):
        sources += [_reviews_due(staff), _acceptances_due(staff)]
    return sources
