"""`reformledger otp_code USER`: print the current TOTP code of an account.

For trying the demo without an authenticator app: it works for the demo's accounts
(whose keys are published, like their password) and, with DEBUG on, for any account
(a developer's own database). Anywhere else it refuses.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from reformledger.accounts.otp import is_demo_device, next_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (any account with DEBUG on)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        device = (
            TOTPDevice.objects.select_related("user")
            .filter(user__username=username, confirmed=True)
            .order_by("-id")
            .first()
        )
        if device is None:
            raise CommandError(f"{username} has no authenticator key.")
        if not (settings.DEBUG or is_demo_device(device)):
            raise CommandError(
                "Only the demo's accounts have codes printed (or any with DEBUG on)."
            )
        self.stdout.write(next_code(device))
