"""The daily reminders (DOMAIN: deadlines and reminders): reports, milestones and
closing requests that fall due or lapse tell the people responsible, in the app and
by e-mail, each reminder once per recipient.
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reformledger.ledger.selectors.reminders import Due, reminders_due
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind

#: The kinds `reminders_send` sends, in the order its counts are reported.
REMINDER_KINDS = tuple(k for k in NotificationKind if k != NotificationKind.NOTICE)


def reminders_send(today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder due on `today` (default: today) that was not sent before.

    Reads in bulk (a fixed number of queries, whatever the size of the ledger),
    writes the new notices in batches with one audit record for the run, then
    e-mails them. Returns how many notices of each kind were sent.
    """
    today = today or timezone.localdate()
    due = reminders_due(today)
    sent = notices.already_sent(d.key for d in due)
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        links: dict[int, str] = {}
        for d in due:
            fresh = [uid for uid in d.recipients if (uid, d.key) not in sent]
            if not fresh:
                continue
            if d.task_id not in links:
                links[d.task_id] = reverse("ledger:task", args=[d.task_id])
            title, body = _words(d)
            drafts += [
                notices.Draft(uid, d.kind, d.key, title, body, links[d.task_id], d.task_id)
                for uid in fresh
            ]
    counts = notices.notify_many(
        drafts=drafts, verb="reminders.sent", reason=f"reminders of {today.isoformat()}"
    )
    return {str(kind): counts.get(kind, 0) for kind in REMINDER_KINDS}


def _words(d: Due) -> tuple[str, str]:
    """The title and message of a reminder, in the active language."""
    f = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in d.facts.items()}
    kind = d.kind
    if kind == NotificationKind.REPORT_DUE:
        title = _("Progress report due %(due)s: %(code)s %(title)s")
        body = _(
            "The progress report on task %(code)s %(title)s for period %(period)s is due "
            "on %(due)s. Please file it in the ledger."
        )
    elif kind == NotificationKind.REPORT_LATE:
        title = _("Progress report late: %(code)s %(title)s")
        body = _(
            "The progress report on task %(code)s %(title)s for period %(period)s was due "
            "on %(due)s and has not been filed."
        )
    elif kind == NotificationKind.MILESTONE_DUE:
        title = _("Milestone due %(date)s: %(milestone)s (%(code)s)")
        body = _("Milestone “%(milestone)s” of task %(code)s %(title)s is planned for %(date)s.")
    elif kind == NotificationKind.MILESTONE_OVERDUE:
        title = _("Milestone overdue: %(milestone)s (%(code)s)")
        body = _(
            "Milestone “%(milestone)s” of task %(code)s %(title)s was planned for %(date)s "
            "and has not been reached."
        )
    elif kind == NotificationKind.CLOSING_TO_SIGN:
        title = _("Closing request to sign: %(code)s %(title)s")
        body = _(
            "The closing request of task %(code)s %(title)s (document %(document)s) awaits "
            "the unit head's signature."
        )
    elif kind == NotificationKind.CLOSING_TO_APPROVE:
        title = _("Closing request to approve: %(code)s %(title)s")
        body = _(
            "The closing request of task %(code)s %(title)s (document %(document)s) was "
            "signed by the unit head and awaits an office leader's approval."
        )
    else:  # closing_stale
        title = _("Closing request pending for %(days)s days: %(code)s %(title)s")
        body = _(
            "The closing request of task %(code)s %(title)s (document %(document)s), filed "
            "on %(requested)s, is still pending."
        )
    return title % f, body % f
