"""A small engine that streams declared sheets into one workbook.

A sheet is a list of columns and an iterable of records (model instances, named
rows, small dataclasses). Each `Column` is declared once: its key, header, kind
(number format and style), width, how to get its value from a record (or the
formula to write), and whether the workbook's context shows it at all. Formulas
address the cells of their row, and the columns of other sheets, by key through
`Columns`, never by header text or position.

Rows go through openpyxl's write-only mode one at a time, so a province month
costs the memory of one row. Every string a record yields is written as text,
never as a formula: only `Formula` values become formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from sheets.writing import text_cell, text_value


@dataclass(frozen=True)
class Formula:
    """A formula the app wrote; every plain string is written as text instead."""

    text: str


# Cell kinds: each is one named style of the workbook.
TEXT = "text"
WRAP = "wrap"
# Paragraphs beside their labels (说明), read from the top.
PARAGRAPH = "paragraph"
INT = "int"
SCORE = "score"
MINUTES = "minutes"
DATETIME = "datetime"
DATE = "date"
MOVEMENT = "movement"
ALERT = "alert"
CHECK = "check"
NUMBER_FORMATS = {
    INT: "0",
    SCORE: "0.00",
    MINUTES: "0.0",
    DATETIME: "yyyy-mm-dd hh:mm",
    DATE: "yyyy-mm-dd",
    # Positive: climbed that many places since last month.
    MOVEMENT: '"↑"0;"↓"0;"→"',
}


class RowCells:
    """The cells of the row being written, by column key: `cells["total"]` is "T4"."""

    def __init__(self, letters: dict[str, str]):
        self.letters = letters
        self.row = 1

    def __getitem__(self, key: str) -> str:
        return f"{self.letters[key]}{self.row}"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    # Width in Excel units; a CJK character takes about two.
    width: float = 10
    # The cell's value from a record; None leaves the cell empty.
    value: Callable[[Any], Any] | None = None
    # Or the formula's text from a record and the cells of its row.
    formula: Callable[[Any, RowCells], str] | None = None
    # Asked with the workbook's context; a column it refuses is not written at all.
    visible: Callable[[Any], bool] | None = None
    # Hidden inside a collapsible group (the stored values beside the formulas).
    grouped: bool = False

    def getter(self, cells: RowCells) -> Callable[[Any], Any]:
        if self.formula is not None:
            formula = self.formula
            return lambda record: Formula(formula(record, cells))
        return self.value or (lambda record: None)


class Columns:
    """A sheet's columns as the context shows them, with each one's letter by key."""

    def __init__(self, declared: Iterable[Column], context: Any):
        self.list = [c for c in declared if c.visible is None or c.visible(context)]
        self.letters = {c.key: get_column_letter(i) for i, c in enumerate(self.list, start=1)}
        if len(self.letters) != len(self.list):
            raise ValueError("two columns of one sheet share a key")

    def __iter__(self):
        return iter(self.list)

    def __len__(self) -> int:
        return len(self.list)

    def letter(self, key: str) -> str:
        return self.letters[key]


@dataclass
class Sheet:
    title: str
    columns: Columns
    records: Iterable[Any]
    # Keys of the columns that get a red-yellow-green colour scale.
    color_scale: tuple[str, ...] = ()
    autofilter: bool = True
    # How many leading columns stay visible when scrolling right.
    frozen_columns: int = 0

    def whole_column(self, key: str) -> str:
        """A column of this sheet as other sheets' formulas address it."""
        letter = self.columns.letter(key)
        return f"'{self.title}'!${letter}:${letter}"

    def block(self, key: str, first: int, last: int) -> str:
        """Rows first to last of a column, as other sheets' formulas address them."""
        letter = self.columns.letter(key)
        return f"'{self.title}'!${letter}${first}:${letter}${last}"


def display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


@dataclass(frozen=True)
class CellStyle:
    number_format: str | None = None
    alignment: Alignment | None = None
    font: Font | None = None


