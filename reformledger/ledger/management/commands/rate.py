"""`reformledger rate --period YYYY-MM [--office CODE]`: compute the A–E suggestions of a
period for every task of one office's ledger, or of every office with tasks that year."""

import datetime as dt
import re
import time
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from reformledger.ledger import services
from reformledger.ledger.models import Rating, Task
from reformledger.orgs.models import Unit

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class Command(BaseCommand):
    help = (
        "Compute the A–E rating suggestions of a period (YYYY-MM: the period that month "
        "falls in) for every task, setting up the year's periods first if needed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month, YYYY-MM (e.g. 2016-06)")
        parser.add_argument(
            "--office", help="code of the reform office (default: every office with tasks)"
        )

    def handle(self, *args, period: str, office: str | None = None, **options):
        found = PERIOD_RE.match(period)
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise CommandError(f"--period must be YYYY-MM, not {period!r}.")
        day = dt.date(int(found.group(1)), int(found.group(2)), 1)
        offices = self._offices(office, day.year)
        failed = 0
        for unit in offices:
            began = time.perf_counter()
            services.periods_ensure(office=unit, year=day.year)
            current = services.period_for(unit, day)
            try:
                run = services.ratings_compute_period(period=current)
            except ValidationError as exc:
                failed += 1
                words = "; ".join(m for ms in exc.message_dict.values() for m in ms)
                self.stderr.write(f"{unit.code} {current.label}: {words}")
                continue
            elapsed = time.perf_counter() - began
            grades = dict(
                Rating.objects.filter(period=current)
                .order_by("suggested__letter")
                .values("suggested__letter")
                .annotate(n=Count("pk"))
                .values_list("suggested__letter", "n")
            )
            spread = ", ".join(f"{letter} {n}" for letter, n in grades.items()) or "-"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{unit.code} {current.label}: {run.computed} tasks rated in "
                    f"{elapsed:.2f} s; suggested grades: {spread}"
                )
            )
            if run.skipped:
                why = Counter(s.label for s in run.skipped)
                self.stdout.write(
                    f"  not rated: {len(run.skipped)} ("
                    + ", ".join(f"{label} {n}" for label, n in sorted(why.items()))
                    + ")"
                )
        if failed:
            raise CommandError(f"{failed} of {len(offices)} offices were not rated.")

    def _offices(self, code: str | None, year: int) -> list[Unit]:
        if code:
            offices = list(Unit.objects.filter(code=code, kind="office"))
            if not offices:
                raise CommandError(f"No reform office has the code {code!r}.")
            return offices
        offices = list(
            Unit.objects.filter(
                kind="office", pk__in=Task.objects.filter(year=year).order_by().values("office")
            ).order_by("path")
        )
        if not offices:
            raise CommandError(f"No office has tasks in {year}.")
        return offices
