"""`reformledger create_account USER --role ROLE --unit CODE`: create an account from
the server's shell, with an initial password typed twice (never on the command line).

For setting up a new installation: the three administrators (system, security,
audit) are created this way, each a separate account; afterwards the security
administrator creates every other account on its pages.
"""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reformledger.accounts import services
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit


class Command(BaseCommand):
    help = "Create an account with an initial password (changed at first sign-in) and a role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--role", choices=Role.values, help="A role to grant at once.")
        parser.add_argument("--unit", help="Code of the unit the role is held in.")

    def handle(self, *args, username: str, full_name: str, email: str, role, unit, **options):
        if bool(role) != bool(unit):
            raise CommandError("Give --role and --unit together.")
        held_in = None
        if unit:
            held_in = Unit.objects.filter(code=unit).first()
            if held_in is None:
                raise CommandError(f"No unit with the code {unit}.")
        password = getpass.getpass("Initial password: ")
        if password != getpass.getpass("Initial password again: "):
            raise CommandError("The two passwords differ.")
        try:
            with transaction.atomic():
                user = services.user_create(
                    by=None, username=username, password=password, full_name=full_name, email=email
                )
                if role:
                    services.role_grant(by=None, user=user, unit=held_in, role=role)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{user.username} is created; the password must be changed at first sign-in."
        )
