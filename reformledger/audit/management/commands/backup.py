"""`reformledger backup FILE`: back up the database and the uploaded files into one
archive while the system runs, and print the audit chain head it holds."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reformledger.audit.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and MEDIA_ROOT into FILE, "
        "a tar archive (.tar.gz compresses it) with a manifest of row counts, content "
        "hashes and the audit chain head. Safe while the system runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive to write, e.g. ledger.tar.gz")
        parser.add_argument("--force", action="store_true", help="overwrite an existing FILE")

    def handle(self, *args, file: Path, force: bool, **options):
        if file.exists() and not force:
            raise CommandError(f"{file} exists; give another name or --force to overwrite it.")
        try:
            manifest = backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t.rows for t in manifest.tables.values())
        self.stdout.write(
            f"{manifest.vendor} database: {len(manifest.tables)} tables, {rows} rows; "
            f"{len(manifest.media)} uploaded files."
        )
        head = manifest.audit_head
        if head:
            self.stdout.write(f"Audit chain head: {head['id']} {head['hash']} {head['at']}")
        else:
            self.stdout.write("Audit chain head: none (the audit trail is empty).")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {file} (readable by you only)."))
