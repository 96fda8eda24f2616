"""`reformledger summarise_periods [--all]`: write the summary rows of closed periods that
have none (closed before the summaries existed, or written in bulk); `--all` rewrites
every closed period's. Running it twice writes the same rows."""

from django.core.management.base import BaseCommand

from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period
from reformledger.ledger.services.summaries import summaries_rebuild


class Command(BaseCommand):
    help = (
        "Write the summary rows of closed periods that have none (--all: of every closed "
        "period), so that the dashboard reads them instead of every rating and report."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", dest="rewrite", action="store_true", help="rewrite every closed period"
        )

    def handle(self, *args, rewrite: bool, **options):
        periods = Period.objects.filter(status=PeriodStatus.CLOSED).select_related("office")
        if not rewrite:
            periods = periods.filter(summary__isnull=True)
        n = 0
        for period in periods.order_by("office_id", "start"):
            summary = summaries_rebuild(period)
            n += 1
            self.stdout.write(
                f"  {period.office.code} {period.label}: {summary.ratings} ratings, "
                f"{summary.reports} reports"
            )
        self.stdout.write(self.style.SUCCESS(f"{n} closed periods summarised."))
