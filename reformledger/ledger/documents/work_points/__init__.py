"""Reading the year's work points (年度工作要点) or a task-decomposition plan into draft
tasks: `reading` walks the numbering, `parts` splits an item into its parts,
`tables` reads a table like a task-list sheet, `text` gives the document's
paragraphs and tables, `preview` shows the drafts to the clerk."""

from reformledger.ledger.documents.work_points.items import (
    Heading,
    Item,
    Line,
    Stray,
    Units,
    WorkPointsFile,
    number_length,
    paragraph_hash,
    title_key,
)
from reformledger.ledger.documents.work_points.parts import choose_deadline, read_item
from reformledger.ledger.documents.work_points.reading import read_work_points

__all__ = [
    "Heading",
    "Item",
    "Line",
    "Stray",
    "Units",
    "WorkPointsFile",
    "choose_deadline",
    "number_length",
    "paragraph_hash",
    "read_item",
    "read_work_points",
    "title_key",
]
