"""The indicators workbook (指标表): one row per indicator in the office's layout — a title
row, a header row, then code, name, unit of measure, direction, owner unit, baseline,
the year's target, the latest actual, the track in its colour, and one column per
period of the year with the actual at its end. Written row by row in write-only mode
(exchange.writing), like the ledger's export."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from reformledger.exchange import writing
from reformledger.exchange.docx_layout import place_of
from reformledger.indicators import selectors
from reformledger.indicators.models import Indicator
from reformledger.ledger.models import Period

#: (label, width) of the fixed columns, in sheet order.
_FIXED = [
    (lambda: _("Code"), 10),
    (lambda: _("Indicator"), 34),
    (lambda: _("Unit of measure"), 10),
    (lambda: _("Direction"), 12),
    (lambda: _("Owner unit"), 20),
    (lambda: _("Baseline"), 12),
    (lambda: _("Target"), 12),
    (lambda: _("Latest actual"), 12),
    (lambda: _("Track"), 12),
]
_PERIOD_WIDTH = 11


def _number(value: Decimal | None, indicator: Indicator):
    """A figure rounded as the indicator shows it (a number cell, not text)."""
    if value is None:
        return None
    rounded = round(value, indicator.decimals)
    return int(rounded) if indicator.decimals == 0 else float(rounded)


def _title(rows: Sequence[Indicator], year: int) -> str:
    offices = {i.office_id: i.office for i in rows}
    place = place_of(next(iter(offices.values()))) if len(offices) == 1 else ""
    return _("%(place)s %(year)s reform indicators: targets and actuals") % {
        "place": place,
        "year": year,
    }


def write_indicators(rows: Sequence[Indicator], *, year: int) -> bytes:
    """The workbook of `rows` (indicators with their `facts` for `year`, as
    `selectors.indicator_list` gives them): three queries, whatever their number."""
    actuals = selectors.indicator_actuals(rows, year=year)
    periods = Period.objects.filter(office_id__in={i.office_id for i in rows}, year=year)
    labels = sorted({(p.start, p.end, p.label) for p in periods})
    seen = {a.period.label for found in actuals.values() for a in found.values()}
    labels += sorted({(None, None, label) for label in seen - {lbl for *_x, lbl in labels}})
    columns = list(dict.fromkeys(label for *_x, label in labels))

    wb = writing.new_workbook()
    ws = wb.create_sheet(writing.sheet_title(str(_("Indicators")), set()))
    widths = [w for _label, w in _FIXED] + [_PERIOD_WIDTH] * len(columns)
    writing.set_widths(ws, widths)
    ws.merged_cells.add(f"A1:{get_column_letter(len(widths))}1")
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "C3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.append([writing.cell(ws, _title(rows, year), style="title")])
    header = [str(label()) for label, _w in _FIXED] + columns
    ws.append([writing.cell(ws, text, style="header") for text in header])
    for n, indicator in enumerate(rows, start=3):
        facts = indicator.facts
        by_label = {a.period.label: a for a in actuals.get(indicator.pk, {}).values()}
        values = [
            indicator.code,
            indicator.name,
            indicator.measure,
            indicator.get_direction_display(),
            indicator.owner_unit.name,
            _number(indicator.baseline, indicator),
            _number(facts.target, indicator),
            _number(facts.latest.value, indicator) if facts.latest else None,
            str(facts.track.label),
            *[
                _number(by_label[label].value, indicator) if label in by_label else None
                for label in columns
            ],
        ]
        writing.fit_row(ws, n, values, widths)
        cells = []
        for index, value in enumerate(values):
            if index == 8:
                cells.append(writing.cell(ws, value, style="centre", fill=facts.track.colour))
            elif index in (1, 4):
                cells.append(writing.cell(ws, value, style="wrap"))
            else:
                cells.append(writing.cell(ws, value, style="centre"))
        ws.append(cells)
    return writing.to_bytes(wb)
