"""Every change to notices: sending one or many, reading them, e-mail.

A notice is written first and e-mailed after: the e-mail goes out from the task
queue (or from the reminders run, which already runs there), so a slow or broken
SMTP server never holds up a page or the reminders, and is retried later.

A notice about a unit (`unit`) is also posted to the unit's messenger robots (WeCom,
DingTalk): their deliveries are written in the notice's transaction and sent from the
queue (`messengers`).
"""

import datetime as dt
import logging
import smtplib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.notifications import messengers
from reformledger.notifications.choices import NotificationKind
from reformledger.notifications.models import Notification

logger = logging.getLogger(__name__)

# Keys looked up per query when checking which reminders were already sent.
_KEY_CHUNK = 1000
# Unsent e-mails older than this are no longer retried: the notice is in the app.
EMAIL_RETRY_HOURS = 24


@transaction.atomic
def notify(
    *,
    recipient,
    kind: str,
    key: str,
    title: str,
    body: str,
    link: str = "",
    task=None,
    unit=None,
) -> Notification | None:
    """Tell `recipient` something, in the app and by e-mail: once per `key`.

    `unit` (a unit or its id) is the unit the notice is about, whose messenger robots
    post it too (once per `key`, whoever else is told).

    Returns the notice, or None when a notice with this key was already sent to
    this recipient (so repeating an act or a reminder run sends nothing new).
    """
    if kind not in NotificationKind.values:
        raise ValidationError({"kind": _("Unknown kind of notice.")})
    if not key.strip():
        raise ValidationError({"key": _("A notice needs the key of its occasion.")})
    if link and (not link.startswith("/") or link.startswith("//")):
        # Shown as a link and e-mailed under SITE_URL: a path of this site only.
        raise ValidationError({"link": _("A notice links to a page of this site (/…).")})
    if Notification.objects.filter(recipient=recipient, key=key).exists():
        return None
    try:
        # A savepoint: a twin written at the same moment wins, this one is dropped.
        with transaction.atomic():
            notice = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                key=key,
                title=_one_line(title)[:300],
                body=body,
                link=link,
                task=task,
            )
    except IntegrityError:
        return None
    audit.record(
        actor=None,
        verb="notification.sent",
        obj=notice,
        ctx=task,
        changes={"recipient": [None, recipient.get_username()], "kind": [None, kind]},
    )
    if unit is not None:
        messengers.deliveries_write(
            [messengers.Outgoing(getattr(unit, "pk", unit), kind, key, notice.title, body, link)]
        )
    if recipient.email:
        # After commit, so the queue never sees a notice that was rolled back; robust,
        # so a queue that cannot be reached loses the e-mail, not the notice.
        transaction.on_commit(lambda: _queue_email(notice.pk), robust=True)
    return notice


def _queue_email(notification_id: int) -> None:
    from reformledger.notifications import tasks  # the tasks module imports services

    tasks.notification_email(notification_id)


@transaction.atomic
def notification_read(*, notification: Notification, by) -> Notification:
    """Mark one of the user's notices read. Reading it again changes nothing."""
    if notification.recipient_id != getattr(by, "pk", None):
        raise PermissionDenied("a notice is read only by its recipient")
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if updated:
        notification.read_at = now
        audit.record(actor=by, verb="notification.read", obj=notification, ctx=notification.task)
    return notification


@transaction.atomic
def notifications_read_all(*, by) -> int:
    """Mark every unread notice of the user read; returns how many were unread."""
    count = Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        audit.record(
            actor=by, verb="notification.read_all", obj=by, changes={"read": [None, count]}
        )
    return count


# --- Many notices at once ---------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """One notice to write in bulk (see `notify_many`)."""

    recipient_id: int
    kind: str
    key: str
    title: str
    body: str
    link: str = ""
    task_id: int | None = None
    unit_id: int | None = None  # the unit whose messenger robots post it too


def already_sent(keys: Iterable[str]) -> set[tuple[int, str]]:
    """(recipient id, key) of the notices already written under any of `keys`, so a run
    of reminders builds the words only of the ones still to send."""
    keys = sorted(set(keys))
    sent: set[tuple[int, str]] = set()
    for i in range(0, len(keys), _KEY_CHUNK):
        sent.update(
            Notification.objects.filter(key__in=keys[i : i + _KEY_CHUNK]).values_list(
                "recipient_id", "key"
            )
        )
    return sent


