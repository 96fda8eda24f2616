"""`reformledger notify_unsigned_orders [--today YYYY-MM-DD]`: tell the offices of the
orders their units have not signed for (签收) in time, now."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reformledger.supervision import services


class Command(BaseCommand):
    help = (
        "Tell the staff of the issuing office of every open supervision order not signed "
        "for within RL_ORDER_RECEIPT_DAYS working days (once per order)."
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
        told = services.orders_unsigned_notify(today=day)
        self.stdout.write(f"orders reported unsigned: {told}")
