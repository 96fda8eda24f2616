"""What the evaluation services share: text checks, locking an evaluation in the state
an act needs, moving it along, notices, and keeping evidence files."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.evaluation.models import Evaluation, EvaluationFile
from reformledger.ledger.evidence import check_upload, store_checked
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind

STATE_FIELDS = ("status", "total_score", "return_reason", "conclusion")


def text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def locked(evaluation: Evaluation, *statuses: str) -> Evaluation:
    """The evaluation's row locked and read again; a ConflictError when it is in none of
    `statuses` (someone moved it on since the page was read, or the act is repeated)."""
    row = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("office", "team")
        .get(pk=evaluation.pk)
    )
    if statuses and row.status not in statuses:
        raise ConflictError(
            _("The evaluation “%(title)s” is %(status)s: this act is not possible now.")
            % {"title": row.title, "status": row.get_status_display()}
        )
    return row


def move(evaluation: Evaluation, status: str, *, by, verb: str, reason: str = "", **fields):
    """Set the evaluation's new state (and the fields going with it), bump its version
    and record the change."""
    before = audit.snapshot(evaluation, STATE_FIELDS)
    evaluation.status = status
    for name, value in fields.items():
        setattr(evaluation, name, value)
    evaluation.version += 1
    evaluation.save(update_fields=["status", "version", *fields])
    audit.record(
        actor=by,
        verb=verb,
        obj=evaluation,
        changes={
            **audit.diff(before, audit.snapshot(evaluation, STATE_FIELDS)),
            "acted_on": business_today().isoformat(),
        },
        reason=reason,
    )
    return evaluation


def link(evaluation: Evaluation, anchor: str = "") -> str:
    url = reverse("evaluation:detail", args=[evaluation.pk])
    return f"{url}#{anchor}" if anchor else url


def tell(users, *, key: str, title: str, body: str, link: str) -> int:
    """Tell each of `users` in the app and by e-mail, once per `key`."""
    return notices.notify_each(
        users, kind=NotificationKind.NOTICE, key=key, title=title, body=body, link=link
    )


def store_files(evaluation: Evaluation, uploads, *, by, kind: str, **links) -> list:
    """Check every upload first (a refused one refuses all), then keep them with the
    evaluation; each audited."""
    uploads = [u for u in (uploads or []) if u]
    checked = [(u, check_upload(u)) for u in uploads]
    stored = []
    for upload, info in checked:
        row = store_checked(
            EvaluationFile,
            upload,
            info,
            evaluation=evaluation,
            kind=kind,
            uploaded_by=by,
            **links,
        )
        audit.record(
            actor=by,
            verb="evaluation.file_added",
            obj=row,
            ctx=evaluation,
            changes={"file_name": info.name, "kind": kind},
        )
        stored.append(row)
    return stored


def file_open(*, stored: EvaluationFile, by):
    """Open an evaluation's file for download (the caller checked visibility); audited."""
    audit.record(actor=by, verb="file.downloaded", obj=stored, ctx=stored.evaluation)
    stored.file.open("rb")
    return stored.file
