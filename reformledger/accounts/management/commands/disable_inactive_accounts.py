"""`reformledger disable_inactive_accounts`: disable accounts unused for
RL_ACCOUNT_INACTIVE_DAYS now (the task queue does it every night)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from reformledger.accounts import services


class Command(BaseCommand):
    help = "Disable accounts unused (no sign-in, no API call) for RL_ACCOUNT_INACTIVE_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list the accounts that would be disabled."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        days = settings.RL_ACCOUNT_INACTIVE_DAYS
        if dry_run:
            names = list(services.inactive_users().values_list("username", flat=True))
            verb = "Would disable"
        else:
            names = services.users_disable_inactive()
            verb = "Disabled"
        self.stdout.write(f"{verb} {len(names)} account(s) unused for {days} days.")
        for name in names:
            self.stdout.write(f"  {name}")
