"""`reformledger verify_audit [--head ID:HASH | --no-published-head] [--since ID:HASH |
--incremental] [--save-head]`: prove the audit trail is whole, or name where it is not.
Without --head the chain is checked against the last head published outside the
database (RL_AUDIT_HEAD_FILE). Exit status 0 when intact, 1 when broken."""

import dataclasses
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reformledger.audit import services
from reformledger.audit.published import (
    HeadFileError,
    head_file,
    last_published_head,
    published_break,
)
from reformledger.audit.selectors import VERIFY_BATCH, last_verified_head, walk_chain


def _utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else "-"


def parse_head(text: str, option: str = "--head") -> tuple[int, str]:
    """`ID:HASH` (as `audit_head` prints it, "ID HASH ..." is accepted too)."""
    parts = text.replace(":", " ", 1).split()
    if len(parts) < 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        raise CommandError(f"{option} must be ID:HASH as audit_head prints it, not {text!r}")
    return int(parts[0]), parts[1].lower()


class Command(BaseCommand):
    # Reads only (unless --save-head or --incremental): it runs as well on a system
    # whose settings need attention.
    requires_system_checks = []
    help = (
        "Walk the audit chain in id order, recompute every hash and check every link; "
        "name the first broken record. Exit status 1 when the chain is broken. "
        "--since / --incremental check only the records from a verified head on."
    )

    def add_arguments(self, parser):
        kept = parser.add_mutually_exclusive_group()
        kept.add_argument(
            "--head",
            help="a chain head kept outside the database (audit_head): ID:HASH; "
            "the chain must still hold that record with that hash (instead of the "
            "last published head)",
        )
        kept.add_argument(
            "--no-published-head",
            action="store_true",
            help="do not check against the last head published to RL_AUDIT_HEAD_FILE "
            "(publish_audit_head), which is checked by default",
        )
        start = parser.add_mutually_exclusive_group()
        start.add_argument(
            "--since",
            help="a head verified before, ID:HASH: check that record (still there, same "
            "hash, content intact) and everything after it, not the records before it",
        )
        start.add_argument(
            "--incremental",
            action="store_true",
            help="start from the head the last successful verification kept "
            "(--save-head, --incremental or the auditor's page), then keep the new head; "
            "the whole chain when none was kept",
        )
        parser.add_argument(
            "--save-head",
            action="store_true",
            help="record this verification in the trail (audit.verified) and, when the "
            "chain holds, keep its head for the next --incremental",
        )
        parser.add_argument(
            "--batch", type=int, default=VERIFY_BATCH, help="records read per query"
        )

    def handle(
        self,
        *args,
        head=None,
        no_published_head=False,
        since=None,
        incremental=False,
        save_head=False,
        batch=VERIFY_BATCH,
        **options,
    ):
        expected = parse_head(head) if head else None
        published = None
        if expected is None and not no_published_head:
            try:
                published = last_published_head()
            except HeadFileError as exc:
                raise CommandError(str(exc), returncode=1) from exc
        start = parse_head(since, "--since") if since else None
        verbosity = options.get("verbosity", 1)
        if incremental:
            start = last_verified_head()
            save_head = True
            if start is None:
                self.stdout.write("No verified head kept yet: walking the whole chain.")
        began = time.monotonic()

        def progress(count: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"  {count:,} records verified")

        with translation.override("en"):
            report = walk_chain(
                expected_head=expected, since=start, progress=progress, batch=max(batch, 1)
            )
            cut = published_break(published) if published is not None else None
        if cut is not None and report.broken is None:
            report = dataclasses.replace(report, broken=cut)
        seconds = time.monotonic() - began
        if save_head and report.triggers_present:
            services.chain_verified(
                by=None,
                records=report.count,
                broken_id=report.broken.id if report.broken else None,
                problem=report.broken.problem if report.broken else "",
                head=report.head,
                since_id=start[0] if start else None,
            )
        if not report.triggers_present:
            self.stderr.write(
                "The append-only triggers of the audit table are missing: "
                "run `reformledger migrate`, or see docs/operations.md."
            )
        scope = f" from verified head #{start[0]}" if start else ""
        if report.broken is not None and report.broken is cut:
            raise CommandError(
                f"Audit chain BROKEN: {cut.problem}. The chain itself holds "
                f"({report.count:,} records verified{scope}); the published head was read "
                f"from {head_file()}, line {published.line}.",
                returncode=1,
            )
        if report.broken is not None:
            b = report.broken
            raise CommandError(
                f"Audit chain BROKEN at record #{b.id} ({_utc(b.at)}, {b.verb or '-'}): "
                f"{b.problem}. Records verified before it{scope}: {report.count:,}.",
                returncode=1,
            )
        if report.head is None:
            self.stdout.write("The audit trail is empty.")
        else:
            h = report.head
            self.stdout.write(
                f"Audit chain intact{scope}: {report.count:,} records verified in {seconds:.1f} s."
            )
            self.stdout.write(f"Chain head: {h.id} {h.hash} {_utc(h.at)} ({h.algorithm})")
            self._say_published(published, no_published_head, expected)
            if start:
                self.stdout.write(
                    f"Records before #{start[0]} were not read: only a whole walk, or "
                    "--head with a head kept outside the database, proves them."
                )
            if report.gaps and verbosity >= 1:
                self.stdout.write(
                    f"Ids skipped: {report.gaps:,} (inserts rolled back before commit; "
                    "every link holds)."
                )
        if not report.triggers_present:
            raise CommandError("The audit table is not protected by its triggers.", returncode=1)

    def _say_published(self, published, skipped: bool, expected) -> None:
        """Which head kept outside the database the chain was checked against."""
        if expected is not None:
            self.stdout.write(f"Checked against the head given (--head #{expected[0]}).")
        elif skipped:
            self.stdout.write(
                "Not checked against the published head (--no-published-head): a cut tail "
                "would not show."
            )
        elif published is not None:
            self.stdout.write(
                f"Published head #{published.id} (published at {published.published}) is in "
                f"the chain, unchanged ({head_file()}, line {published.line})."
            )
        elif head_file() is None:
            self.stdout.write("No published head to check against: RL_AUDIT_HEAD_FILE is empty.")
        else:
            self.stdout.write(
                f"No published head to check against yet ({head_file()}): run "
                "`reformledger publish_audit_head`."
            )
