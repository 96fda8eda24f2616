"""`reformledger restore FILE`: restore a backup into an empty instance and check it
against its manifest (row counts, content hashes, uploaded files, audit chain)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reformledger.audit.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `reformledger backup` into this instance, which must "
        "be empty (no rows in the application's tables, no uploaded files). Then check "
        "every table's row count and content hash and walk the audit chain to the "
        "backup's head. Stop the web and queue workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive `reformledger backup` wrote")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No backup at {file}.")
        try:
            report = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = report.manifest
        self.stdout.write(
            f"Restored the backup of {m.created} (version {m.app_version}, {m.vendor}): "
            f"{report.tables} tables, {report.rows} rows, {report.media_files} uploaded files."
        )
        head = m.audit_head
        if head:
            self.stdout.write(f"Audit chain head: {head['id']} {head['hash']} {head['at']}")
        if not report.ok:
            problems = "\n  ".join(report.mismatches)
            raise CommandError(f"The restored data does not match the backup:\n  {problems}")
        self.stdout.write(
            f"Checked: every row count and content hash matches the manifest; the audit "
            f"chain of {report.audit_records} records is whole and ends at the backup's head."
        )
        if report.needs_migrate:
            self.stdout.write(
                "This version has migrations the backup predates: run `reformledger migrate`."
            )
        self.stdout.write(self.style.SUCCESS("Restore complete."))
