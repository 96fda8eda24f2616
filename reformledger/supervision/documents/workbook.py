"""The supervision workbook (督查督办台账) of a year: one sheet each for leader links,
supervision meetings, leading-group meetings (the documents each reviewed and the four
parts of each collective review), reform documents, supervision orders and action
items.

Every sheet starts from the same scoped selector as the pages, so a file holds only
what its user may see: the office's people get the whole of their offices' work, a
unit's liaison only the orders and action items addressed to its unit (and the
documents it drafts). Each sheet has a title row and one header row; dates are
written as dates; text a spreadsheet would run as a formula stays text
(`writing.cell`). Written row by row in write-only mode, at a fixed number of
queries whatever the number of rows.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from reformledger.core.clock import business_today
from reformledger.exchange import writing
from reformledger.exchange.docx_layout import place_of
from reformledger.exchange.writing import yes_no
from reformledger.ledger.models import Task
from reformledger.ledger.selectors import reference_dates
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any
from reformledger.supervision import permissions, selectors
from reformledger.supervision.choices import OrderLevel
from reformledger.supervision.models import (
    Answer,
    CollectiveReview,
    LeadingGroupMeeting,
    ReformDocument,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Column:
    label: str
    width: int
    style: str = "centre"  # "wrap" for long text


def _c(label, width: int, style: str = "centre") -> Column:
    return Column(label, width, style)


LINKS = [
    _c(gettext_lazy("No."), 6),
    _c(gettext_lazy("Task code"), 12),
    _c(gettext_lazy("Key task"), 36, "wrap"),
    _c(gettext_lazy("Lead unit"), 16),
    _c(gettext_lazy("Linked leader"), 12),
    _c(gettext_lazy("Linked on"), 12),
    _c(gettext_lazy("Ended on"), 12),
]
MEETINGS = [
    _c(gettext_lazy("No."), 6),
    _c(gettext_lazy("Date"), 12),
    _c(gettext_lazy("Topic"), 30, "wrap"),
    _c(gettext_lazy("Attendees"), 24, "wrap"),
    _c(gettext_lazy("Tasks discussed"), 18, "wrap"),
    _c(gettext_lazy("Minutes"), 40, "wrap"),
    _c(gettext_lazy("Action items"), 10),
]
GROUP_MEETINGS = [
    _c(gettext_lazy("Meeting"), 10),
    _c(gettext_lazy("Date"), 12),
    _c(gettext_lazy("Attendees"), 20, "wrap"),
    _c(gettext_lazy("Documents reviewed"), 32, "wrap"),
    _c(gettext_lazy("Task reviewed"), 26, "wrap"),
    _c(gettext_lazy("Results affirmed"), 30, "wrap"),
    _c(gettext_lazy("Problems named"), 30, "wrap"),
    _c(gettext_lazy("Causes analysed"), 30, "wrap"),
    _c(gettext_lazy("Improvements required"), 30, "wrap"),
    _c(gettext_lazy("Action items"), 10),
]
#: The meeting's own columns, merged down over the rows of its reviews.
GROUP_MEETING_SPAN = 4
DOCUMENTS = [
    _c(gettext_lazy("No."), 6),
    _c(gettext_lazy("Title"), 40, "wrap"),
    _c(gettext_lazy("Drafting unit"), 16),
    _c(gettext_lazy("Status"), 10),
    _c(gettext_lazy("Document number"), 20),
    _c(gettext_lazy("Issued on"), 12),
    _c(gettext_lazy("Task code"), 12),
    _c(gettext_lazy("Reviewed at meetings"), 14),
]
ORDERS = [
    _c(gettext_lazy("Number"), 18),
    _c(gettext_lazy("Level"), 10),
    _c(gettext_lazy("Responsible unit"), 16),
    _c(gettext_lazy("Task"), 30, "wrap"),
    _c(gettext_lazy("Basis"), 30, "wrap"),
    _c(gettext_lazy("Demand"), 36, "wrap"),
    _c(gettext_lazy("Issued on"), 12),
    _c(gettext_lazy("Deadline"), 12),
    _c(gettext_lazy("Status"), 10),
    _c(gettext_lazy("Escalations"), 8),
    _c(gettext_lazy("Answered late"), 10),
    _c(gettext_lazy("Accepted on"), 12),
]
ITEMS = [
    _c(gettext_lazy("No."), 6),
    _c(gettext_lazy("Set by"), 28, "wrap"),
    _c(gettext_lazy("Responsible unit"), 16),
    _c(gettext_lazy("Task"), 30, "wrap"),
    _c(gettext_lazy("Demand"), 36, "wrap"),
    _c(gettext_lazy("Deadline"), 12),
    _c(gettext_lazy("Status"), 10),
    _c(gettext_lazy("Days overdue"), 8),
    _c(gettext_lazy("Answered late"), 10),
    _c(gettext_lazy("Accepted on"), 12),
]

#: (sheet name, columns) in workbook order.
SHEETS = [
    (gettext_lazy("Leader links"), LINKS),
    (gettext_lazy("Supervision meetings"), MEETINGS),
    (gettext_lazy("Leading group meetings"), GROUP_MEETINGS),
    (gettext_lazy("Reform documents"), DOCUMENTS),
    (gettext_lazy("Supervision orders"), ORDERS),
    (gettext_lazy("Action items"), ITEMS),
]


# --- what the file holds ---------------------------------------------------------------


def export_year(params, user, today: dt.date | None = None) -> int:
    """The year asked for with `?year=`, checked (a ValidationError naming `year`);
    without one, the latest year of the user's supervision work, else this year."""
    values = params.getlist("year") if hasattr(params, "getlist") else [params.get("year")]
    values = [v for v in values if v not in (None, "")]
    if len(values) > 1:
        raise ValidationError({"year": _("Give the year once.")})
    if values:
        text = values[0].strip()
        if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
            raise ValidationError(
                {
                    "year": _("Give a year between %(first)s and %(last)s, e.g. 2016.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                }
            )
        return int(text)
    latest = [
        permissions.visible_orders(user).aggregate(y=Max("year"))["y"],
        permissions.visible_leading_group_meetings(user).aggregate(y=Max("year"))["y"],
    ]
    latest = [y for y in latest if y]
    return max(latest) if latest else (today or business_today()).year


def workbook_title(user, year: int) -> str:
    """The workbook's title: the office's place and the year for the office's people
    (惠州市 2016), the unit's name for a unit's people."""
    scopes = scopes_of(user)
    offices = list(
        Unit.objects.filter(kind="office").filter(
            under_any("", scopes.paths(*permissions.READERS))
        )[:2]
    )
    if len(offices) == 1:
        place = place_of(offices[0])
    else:
        units = list(Unit.objects.filter(path__in=scopes.paths(*permissions.UNIT))[:2])
        place = units[0].name if len(units) == 1 else ""
    return _("%(place)s %(year)s supervision ledger") % {"place": place, "year": year}


def _day(moment: dt.datetime | None) -> dt.date | None:
    # Spreadsheets hold no time zones: a moment is written as its local date.
    return timezone.localdate(moment) if moment else None


def _task(task: Task | None) -> str:
    return f"{task.code} {task.title}" if task else ""


def _answers(matter_field: str):
    """(answered, answered late) as annotations of orders or action items."""
    answers = Answer.objects.filter(**{matter_field: OuterRef("pk")})
    return {"answered": Exists(answers), "answered_late": Exists(answers.filter(late=True))}


def _late(matter) -> str:
    return yes_no(matter.answered_late) if matter.answered else ""


def link_rows(user, year: int):
    links = selectors.links(user).filter(task__year=year).order_by("task__code", "linked_at")
    for n, link in enumerate(links, start=1):
        yield [
            n,
            link.task.code,
            link.task.title,
            link.task.lead_unit.name,
            str(link.leader),
            _day(link.linked_at),
            _day(link.ended_at),
        ]


def meeting_rows(user, year: int):
    meetings = (
        selectors.supervision_meetings(user)
        .filter(held_on__year=year)
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.order_by("code")))
        .order_by("held_on", "pk")
    )
    for n, m in enumerate(meetings, start=1):
        codes = "、".join(t.code for t in m.tasks.all())
        yield [n, m.held_on, m.topic, m.attendees, codes, m.minutes, m.n_items]


