"""Writing workbooks: text that stays text, and the import templates.

openpyxl turns any string starting with "=" into a formula and "#N/A" into an error
value; a store name or a note must be neither (the pretix safe_openpyxl rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter


def text_cell(ws, value) -> WriteOnlyCell:
    """A cell that holds what a user typed as text, never as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    return cell


def text_value(ws, value: str) -> str | WriteOnlyCell:
    """`text_cell`, or the plain string where openpyxl writes it as text anyway: a
    workbook holds hundreds of thousands of texts and a cell object each is slow."""
    if value[:1] == "=" or value in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(value):
        return text_cell(ws, value)
    return value


@dataclass(frozen=True)
class TemplateColumn:
    """A column of an import template and its row of the 说明 guide."""

    # What the header row holds, typed back in on import.
    header: str
    width: float
    # The guide's cells after the header: what the column holds, what to enter.
    guide: tuple[str, ...]


BOLD = Font(bold=True)
GUIDE_TEXT = Alignment(wrap_text=True, vertical="top")


def _row(ws, values, *, font=None, alignment=None) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = text_cell(ws, value)
        if font:
            cell.font = font
        if alignment:
            cell.alignment = alignment
        cells.append(cell)
    return cells


def template_write(
    *,
    out: str | IO[bytes],
    title: str,
    columns: Sequence[TemplateColumn],
    guide: Sequence[tuple[str, float]],
    frozen_columns: int = 0,
) -> None:
    """An empty import sheet (its header row) and a 说明 sheet explaining each column.

    `guide` names and sizes the guide's columns: the header's first, then one for
    each cell of `TemplateColumn.guide`.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append(_row(sheet, (column.header for column in columns), font=BOLD))

    notes = workbook.create_sheet(_("说明"))
    notes.freeze_panes = "A2"
    for index, (_name, width) in enumerate(guide, start=1):
        notes.column_dimensions[get_column_letter(index)].width = width
    notes.append(_row(notes, (name for name, _width in guide), font=BOLD))
    for column in columns:
        notes.append(_row(notes, (column.header, *column.guide), alignment=GUIDE_TEXT))
    workbook.save(out)
