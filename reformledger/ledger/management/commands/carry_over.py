"""`reformledger carry_over --office CODE --year 2016`: carry the office's open tasks of
a year into the next year's ledger (年终结转). Running it twice creates nothing new."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from reformledger.accounts.models import User
from reformledger.ledger import services
from reformledger.orgs.models import Unit


class Command(BaseCommand):
    help = (
        "Carry every open task of an office's year into the next year: the old task is "
        "marked carried over, the new one points back to it. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--office", required=True, help="code of the reform office")
        parser.add_argument("--year", required=True, type=int, help="the year to close, e.g. 2016")
        parser.add_argument(
            "--by",
            default="",
            help="username recorded as the actor (office staff or leader); default: the system",
        )

    def handle(self, *args, office: str, year: int, by: str, **options):
        unit = Unit.objects.filter(code=office, kind="office").first()
        if unit is None:
            raise CommandError(f"No reform office with the code {office!r}.")
        user = None
        if by:
            user = User.objects.filter(username=by, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {by!r}.")
        try:
            carried = services.year_carry_over(office=unit, year=year, by=user)
        except PermissionDenied as exc:
            raise CommandError(f"{by} may not carry over the year of {office}.") from exc
        if not carried:
            self.stdout.write(f"{unit.code} {year}: no open task to carry over.")
            return
        for task in carried:
            self.stdout.write(f"  {task.carried_from.code} → {task.year} {task.code}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{unit.code}: {len(carried)} open tasks of {year} carried over into {year + 1}."
            )
        )
