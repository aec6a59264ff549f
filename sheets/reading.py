"""The first sheet of an uploaded workbook, read within limits.

An upload is small, but a zip inflates and openpyxl trusts what it inflates: it
holds every shared string in memory, and it fills each missing row up to the next
row number it meets. So before openpyxl opens a file, `_inspect` checks the sizes
the zip directory declares (zipfile refuses to inflate past them) and streams every
XML part through expat, refusing row numbers, columns and shared strings past the
limits below. Whatever openpyxl still cannot read (bad XML, a number cell holding
text) becomes one file-level `SheetError` in the user's language.
"""

import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string

from sheets.cells import is_blank
from sheets.results import CellErrors

# A province's month of visits is about 6,000 rows of ~90 short cells: ~20 MB of
# XML when every cell is filled in, however little the upload weighs.
MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
MAX_ROWS = 10_000
MAX_ROW_NUMBER = 20_000
MAX_COLUMNS = 500
# openpyxl parses ~100,000 shared strings a second and keeps them all.
MAX_SHARED_STRINGS = 100_000

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROW, CELL, SHARED_STRING = (f"{MAIN_NS} {name}" for name in ("row", "c", "si"))
COLUMN_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?\d*$")


class SheetError(Exception):
    """Why a file cannot be read at all, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SheetRows:
    headers: list[str]
    # (spreadsheet row number, {header: value}) for each non-blank row below the headers.
    rows: list[tuple[int, dict]]


def unreadable() -> SheetError:
    return SheetError(_("无法读取该文件，请上传 Excel（.xlsx）文件。"))


def corrupt() -> SheetError:
    return SheetError(_("文件内容已损坏，无法读取。请用 Excel 打开后另存为 .xlsx，再重新上传。"))


class _Limits:
    """An expat handler counting what openpyxl would build from one XML part."""

    def __init__(self, shared_strings: int):
        self.row = self.column = 0
        self.shared_strings = shared_strings

    def start(self, name: str, attributes: dict) -> None:
        if name == ROW:
            reference = attributes.get("r")
            try:
                self.row = int(reference) if reference else self.row + 1
            except ValueError:
                raise corrupt() from None
            self.column = 0
            if self.row > MAX_ROW_NUMBER:
                raise SheetError(
                    _("第%(row)s行超出了%(max)s行的上限，请删除数据下方多余的行后重新上传。")
                    % {"row": self.row, "max": MAX_ROW_NUMBER}
                )
        elif name == CELL:
            reference = attributes.get("r")
            if reference:
                match = COLUMN_RE.match(reference)
                if match is None:
                    raise corrupt()
                self.column = column_index_from_string(match[1].upper())
            else:
                self.column += 1
            if self.column > MAX_COLUMNS:
                raise SheetError(
                    _("第%(column)s列超出了%(max)s列的上限，请删除右侧多余的列后重新上传。")
                    % {"column": get_column_letter(self.column), "max": MAX_COLUMNS}
                )
        elif name == SHARED_STRING:
            self.shared_strings += 1
            if self.shared_strings > MAX_SHARED_STRINGS:
                raise SheetError(
                    _("文件中的文字超过%(max)s条，请分成几个文件上传。")
                    % {"max": MAX_SHARED_STRINGS}
                )


def _inspect(file: str | IO[bytes]) -> bool:
    """Refuse a file whose parts would inflate or expand past the limits; whether
    every part is well-formed XML (or not XML at all, like an image)."""
    well_formed = True
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
                raise SheetError(
                    _("文件解压后超过%(max)s，请分成几个较小的文件上传。")
                    % {"max": filesizeformat(MAX_UNCOMPRESSED_BYTES)}
                )
            shared_strings = 0
            for member in members:
                limits = _Limits(shared_strings)
                parser = expat.ParserCreate(namespace_separator=" ")
                parser.StartElementHandler = limits.start
                with archive.open(member) as part:
                    try:
                        parser.ParseFile(part)
                    except expat.ExpatError:
                        # An image, say, or broken XML that openpyxl refuses in turn
                        # if the workbook needs it.
                        well_formed &= not member.filename.endswith((".xml", ".rels"))
                shared_strings = limits.shared_strings
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError):
        raise unreadable() from None
    except (NotImplementedError, RuntimeError):
        # An unsupported compression method, or an encrypted member.
        raise unreadable() from None
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    return well_formed


def read_sheet(file: str | IO[bytes]) -> SheetRows:
    """The headers and non-blank rows of the first sheet, or a SheetError.

    Headers are the first row, stripped; values keep openpyxl's types (dates as
    datetimes, numbers as int/float, text as str).
    """
    well_formed = _inspect(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:
        # A zip within the limits, yet not a workbook openpyxl can open.
        raise (unreadable() if well_formed else corrupt()) from error
    try:
        return _rows(workbook.worksheets[0])
    except SheetError:
        raise
    except Exception as error:
        # A cell openpyxl cannot convert (t="n" holding text, a bad t="d" date,
        # a shared string index past the table) ends the read.
        raise corrupt() from error
    finally:
        workbook.close()


def _rows(sheet) -> SheetRows:
    # The checked row and column numbers bound the sheet, not the dimension it declares.
    sheet.reset_dimensions()
    values = sheet.iter_rows(values_only=True)
    headers = [str(h).strip() if h is not None else "" for h in next(values, ())]
    rows = []
    for number, row in enumerate(values, start=2):
        if row.count(None) == len(row) or all(is_blank(value) for value in row):
            continue
        if len(rows) == MAX_ROWS:
            raise SheetError(_("文件超过%(max)s行数据，请分成几个文件上传。") % {"max": MAX_ROWS})
        rows.append((number, dict(zip(headers, row, strict=False))))
    return SheetRows(headers, rows)


def read_rows(file: str | IO[bytes]) -> tuple[SheetRows, CellErrors]:
    """The rows of an import file, or why it cannot be imported at all (row 0)."""
    errors = CellErrors()
    try:
        sheet = read_sheet(file)
    except SheetError as error:
        errors.add(0, "", error.message)
        return SheetRows([], []), errors
    if not sheet.rows:
        errors.add(0, "", _("文件中没有数据行。"))
    return sheet, errors
