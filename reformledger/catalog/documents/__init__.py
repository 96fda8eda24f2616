"""The lists' sheets, read and written in the layout departments publish them in.

A department's list of powers (权责清单) is printed with a title row and notes above
two-row headers (事项名称 over 主项 and 子项), a group row per department
(一、市发展改革局（共N项）), each main item with its sub-items below and its cells merged
down over them, line breaks inside long cells, full-width digits and spaces, items
that have no code yet, and a total row at the foot. `read_lists` reads such a workbook
into departments' parts, row by row, and names every error by sheet, row and column;
it writes nothing (see `services.imports`). `write_edition_xlsx` writes an edition
back in the same layout, and `write_comparison_xlsx` the details of a comparison.
"""

from reformledger.catalog.documents.export import (
    chinese_number,
    write_comparison_xlsx,
    write_edition_xlsx,
)
from reformledger.catalog.documents.reading import (
    KINDS,
    POWER_COLUMNS,
    ROW_FIELDS,
    SERVICE_COLUMNS,
    ListCheck,
    PartRows,
    RowItem,
    fingerprint_of,
    long_text,
    one_line,
    read_lists,
)

__all__ = [
    "KINDS",
    "POWER_COLUMNS",
    "ROW_FIELDS",
    "SERVICE_COLUMNS",
    "ListCheck",
    "PartRows",
    "RowItem",
    "chinese_number",
    "fingerprint_of",
    "long_text",
    "one_line",
    "read_lists",
    "write_comparison_xlsx",
    "write_edition_xlsx",
]
