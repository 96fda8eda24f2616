"""`reformledger load_demo`: load the Huizhou 2016 demo ledger and print its logins."""

import unicodedata
from base64 import b32encode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import translation

from reformledger.accounts.otp import demo_key
from reformledger.core.clock import business_date
from reformledger.demo import data
from reformledger.demo.loader import demo_logins, demo_otp_usernames, load_demo
from reformledger.ledger.models import Task


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(rows: list[tuple[str, ...]]) -> str:
    """`rows` (the first is the header) as aligned text columns."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    help = "Load the Huizhou 2016 demo ledger through the services (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds any task.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Task.objects.exists():
            self.stdout.write("The ledger already holds tasks; the demo was not loaded.")
            logins = [x for x in demo_logins() if _exists(x.username)]
        else:
            # The office's data is written in the office's language (the notices the
            # acts send keep their words), whatever language the caller left active.
            with translation.override(settings.LANGUAGE_CODE):
                result = load_demo()
            if result.created:
                done = ", ".join(f"{n} {kind}" for kind, n in result.created.items())
                self.stdout.write(self.style.SUCCESS(f"Demo loaded: {done}."))
            else:
                self.stdout.write("The demo is already loaded; nothing was changed.")
            logins = result.logins
        if not logins:
            return
        rows = [("username", "role", "unit", "name", "password")]
        rows += [(x.username, x.role, x.unit, x.full_name, x.password) for x in logins]
        self.stdout.write("\nDemo logins:\n" + login_table(rows))
        heads = [username for username, *_rest in data.UNIT_HEADS if _exists(username)]
        if heads:
            self.stdout.write(
                f"\nThe heads of the other lead units, who sign their closing requests, log in "
                f"the same way: {', '.join(heads)}."
            )
        self._second_factor()
        self._business_date()

    def _business_date(self) -> None:
        """The day the demo's 2017 is live on, and whether the site runs on it."""
        day = data.BUSINESS_DATE.isoformat()
        self.stdout.write(
            f"\nThe demo's 2017 ledger is live as of {day}: serve it with "
            f"RL_BUSINESS_DATE={day} (`make run` does), or every report of it reads as late."
        )
        if business_date() not in (None, data.BUSINESS_DATE):
            self.stdout.write(
                self.style.WARNING(f"RL_BUSINESS_DATE is {business_date().isoformat()} here.")
            )

    def _second_factor(self) -> None:
        """Office leaders and the three administrators also give a TOTP code."""
        keys = [
            (username, _grouped(b32encode(bytes.fromhex(demo_key(username))).decode()))
            for username in demo_otp_usernames()
            if _exists(username)
        ]
        if not keys:
            return
        self.stdout.write(
            "\nThese logins then ask for a code from an authenticator app. Add the key to any "
            "TOTP app, or print the current code with `reformledger otp_code USERNAME`:\n"
            + login_table([("username", "authenticator key (TOTP, 6 digits, 30 s)"), *keys])
        )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _exists(username: str) -> bool:
    return get_user_model().objects.filter(username=username, is_active=True).exists()
