"""`reformledger backup FILE`: back up the database and the uploaded files into one
archive while the system runs, encrypt it and sign its manifest, and print the audit
chain head it holds."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reformledger.audit.backup import BackupError, backup, backup_key, key_id
from reformledger.audit.backup_encryption import ALGORITHM, CHUNK_BYTES


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and MEDIA_ROOT into FILE, "
        "a tar archive (.tar.gz or .tar.gz.enc compresses it) with a manifest of row "
        "counts, content hashes and the audit chain head, encrypted (AES-256-GCM) and "
        "signed with keys derived from the backup key (RL_BACKUP_KEY_FILE or "
        "RL_BACKUP_KEY). Safe while the system runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive to write, e.g. ledger.tar.gz.enc")
        parser.add_argument("--force", action="store_true", help="overwrite an existing FILE")
        parser.add_argument(
            "--key-file",
            type=Path,
            help="encrypt and sign with the key in this file (default: the settings)",
        )
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help="write a plain (signed) archive: a development copy; restore refuses it "
            "unless told --unencrypted too",
        )
        parser.add_argument(
            "--unsigned",
            action="store_true",
            help="write a plain, unsigned archive without any key (a development copy; "
            "restore refuses it unless told --unsigned too)",
        )

    def handle(
        self, *args, file: Path, force: bool, key_file, unencrypted: bool, unsigned: bool, **options
    ):
        if file.exists() and not force:
            raise CommandError(f"{file} exists; give another name or --force to overwrite it.")
        try:
            key = None if unsigned else backup_key(key_file)
            manifest = backup(file, key=key, unsigned=unsigned, unencrypted=unencrypted)
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
                    "UNSIGNED: this archive is a plain development copy; nothing proves later "
                    "that it was not changed, and `reformledger restore` refuses it unless "
                    "told --unsigned."
                )
            )
        elif unencrypted:
            self.stdout.write(f"Manifest signed (HMAC-SHA256) with backup key {key_id(key)}.")
            self.stderr.write(
                self.style.WARNING(
                    "UNENCRYPTED: anyone who gets this archive reads the personal data in it; "
                    "`reformledger restore` refuses it unless told --unencrypted."
                )
            )
        else:
            self.stdout.write(
                f"Archive encrypted ({ALGORITHM}, {CHUNK_BYTES // 1024 // 1024} MiB chunks) "
                f"and manifest signed (HMAC-SHA256) with backup key {key_id(key)}."
            )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {file} (readable by you only)."))
