"""`reformledger escalate_orders [--today YYYY-MM-DD]`: the daily escalation now."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reformledger.supervision import services


class Command(BaseCommand):
    help = (
        "Raise every supervision order unanswered past its deadline one level "
        "(blue → orange → red) with a new deadline, and tell its unit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run for, YYYY-MM-DD")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        counts = services.orders_escalate(today=day)
        self.stdout.write(f"escalated: {counts['escalated']}")
        self.stdout.write(f"red and overdue: {counts['overdue']}")
