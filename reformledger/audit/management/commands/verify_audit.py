"""`reformledger verify_audit [--head ID:HASH]`: prove the audit trail is whole, or name
where it is not. Exit status 0 when intact, 1 when broken."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reformledger.audit.selectors import VERIFY_BATCH, walk_chain


def _utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else "-"


def parse_head(text: str) -> tuple[int, str]:
    """`ID:HASH` (as `audit_head` prints it, "ID HASH ..." is accepted too)."""
    parts = text.replace(":", " ", 1).split()
    if len(parts) < 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        raise CommandError(f"--head must be ID:HASH as audit_head prints it, not {text!r}")
    return int(parts[0]), parts[1].lower()


class Command(BaseCommand):
    # Reads only: it runs as well on a system whose settings need attention.
    requires_system_checks = []
    help = (
        "Walk the whole audit chain in id order, recompute every hash and check every "
        "link; name the first broken record. Exit status 1 when the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="a chain head kept outside the database (audit_head): ID:HASH; "
            "the chain must still hold that record with that hash",
        )
        parser.add_argument(
            "--batch", type=int, default=VERIFY_BATCH, help="records read per query"
        )

    def handle(self, *args, head=None, batch=VERIFY_BATCH, **options):
        expected = parse_head(head) if head else None
        verbosity = options.get("verbosity", 1)
        began = time.monotonic()

        def progress(count: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"  {count:,} records verified")

        with translation.override("en"):
            report = walk_chain(expected_head=expected, progress=progress, batch=max(batch, 1))
        seconds = time.monotonic() - began
        if not report.triggers_present:
            self.stderr.write(
                "The append-only triggers of the audit table are missing: "
                "run `reformledger migrate`, or see docs/operations.md."
            )
        if report.broken is not None:
            b = report.broken
            raise CommandError(
                f"Audit chain BROKEN at record #{b.id} ({_utc(b.at)}, {b.verb or '-'}): "
                f"{b.problem}. Records verified before it: {report.count:,}.",
                returncode=1,
            )
        if report.head is None:
            self.stdout.write("The audit trail is empty.")
        else:
            h = report.head
            self.stdout.write(
                f"Audit chain intact: {report.count:,} records verified in {seconds:.1f} s."
            )
            self.stdout.write(f"Chain head: {h.id} {h.hash} {_utc(h.at)} ({h.algorithm})")
            if report.gaps and verbosity >= 1:
                self.stdout.write(
                    f"Ids skipped: {report.gaps:,} (inserts rolled back before commit; "
                    "every link holds)."
                )
        if not report.triggers_present:
            raise CommandError("The audit table is not protected by its triggers.", returncode=1)
