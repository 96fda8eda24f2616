"""What an import reports when it refuses a file: each error named by sheet, row and column."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class CellError:
    """One thing wrong with an uploaded file, where it is, in the reader's language.

    `row` is the spreadsheet's own row number (1 = the first row) and `column` the
    header text with its letter, e.g. "完成时限 (J)"; either is empty when the error
    is about the whole file or a whole sheet.
    """

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        if self.sheet and self.row and self.column:
            where = _("Sheet %(sheet)s, row %(row)s, column %(column)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "column": self.column,
            }
        elif self.sheet and self.row:
            where = _("Sheet %(sheet)s, row %(row)s") % {"sheet": self.sheet, "row": self.row}
        elif self.sheet and self.column:
            where = _("Sheet %(sheet)s, column %(column)s") % {
                "sheet": self.sheet,
                "column": self.column,
            }
        elif self.sheet:
            where = _("Sheet %(sheet)s") % {"sheet": self.sheet}
        else:
            return self.message
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self) | {"text": str(self)}


class ImportRefused(Exception):
    """The file is refused whole; `errors` says every reason found, and nothing was written."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


def refused(message: str) -> ImportRefused:
    """A refusal of the whole file for one reason (not a zip, too large, macros…)."""
    return ImportRefused([CellError(message=message)])