# Vertical alignment stays Excel's default (bottom) everywhere, so the cells of a
# row with wrapped text share one baseline.
CENTER = Alignment(horizontal="center")
# Every data cell is styled by its column kind alone, and only where the default
# (General, bottom-left) would read badly: a province month has ~600,000 cells,
# and each styled one costs a style lookup. Printing draws gridlines instead of
# per-cell borders for the same reason.
CELL_STYLES = {
    TEXT: None,
    INT: None,
    WRAP: CellStyle(alignment=Alignment(wrap_text=True)),
    PARAGRAPH: CellStyle(alignment=Alignment(vertical="top", wrap_text=True)),
    SCORE: CellStyle(number_format=NUMBER_FORMATS[SCORE]),
    MINUTES: CellStyle(number_format=NUMBER_FORMATS[MINUTES]),
    DATETIME: CellStyle(number_format=NUMBER_FORMATS[DATETIME]),
    DATE: CellStyle(number_format=NUMBER_FORMATS[DATE]),
    MOVEMENT: CellStyle(number_format=NUMBER_FORMATS[MOVEMENT], alignment=CENTER),
    ALERT: CellStyle(alignment=CENTER, font=Font(bold=True, color="C00000")),
    CHECK: CellStyle(alignment=CENTER),
}
# The font Chinese Office ships; elsewhere the system substitutes a sans-serif CJK font.
HEADER_FONT = Font(name="微软雅黑", bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_BORDER = Border(*(Side(style="thin", color="FFFFFF"),) * 4)
LINE_HEIGHT = 15


def _header_cell(ws, text: str) -> WriteOnlyCell:
    cell = text_cell(ws, text)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = HEADER_ALIGNMENT
    cell.border = HEADER_BORDER
    return cell


def _cell(ws, value, style: CellStyle | None):
    if value is None:
        return None
    if isinstance(value, Formula):
        cell = WriteOnlyCell(ws, value=value.text)
    elif isinstance(value, str | Promise):
        if style is None:
            return text_value(ws, str(value))
        cell = text_cell(ws, value)
    elif style is None:
        return value
    else:
        cell = WriteOnlyCell(ws, value=value)
    if style is not None:
        if style.number_format:
            cell.number_format = style.number_format
        if style.alignment:
            cell.alignment = style.alignment
        if style.font:
            cell.font = style.font
    return cell


def text_lines(text: str, width: float) -> int:
    """How many lines wrapped text takes in a column `width` units wide."""
    usable = max(1, int(width) - 1)
    return sum(max(1, -(-display_width(line) // usable)) for line in text.split("\n"))


def _row_height(values: list, wrapped: list[tuple[int, float]]) -> float | None:
    """An explicit height for rows whose wrapped text needs more than one line:
    neither Excel nor LibreOffice grows a row to fit text when opening a file."""
    lines = max((text_lines(str(values[i]), width) for i, width in wrapped if values[i]), default=1)
    return LINE_HEIGHT * lines if lines > 1 else None


def _page_setup(ws, header_left: str, header_right: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = "1:1"
    ws.oddHeader.left.text = header_left
    ws.oddHeader.center.text = "&A"
    ws.oddHeader.right.text = header_right
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")


class Progress:
    """Counts the data rows written over all sheets and reports the count to `report`
    every `every` rows (a background job saves it for the page's progress bar)."""

    def __init__(self, report: Callable[[int], None] | None, every: int):
        self.report, self.every, self.rows = report, every, 0

    def row(self) -> None:
        self.rows += 1
        if self.report is not None and self.rows % self.every == 0:
            self.report(self.rows)


def _write_rows(ws, sheet: Sheet, progress: Progress) -> int:
    """Stream the records as rows under the header; the number of the last row."""
    columns = list(sheet.columns)
    cells = RowCells(sheet.columns.letters)
    getters = [column.getter(cells) for column in columns]
    styles = [CELL_STYLES[c.kind] for c in columns]
    wrapped = [(i, c.width) for i, c in enumerate(columns) if c.kind in (WRAP, PARAGRAPH)]
    row = 1
    for record in sheet.records:
        row += 1
        cells.row = row
        values = [get(record) for get in getters]
        height = _row_height(values, wrapped) if wrapped else None
        if height:
            ws.row_dimensions[row].height = height
        ws.append([_cell(ws, value, style) for value, style in zip(values, styles, strict=True)])
        if height:
            # Written with its row; keeping it would grow memory with the sheet.
            del ws.row_dimensions[row]
        progress.row()
    return row


def _conditional_formats(ws, sheet: Sheet, last_row: int) -> None:
    for key in sheet.color_scale:
        letter = sheet.columns.letter(key)
        ws.conditional_formatting.add(
            f"{letter}2:{letter}{last_row}",
            ColorScaleRule(
                start_type="min",
                start_color="F8696B",
                mid_type="percentile",
                mid_value=50,
                mid_color="FFEB84",
                end_type="max",
                end_color="63BE7B",
            ),
        )
    for column in sheet.columns:
        if column.kind == CHECK:
            letter = sheet.columns.letter(column.key)
            ws.conditional_formatting.add(
                f"{letter}2:{letter}{last_row}",
                CellIsRule(
                    operator="equal",
                    formula=[f'"{_("不一致")}"'],
                    font=Font(bold=True, color="C00000"),
                    fill=PatternFill("solid", bgColor="FFC7CE"),
                ),
            )


def _write_sheet(
    wb: Workbook, sheet: Sheet, header_left: str, header_right: str, progress: Progress
) -> None:
    ws = wb.create_sheet(sheet.title)
    columns = list(sheet.columns)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    grouped = [i for i, c in enumerate(columns, start=1) if c.grouped]
    if grouped:
        ws.column_dimensions.group(
            get_column_letter(grouped[0]), get_column_letter(grouped[-1]), hidden=True
        )
    ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}2"
    ws.row_dimensions[1].height = LINE_HEIGHT * max(text_lines(c.header, c.width) for c in columns)
    _page_setup(ws, header_left, header_right)

    ws.append([_header_cell(ws, c.header) for c in columns])
    last_row = _write_rows(ws, sheet, progress)
    if sheet.autofilter:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    if last_row > 1:
        _conditional_formats(ws, sheet, last_row)


def workbook_write(
    *,
    sheets: Iterable[Sheet],
    out: str | IO[bytes],
    header_left: str = "",
    header_right: str = "",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> None:
    """Stream sheets into a workbook; rows are written as their records are read.

    `progress`, if given, is called with the number of data rows written so far
    every `progress_every` rows."""
    wb = Workbook(write_only=True)
    rows = Progress(progress, progress_every)
    for sheet in sheets:
        _write_sheet(wb, sheet, header_left, header_right, rows)
    wb.save(out)
