"""Content (blocks.py) laid out as a Word document in the official layout
(`exchange.docx_layout`, GB/T 9704): a cover with the title, issuer, number and date; the
contents; the blocks; every chart drawn on the server (`exchange.charts`) with its table
beside it. The same content gives byte-identical bytes (the document's stamps are the
content's date, not the clock's)."""

import datetime as dt

from docx.enum.text import WD_ALIGN_PARAGRAPH

from reformledger.exchange import docx_layout as layout
from reformledger.publications.content.blocks import headings, number_text


def _stamp(content: dict) -> dt.datetime:
    day = dt.date.fromisoformat(content["date"]) if content.get("date") else dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def _chart_png(block: dict) -> bytes:
    from reformledger.exchange import charts  # matplotlib, loaded only to draw

    if block["kind"] == "pie":
        _name, values = block["series"][0]
        return charts.pie_chart(block["caption"], block["categories"], values)
    return charts.bar_chart(
        block["caption"],
        block["categories"],
        [(name, values) for name, values in block["series"]],
        stacked=block.get("stacked", False),
        colours=block.get("colours"),
    )


def _caption(doc, text: str) -> None:
    if text:
        layout.paragraph(
            doc, text, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, font=layout.HEADING_FONT
        )


def _table(doc, block: dict) -> None:
    _caption(doc, block.get("caption", ""))
    widths = block.get("widths")
    n = len(block["header"])
    if not widths:
        widths = [15.6 / n] * n
    layout.table(doc, block["header"], block["rows"], widths)


def render(content: dict, *, page_numbers: dict[str, int] | None = None) -> bytes:
    """The content as .docx bytes; `page_numbers` (heading text -> page) fills in the
    contents when a layout pass has counted them."""
    doc = layout.new_document(number_first_page=False)
    # The cover.
    for _ in range(3):
        layout.paragraph(doc)
    layout.title(doc, content["title"])
    if content.get("subtitle"):
        layout.paragraph(doc, content["subtitle"], align=WD_ALIGN_PARAGRAPH.CENTER)
    if content.get("document_no"):
        layout.document_number(doc, content["document_no"])
    for _ in range(6):
        layout.paragraph(doc)
    day = dt.date.fromisoformat(content["date"]) if content.get("date") else None
    if day is not None:
        layout.issuer_and_date(doc, content["issuer"], day)
    else:
        layout.paragraph(doc, content["issuer"], align=WD_ALIGN_PARAGRAPH.CENTER)
    layout.page_break(doc)
    # The contents.
    entries = [(level, text, (page_numbers or {}).get(text)) for level, text in headings(content)]
    layout.contents(doc, entries)
    layout.page_break(doc)
    # The body.
    for block in content["blocks"]:
        kind = block["t"]
        if kind == "h":
            layout.heading(doc, block["level"], block["text"])
        elif kind in ("p", "n"):
            layout.body(doc, block["text"])
        elif kind == "table":
            _table(doc, block)
        elif kind == "chart":
            layout.figure(doc, _chart_png(block), width_mm=150, caption=block["caption"])
            header = [
                block.get("category_label") or "项目",
                *[name for name, _v in block["series"]],
            ]
            rows = [
                [category, *[number_text(values[i]) for _name, values in block["series"]]]
                for i, category in enumerate(block["categories"])
            ]
            _table(doc, {"caption": "", "header": header, "rows": rows, "widths": None})
        elif kind == "break":
            layout.page_break(doc)
    return layout.to_bytes(doc, stamp=_stamp(content))


def fingerprint() -> dict:
    """What besides the content changes the document's bytes: the layout's fonts."""
    return {name: layout.font_of(name) for name in layout.FONT_SETTINGS}
