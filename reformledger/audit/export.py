"""The filtered audit trail as an Excel workbook, for the auditor to take away.

Written row by row in openpyxl's write-only mode (the exchange app's helpers, which
also keep text that looks like a formula as text: a reason typed as "=cmd|..." must
not run when the auditor opens the file). Times are given in UTC and local time; acts,
object types and changes in words (`audit.labels`), the act's code last for filtering.
"""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit import labels
from reformledger.audit.models import AuditRecord
from reformledger.exchange import writing

#: At most this many records go into one file; the title says when more matched.
MAX_ROWS = 100_000
_WIDTHS = [10, 20, 20, 14, 22, 18, 24, 10, 16, 30, 50, 30, 66, 22]


def _columns() -> list[str]:
    return [
        _("Record"),
        _("Time (UTC)"),
        _("Local time"),
        _("User"),
        _("Name"),
        _("Address"),
        _("Act"),
        _("Outcome"),
        _("Object type"),
        _("Object"),
        _("Changes"),
        _("Reason"),
        _("Hash"),
        _("Act code"),
    ]


def write_trail(records: QuerySet[AuditRecord], *, total: int) -> tuple[bytes, int]:
    """The workbook of `records` (newest first, at most MAX_ROWS) and its row count."""
    wb = writing.new_workbook()
    ws = wb.create_sheet(_("Audit trail")[:31])
    writing.set_widths(ws, _WIDTHS)
    ws.freeze_panes = "A3"
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    title = _("Audit trail, exported %(now)s: %(rows)s of %(total)s records") % {
        "now": now,
        "rows": min(total, MAX_ROWS),
        "total": total,
    }
    ws.append([writing.cell(ws, title, style="title")])
    ws.append([writing.cell(ws, name, style="header") for name in _columns()])
    count = 0
    for rec in records[:MAX_ROWS].iterator(chunk_size=2000):
        ws.append(
            writing.plain_row(
                ws,
                [
                    rec.pk,
                    rec.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    timezone.localtime(rec.at).strftime("%Y-%m-%d %H:%M:%S"),
                    rec.actor_label if rec.actor_id else labels.actor(rec),
                    rec.actor.full_name if rec.actor_id and rec.actor else "",
                    rec.address,
                    labels.describe(rec.verb),
                    labels.outcome_words(rec.outcome),
                    labels.object_label(rec.obj_type) if rec.obj_type else "",
                    f"{rec.obj_repr} (#{rec.obj_id})" if rec.obj_id else rec.obj_repr,
                    "\n".join(str(line) for line in labels.lines(rec, technical=True)),
                    labels.reason(rec),
                    rec.hash,
                    rec.verb,
                ],
            )
        )
        count += 1
    return writing.to_bytes(wb), count
