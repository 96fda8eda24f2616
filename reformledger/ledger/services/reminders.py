"""The daily reminders (DOMAIN: deadlines and reminders): reports, milestones and
closing requests that fall due or lapse tell the people responsible, in the app and
by e-mail, each reminder once per recipient.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_today
from reformledger.ledger import permissions
from reformledger.ledger.selectors.reminders import Due, reminders_due, unit_people
from reformledger.ledger.selectors.staleness import attach_units, staleness_by_unit
from reformledger.notifications import services as notices
from reformledger.notifications.choices import REMINDER_KINDS, NotificationKind
from reformledger.orgs.models import Unit


def reminders_send(today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder due on `today` (default: today) that was not sent before.

    Reads in bulk (a fixed number of queries, whatever the size of the ledger),
    writes the new notices in batches with one audit record for the run, then
    e-mails them. Returns how many notices of each kind were sent.
    """
    today = today or business_today()
    due = reminders_due(today)
    sent = notices.already_sent(d.key for d in due)
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        for d in due:
            fresh = [uid for uid in d.recipients if (uid, d.key) not in sent]
            if not fresh:
                continue
            title, body = _words(d)
            link = _link(d)
            drafts += [
                notices.Draft(uid, d.kind, d.key, title, body, link, d.task_id, d.unit_id)
                for uid in fresh
            ]
    counts = notices.notify_many(
        drafts=drafts, verb="reminders.sent", reason=f"reminders of {today.isoformat()}"
    )
    return {str(kind): counts.get(kind, 0) for kind in REMINDER_KINDS}


def _link(d: Due) -> str:
    """The page a reminder opens: where its recipients do the act it is about, as their
    next acts (待办) link it — the report form of the period, the task's reports (the
    head's), its plan, its closing."""
    if d.page == "report":
        return reverse("ledger:report_file", args=[d.task_id]) + f"?period={d.facts['period_id']}"
    if d.page == "reports":
        return reverse("ledger:task_reports", args=[d.task_id])
    if d.page == "closing":
        return reverse("ledger:task_closing", args=[d.task_id])
    if d.page == "plan":
        return reverse("ledger:task", args=[d.task_id]) + "#plan"
    return reverse("ledger:task", args=[d.task_id])


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


# --- Reminding lagging units by hand (the staleness page) ---------------------------


@dataclass
class RemindRun:
    """What reminding lagging units did: the units reminded, those reminded today
    already, those with nobody to tell, and how many notices went out."""

    reminded: list[Unit] = field(default_factory=list)
    already: list[Unit] = field(default_factory=list)
    nobody: list[Unit] = field(default_factory=list)
    notices: int = 0


@transaction.atomic
def staleness_remind(
    *, units: Iterable[int], by, year: int | None = None, today: dt.date | None = None
) -> RemindRun:
    """Remind several lagging lead units at once (催报), as the office does from the
    staleness page: one reminder to each unit — to its liaisons and head (or those of
    the unit above, where it has none) — saying what it owes, at most once per unit a
    day (a second run the same day sends nothing to it). Only office staff and
    leaders, and only units that lead open tasks they see (of `year`). One audit
    record for the act, beside each notice's own.
    """
    if not permissions.can_remind_units(by):
        raise PermissionDenied("staleness_remind")
    wanted = {int(u) for u in units}
    if not wanted:
        raise ValidationError({"units": _("Tick the units to remind.")})
    rows = {r.unit_id: r for r in staleness_by_unit(by, year=year) if r.unit_id in wanted}
    if wanted - rows.keys():
        raise ValidationError(
            {"units": _("Only lead units of open tasks you see can be reminded from here.")}
        )
    attach_units(list(rows.values()))
    today = today or business_today()
    people = unit_people({pk: r.unit.path for pk, r in rows.items()})
    users = get_user_model().objects.in_bulk({uid for ids in people.values() for uid in ids})
    run = RemindRun()
    with translation.override(settings.LANGUAGE_CODE):
        link = reverse("ledger:my_work")
        for unit_id in sorted(rows, key=lambda pk: rows[pk].unit.path):
            row, unit = rows[unit_id], rows[unit_id].unit
            recipients = [users[uid] for uid in people[unit_id] if uid in users]
            if not recipients:
                run.nobody.append(unit)
                continue
            facts = {
                "unit": unit.name,
                "open": row.open_tasks,
                "missing": row.missing_reports,
                "days": row.days_silent if row.days_silent is not None else "—",
            }
            title = _("The reform office reminds %(unit)s to report progress") % facts
            body = (
                _(
                    "%(unit)s leads %(open)s open tasks: %(missing)s progress reports missing, "
                    "%(days)s days without a progress report. Please file the reports in the "
                    "ledger."
                )
                % facts
            )
            sent = [
                notices.notify(
                    recipient=user,
                    kind=NotificationKind.REPORT_LATE,
                    key=f"staleness:{unit_id}:{today.isoformat()}",
                    title=title,
                    body=body,
                    link=link,
                    unit=unit_id,
                )
                for user in recipients
            ]
            written = sum(1 for n in sent if n is not None)
            (run.reminded if written else run.already).append(unit)
            run.notices += written
    if run.reminded:
        audit.record(
            actor=by,
            verb="staleness.reminded",
            changes={
                "units": [None, [u.name for u in run.reminded]],
                "notices": [None, run.notices],
            },
            reason=f"reminders of {today.isoformat()}",
        )
    return run