def group_meeting_rows(user, year: int):
    """One row per collective review (a meeting without reviews has one row); the
    meeting's own cells are given on its first row only (`None` after)."""
    reviews = CollectiveReview.objects.select_related("task").annotate(
        n_items=Count("action_items")
    )
    meetings = (
        selectors.leading_group_meetings(user)
        .filter(year=year)
        .prefetch_related(
            Prefetch("documents", queryset=ReformDocument.objects.order_by("pk")),
            Prefetch("reviews", queryset=reviews.order_by("pk")),
        )
        .order_by("number")
    )
    for m in meetings:
        head = [
            _("Meeting %(n)s") % {"n": m.number},
            m.held_on,
            m.attendees,
            "\n".join(f"《{d.title}》" for d in m.documents.all()),
        ]
        rows = list(m.reviews.all()) or [None]
        for i, r in enumerate(rows):
            cells = head if i == 0 else [None] * GROUP_MEETING_SPAN
            if r is None:
                yield len(rows), [*cells, "", "", "", "", "", 0]
            else:
                yield (
                    len(rows),
                    [
                        *cells,
                        _task(r.task),
                        r.achievements,
                        r.problems,
                        r.causes,
                        r.improvements,
                        r.n_items,
                    ],
                )


def document_rows(user, year: int):
    docs = (
        selectors.documents(user)
        .filter(year=year)
        .prefetch_related(
            Prefetch("meetings", queryset=LeadingGroupMeeting.objects.order_by("number"))
        )
        .order_by("pk")
    )
    for n, d in enumerate(docs, start=1):
        yield [
            n,
            d.title,
            d.drafting_unit.name,
            d.get_status_display(),
            d.document_no,
            d.issued_on,
            d.task.code if d.task_id else "",
            "、".join(str(m.number) for m in d.meetings.all()),
        ]


