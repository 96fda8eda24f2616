"""`reformledger restore FILE`: restore a backup into an empty instance once it
decrypts with the backup key, its signature holds and every byte of it checks out,
then check it against its manifest (row counts, content hashes, uploaded files, audit
chain). A failed restore leaves the instance as it found it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reformledger.audit.backup import BackupError, backup_key, is_encrypted, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `reformledger backup` into this instance, which must "
        "be empty (no rows in the application's tables, no uploaded files). The archive is "
        "decrypted with the backup key (RL_BACKUP_KEY_FILE or RL_BACKUP_KEY), every chunk "
        "authenticated, into a staging folder; the manifest's signature and every file of "
        "the archive are checked against it before anything is written; then every "
        "table's row count and content hash, and the audit chain to the backup's head. "
        "Any failure leaves the instance empty as it was. Stop the web and queue workers "
        "first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the archive `reformledger backup` wrote")
        parser.add_argument(
            "--key-file",
            type=Path,
            help="decrypt and check the signature with the key in this file (e.g. an earlier key)",
        )
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help="accept a plain archive (a development copy, or one written before "
            "backups were encrypted); its signature is still checked",
        )
        parser.add_argument(
            "--unsigned",
            action="store_true",
            help="do not check the signature, and accept a plain archive (a development "
            "copy you trust)",
        )

    def handle(self, *args, file: Path, key_file, unencrypted: bool, unsigned: bool, **options):
        if not file.is_file():
            raise CommandError(f"No backup at {file}.")
        if unsigned:
            self.stderr.write(
                self.style.WARNING(
                    "WARNING: --unsigned: the archive's signature is not checked, so nothing "
                    "proves it is the backup that was written. Use it only for a development "
                    "copy you trust."
                )
            )
        try:
            encrypted = is_encrypted(file)
            if unencrypted and not encrypted:
                self.stderr.write(
                    self.style.WARNING(
                        "WARNING: --unencrypted: this archive is not encrypted; anyone who "
                        "had it could read it. Its signature is what proves it."
                    )
                )
            key = backup_key(key_file) if encrypted or not unsigned else None
            report = restore(file, key=key, unsigned=unsigned, unencrypted=unencrypted)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = report.manifest
        self.stdout.write(
            f"Restored the backup of {m.created} (version {m.app_version}, {m.vendor}): "
            f"{report.tables} tables, {report.rows} rows, {report.media_files} uploaded files."
        )
        if encrypted:
            self.stdout.write("Decrypted: every chunk of the archive is authentic and whole.")
        head = m.audit_head
        if head:
            self.stdout.write(f"Audit chain head: {head['id']} {head['hash']} {head['at']}")
        self.stdout.write(
            f"Checked: every row count and content hash matches the manifest; the audit "
            f"chain of {report.audit_records} records is whole and ends at the backup's head."
        )
        if report.needs_migrate:
            self.stdout.write(
                "This version has migrations the backup predates: run `reformledger migrate`."
            )
        self.stdout.write(self.style.SUCCESS("Restore complete."))
