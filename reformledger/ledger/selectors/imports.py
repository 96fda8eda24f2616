"""Reads the imports need beyond the file itself."""

from reformledger.core.clock import business_today
from reformledger.ledger.models import Period
from reformledger.orgs.models import Unit


def open_period_today(office: Unit, year: int) -> Period | None:
    """The open period of `office`'s ledger for `year` that contains today, if any: where
    an import keeps the progress a file carries as report drafts."""
    today = business_today()
    return Period.objects.filter(
        office=office, year=year, status="open", start__lte=today, end__gte=today
    ).first()
