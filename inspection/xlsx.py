"""Small openpyxl helpers shared by every workbook the app reads or writes."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def text_cell(ws, value) -> WriteOnlyCell:
    """A cell that holds what a user typed as text, never as a formula.

    openpyxl turns any string starting with "=" into a formula; a store name or a
    note must not become one (the pretix safe_openpyxl rule).
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    return cell


def read_sheet(file: str | IO[bytes], sheet: str | None = None) -> Iterator[tuple[int, dict]]:
    """Yield (spreadsheet row number, {header: value}) for each non-empty data row.

    Headers are the first row, stripped; values keep openpyxl's types (dates as
    datetimes, numbers as int/float, text as str).
    """
    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        ws = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            yield number, dict(zip(headers, values, strict=False))
    finally:
        workbook.close()


@dataclass(frozen=True)
class CellError:
    """One bad cell of an uploaded spreadsheet: its row, its column header, and why."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
