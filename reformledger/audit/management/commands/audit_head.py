"""`reformledger audit_head [--json]`: the audit chain's last record, to keep outside
the database (with each backup); `verify_audit --head ID:HASH` checks against it."""

import datetime as dt
import json

from django.core.management.base import BaseCommand

from reformledger.audit.selectors import chain_head


class Command(BaseCommand):
    # Reads only: it runs as well on a system whose settings need attention.
    requires_system_checks = []
    help = "Print the head of the audit chain: last id, its hash and time (UTC)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        head = chain_head()
        if options["json"]:
            body = (
                {
                    "id": head.id,
                    "hash": head.hash,
                    "at": head.at.astimezone(dt.UTC).isoformat(),
                    "algorithm": head.algorithm,
                }
                if head
                else None
            )
            self.stdout.write(json.dumps(body))
        elif head is None:
            self.stdout.write("The audit trail is empty.")
        else:
            self.stdout.write(str(head))
