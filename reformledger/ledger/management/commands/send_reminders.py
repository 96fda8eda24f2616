"""`reformledger send_reminders [--today YYYY-MM-DD] [--queue]`: the daily reminders now."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reformledger.ledger.services.reminders import reminders_send


class Command(BaseCommand):
    help = "Send the reminders due today (or on --today) that were not sent before."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to send reminders for, YYYY-MM-DD")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="hand the run to the task queue instead of running it here",
        )

    def handle(self, *args, today=None, queue=False, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        if queue:
            from reformledger.ledger import tasks

            tasks.send_reminders(day.isoformat() if day else None)
            self.stdout.write("Reminders queued.")
            return
        counts = reminders_send(day)
        for kind, n in counts.items():
            self.stdout.write(f"{kind}: {n}")
        self.stdout.write(f"total: {sum(counts.values())}")
