"""`reformledger enable_account USER`: enable a disabled account from the server's shell.

The way back in when the security administrator's own account was disabled (by the
inactivity rule, say): other accounts are enabled on the account pages.
"""

from django.core.management.base import BaseCommand, CommandError

from reformledger.accounts import services
from reformledger.accounts.models import User


class Command(BaseCommand):
    help = "Enable a disabled account (recorded in the audit trail as done by the system)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="", help="Why, for the audit trail.")

    def handle(self, *args, username: str, reason: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username}.")
        services.user_enable(by=None, user=user, reason=reason or "enabled from the command line")
        self.stdout.write(f"{username} is enabled.")