def order_rows(user, year: int):
    orders = (
        selectors.orders(user).filter(year=year).annotate(**_answers("order")).order_by("number")
    )
    for o in orders:
        yield (
            o,
            [
                o.label,
                OrderLevel(o.level),
                o.unit.name,
                _task(o.task),
                o.basis,
                o.demand,
                _day(o.issued_at),
                o.deadline,
                o.get_status_display(),
                o.escalations,
                _late(o),
                _day(o.closed_at),
            ],
        )


def item_rows(user, year: int, today: dt.date):
    items = list(
        selectors.action_items(user)
        .filter(Q(meeting__held_on__year=year) | Q(review__meeting__year=year))
        .annotate(**_answers("action_item"))
        .order_by("deadline", "pk")
    )
    # Days overdue as the pages count them: to the item's ledger year's reference date.
    selectors.mark_overdue(items, reference_dates(today))
    for n, i in enumerate(items, start=1):
        late = i.days_overdue
        yield [
            n,
            str(i.meeting) if i.meeting_id else str(i.review),
            i.unit.name,
            _task(i.task),
            i.demand,
            i.deadline,
            i.get_status_display(),
            late,
            _late(i),
            _day(i.closed_at),
        ]


# --- writing -------------------------------------------------------------------------------


def _start(wb, taken: set[str], name: str, title: str, columns: list[Column]):
    ws = wb.create_sheet(writing.sheet_title(name, taken))
    writing.set_widths(ws, [c.width for c in columns])
    ws.merged_cells.add(f"A1:{get_column_letter(len(columns))}1")
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.append([writing.cell(ws, title, style="title")])
    ws.append([writing.cell(ws, str(c.label), style="header") for c in columns])
    return ws


def _append(ws, row: int, values: list, columns: list[Column]) -> None:
    widths = [c.width for c in columns]
    writing.fit_row(ws, row, values, widths)
    cells = []
    for value, column in zip(values, columns, strict=True):
        if isinstance(value, OrderLevel):
            cells.append(writing.cell(ws, str(value.label), style="centre", fill=value.colour))
        else:
            cells.append(writing.cell(ws, value, style=column.style))
    ws.append(cells)


def write_supervision(user, *, year: int, today: dt.date | None = None) -> tuple[bytes, int]:
    """The supervision workbook of `year` as `user` may see it, and its number of data
    rows (all sheets together)."""
    today = today or business_today()
    wb = writing.new_workbook()
    taken: set[str] = set()
    title = workbook_title(user, year)
    count = 0

    def start(index: int):
        name, columns = SHEETS[index]
        return _start(wb, taken, str(name), f"{title}：{name}", columns), columns

    for index, rows in ((0, link_rows(user, year)), (1, meeting_rows(user, year))):
        ws, columns = start(index)
        for n, values in enumerate(rows, start=3):
            _append(ws, n, values, columns)
            count += 1

    ws, columns = start(2)
    row = 3
    for span, values in group_meeting_rows(user, year):
        if values[0] is not None and span > 1:
            for col in range(1, GROUP_MEETING_SPAN + 1):
                letter = get_column_letter(col)
                ws.merged_cells.add(f"{letter}{row}:{letter}{row + span - 1}")
        _append(ws, row, values, columns)
        row += 1
        count += 1

    ws, columns = start(3)
    for n, values in enumerate(document_rows(user, year), start=3):
        _append(ws, n, values, columns)
        count += 1

    ws, columns = start(4)
    for n, (_order, values) in enumerate(order_rows(user, year), start=3):
        _append(ws, n, values, columns)
        count += 1

    ws, columns = start(5)
    for n, values in enumerate(item_rows(user, year, today), start=3):
        _append(ws, n, values, columns)
        count += 1
    return writing.to_bytes(wb), count
