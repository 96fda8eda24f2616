"""`reformledger notify_indicators_behind [--today YYYY-MM-DD]`: tell the owner units of
the indicators behind their path, now (the queue does it every morning)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reformledger.indicators import services


class Command(BaseCommand):
    help = (
        "Tell the liaisons and head of each owner unit whose indicator is behind its path "
        "this year, on the values the office checked (once per indicator and period)."
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
        told = services.indicators_notify_behind(as_of=day)
        self.stdout.write(f"indicators reported behind: {told}")
