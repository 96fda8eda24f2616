"""`reformledger publish_audit_head`: write the audit chain's current head outside the
database, to the system log and the append-only head file, where `verify_audit`
checks against it. The task queue does the same every RL_AUDIT_PUBLISH_MINUTES."""

from django.core.management.base import BaseCommand, CommandError

from reformledger.audit.published import publish_head


class Command(BaseCommand):
    # Reads the database only: it runs as well on a system whose settings need attention.
    requires_system_checks = []
    help = (
        "Publish the audit chain's head (id, hash, algorithm, record time, time of "
        "publication) to the system log (RL_AUDIT_SYSLOG_ADDRESS) and as one JSON line to "
        "the append-only file RL_AUDIT_HEAD_FILE. A head already published last is not "
        "written again. Writes nothing to the database."
    )

    def handle(self, *args, **options):
        try:
            done = publish_head()
        except (OSError, ValueError) as exc:
            raise CommandError(f"The audit chain head was not published: {exc}") from exc
        if done.head is None:
            self.stdout.write("The audit trail is empty: no head to publish.")
            return
        h = done.head
        if done.already:
            self.stdout.write(
                f"Head #{h.id} {h.hash} was already published at {h.published} "
                f"({done.file}): not written again."
            )
            return
        self.stdout.write(f"Published head #{h.id} {h.hash} ({h.algorithm}, {h.at}).")
        if done.file is not None:
            self.stdout.write(f"  appended to {done.file}")
        if done.syslog:
            self.stdout.write(f"  sent to the system log at {done.syslog}")
        if done.file is None and not done.syslog and not done.syslog_error:
            self.stderr.write(
                self.style.WARNING(
                    "RL_AUDIT_HEAD_FILE and RL_AUDIT_SYSLOG_ADDRESS are both empty: the head "
                    "went nowhere."
                )
            )
        if done.syslog_error:
            raise CommandError(f"The system log did not take the head ({done.syslog_error}).")
