"""`reformledger backup FILE`: back up the database and the uploaded files into one
archive while the system runs, sign its manifest, and print the audit chain head it
holds."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reformledger.audit.backup import BackupError, backup, backup_key, key_id


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and MEDIA_ROOT into FILE, "
        "a tar archive (.tar.gz compresses it) with a manifest of row counts, content "
        "hashes and the audit chain head, signed with the backup key (RL_BACKUP_KEY_FILE "
        "or RL_BACKUP_KEY). Safe while the system runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive to write, e.g. ledger.tar.gz")
        parser.add_argument("--force", action="store_true", help="overwrite an existing FILE")
        parser.add_argument(
            "--key-file", type=Path, help="sign with the key in this file (default: the settings)"
        )
        parser.add_argument(
            "--unsigned",
            action="store_true",
            help="write an unsigned archive (a development copy; restore refuses it unless "
            "told --unsigned too)",
        )

    def handle(self, *args, file: Path, force: bool, key_file, unsigned: bool, **options):
        if file.exists() and not force:
            raise CommandError(f"{file} exists; give another name or --force to overwrite it.")
        try:
            key = None if unsigned else backup_key(key_file)
            manifest = backup(file, key=key, unsigned=unsigned)
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
        if key is None:
            self.stderr.write(
                self.style.WARNING(
                    "UNSIGNED: this archive is a development copy; nothing proves later that "
                    "it was not changed, and `reformledger restore` refuses it unless told "
                    "--unsigned."
                )
            )
        else:
            self.stdout.write(f"Manifest signed (HMAC-SHA256) with backup key {key_id(key)}.")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {file} (readable by you only)."))