def notify_each(
    users,
    *,
    kind: str,
    key: str,
    title: str,
    body: str,
    link: str = "",
    task=None,
    unit=None,
) -> int:
    """Tell each of `users` the same thing (`notify`), once per `key`; returns how many
    were told now. The robots of `unit`, if given, post it once."""
    sent = 0
    for user in users:
        notice = notify(
            recipient=user,
            kind=kind,
            key=key,
            title=title,
            body=body,
            link=link,
            task=task,
            unit=unit,
        )
        sent += notice is not None
    return sent


def notify_many(*, drafts: list[Draft], verb: str, reason: str = "") -> Counter:
    """Write many notices in batches, each once per (recipient, key), with one audit
    record for the run, and the deliveries of the robots of each draft's unit (once per
    robot and key); then e-mail them. Returns how many of each kind were written.

    A run started at the same time may have written some of them already: the unique
    key keeps each one single (ignore_conflicts)."""
    notices = [
        Notification(
            recipient_id=d.recipient_id,
            kind=d.kind,
            key=d.key,
            title=_one_line(d.title)[:300],
            body=d.body,
            link=d.link,
            task_id=d.task_id,
        )
        for d in drafts
    ]
    counts = Counter(n.kind for n in notices)
    with transaction.atomic():
        Notification.objects.bulk_create(notices, batch_size=500, ignore_conflicts=True)
        messengers.deliveries_write(
            messengers.Outgoing(d.unit_id, d.kind, d.key, n.title, d.body, d.link)
            for d, n in zip(drafts, notices, strict=True)
            if d.unit_id is not None
        )
        if notices:
            audit.record(
                actor=None,
                verb=verb,
                changes={kind: [None, n] for kind, n in sorted(counts.items())},
                reason=reason,
            )
    if notices:
        notifications_email(_written(notices))
    return counts


def _written(notices: list[Notification]) -> list[Notification]:
    """The rows of `notices` as stored (with ids and recipients), for e-mailing."""
    wanted = {(n.recipient_id, n.key) for n in notices}
    keys = sorted({n.key for n in notices})
    rows: list[Notification] = []
    for i in range(0, len(keys), _KEY_CHUNK):
        chunk = Notification.objects.filter(
            key__in=keys[i : i + _KEY_CHUNK], emailed_at__isnull=True
        ).select_related("recipient")
        rows += [n for n in chunk if (n.recipient_id, n.key) in wanted]
    return rows


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- E-mail -----------------------------------------------------------------------


def notifications_email(notifications: Iterable[Notification]) -> int:
    """E-mail each notice to its recipient's address, once; returns how many went out.

    Recipients without an address are skipped (the notice stays in the app). Each
    notice is claimed before it is sent, so two runs never send it twice. A failure
    is logged, never raised: the notice's `emailed_at` stays empty and
    `notifications_email_pending` tries again later.
    """
    pending = [n for n in notifications if n.recipient.email and n.emailed_at is None]
    if not pending:
        return 0
    sent = 0
    connection = get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException):
        logger.exception("cannot reach the mail server; %d e-mails wait", len(pending))
        return 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for notice in pending:
                if not _claim(notice):
                    continue
                try:
                    send_mail(
                        _("[Reform Ledger] %(title)s") % {"title": _one_line(notice.title)},
                        _email_body(notice),
                        None,
                        [notice.recipient.email],
                        connection=connection,
                    )
                except (OSError, smtplib.SMTPException):
                    logger.exception("e-mail of notice %s failed", notice.pk)
                    Notification.objects.filter(pk=notice.pk).update(emailed_at=None)
                    notice.emailed_at = None
                else:
                    sent += 1
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("closing the mail connection failed", exc_info=True)
    return sent


def _claim(notice: Notification) -> bool:
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(
        emailed_at=now
    )
    if claimed:
        notice.emailed_at = now
    return bool(claimed)


def _email_body(notice: Notification) -> str:
    parts = [notice.body or notice.title]
    if notice.link:
        parts.append(settings.SITE_URL.rstrip("/") + notice.link)
    parts.append(_("— Reform Ledger. This notice is also under Notices in the ledger."))
    return "\n\n".join(parts)


def notification_email(*, notification_id: int) -> int:
    """E-mail one notice (the queue's task after `notify`); 0 if gone or already sent."""
    notices = Notification.objects.filter(pk=notification_id).select_related("recipient")
    return notifications_email(notices)


def notifications_email_pending(*, hours: int = EMAIL_RETRY_HOURS, limit: int = 5000) -> int:
    """Retry the e-mails that failed (or were never queued) in the last `hours` hours."""
    since = timezone.now() - dt.timedelta(hours=hours)
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=since)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("created_at")[:limit]
    )
    return notifications_email(pending)
